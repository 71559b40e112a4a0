/**
 * Writing Authentication-Results fields (RFC 8601 §2.2) and ARC-Authentication-Results (RFC 8617 §4.1.1).
 */
import { authResEntries, type AuthResInput } from './entries.js';
import { formatValue, isKeyword } from './syntax.js';
import type { AuthResEntry } from './types.js';

/** Formatting options. */
export interface AuthResFormatOptions {
  /** Fold the field over several lines when it is longer than `lineLength` (default true). */
  fold?: boolean;
  /** Preferred line length, RFC 5322 §2.1.1 (default 78). */
  lineLength?: number;
}

/**
 * Hands each word of one entry to `word` (`method=result`, `reason=…`, `ptype.property=value`); false, with no word
 * written, when the method or result is not a Keyword (such entries are left out). Properties whose names are not
 * Keywords are skipped.
 */
function writeEntry(entry: AuthResEntry, word: (text: string) => void): boolean {
  if (!isKeyword(entry.method) || !isKeyword(entry.result)) return false;
  const method = entry.methodVersion === undefined ? entry.method : `${entry.method}/${entry.methodVersion}`;
  word(`${method}=${entry.result}`);
  if (entry.reason !== undefined) word(`reason=${formatValue(entry.reason, false)}`);
  for (const p of entry.properties) {
    if (!isKeyword(p.property) || (p.ptype.length > 0 && !isKeyword(p.ptype))) continue;
    word(`${p.ptype.length > 0 ? `${p.ptype}.${p.property}` : p.property}=${formatValue(p.value, true)}`);
  }
  return true;
}

/**
 * A whole header field `NAME: PREFIX; authserv-id; entry; entry…` (prefix only for ARC), folded before each entry
 * and between properties when it does not fit in one line. Values are never folded inside.
 */
function formatField(
  name: string,
  prefix: string | undefined,
  authservId: string,
  version: number | undefined,
  entries: readonly AuthResEntry[],
  options: AuthResFormatOptions,
): string {
  const head =
    (prefix === undefined ? '' : `${prefix}; `) +
    formatValue(authservId, false) +
    (version === undefined ? '' : ` ${version}`);
  // The one-line form first, written straight into one string (most fields are not folded).
  let oneLine = `${name}: ${head};`;
  let separator = ' ';
  let first = true;
  const append = (text: string) => {
    oneLine += first ? separator + text : ` ${text}`;
    first = false;
  };
  for (const entry of entries) {
    first = true;
    if (writeEntry(entry, append)) separator = '; ';
  }
  if (separator === ' ') oneLine += ' none';
  const lineLength = options.lineLength ?? 78;
  if (options.fold === false || oneLine.length <= lineLength) return oneLine;

  const groups: string[][] = [];
  for (const entry of entries) {
    const words: string[] = [];
    if (writeEntry(entry, (text) => words.push(text))) groups.push(words);
  }
  if (groups.length === 0) groups.push(['none']);
  let out = `${name}: ${head};`;
  groups.forEach((words, index) => {
    const last = index === groups.length - 1;
    let line = '\t';
    words.forEach((word, position) => {
      const text = position === words.length - 1 && !last ? `${word};` : word;
      if (position === 0) line += text;
      else if (line.length + 1 + text.length > lineLength) {
        out += `\r\n${line}`;
        line = `\t${text}`;
      } else line += ` ${text}`;
    });
    out += `\r\n${line}`;
  });
  return out;
}

function entriesOf(results: AuthResInput | readonly AuthResEntry[]): readonly AuthResEntry[] {
  return Array.isArray(results) ? (results as readonly AuthResEntry[]) : authResEntries(results as AuthResInput);
}

/**
 * The `Authentication-Results` field (RFC 8601 §2.2) for `results` — check results (see authResEntries) or
 * ready entries — as `Authentication-Results: authserv-id; spf=pass smtp.mailfrom=…; …`, without the final CRLF.
 * Folded with CRLF + TAB when longer than the line length. With no results it says `none` (§2.2 `no-result`).
 * Entries whose method, result, ptype or property is not a Keyword cannot be written and are left out.
 */
export function formatAuthenticationResults(
  authservId: string,
  results: AuthResInput | readonly AuthResEntry[],
  options: AuthResFormatOptions & { version?: number } = {},
): string {
  return formatField('Authentication-Results', undefined, authservId, options.version, entriesOf(results), options);
}

/** The `ARC-Authentication-Results` field of ARC instance `instance` (RFC 8617 §4.1.1): `i=N; authserv-id; …`. */
export function formatArcAuthenticationResults(
  instance: number,
  authservId: string,
  results: AuthResInput | readonly AuthResEntry[],
  options: AuthResFormatOptions = {},
): string {
  return formatField('ARC-Authentication-Results', `i=${instance}`, authservId, undefined, entriesOf(results), options);
}
