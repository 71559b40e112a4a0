/**
 * The DMARC policy record, RFC 7489 §6.3 (tags) and §6.4 (formal definition), with `np` from RFC 9091 §4.1.
 *
 * Error rules (RFC 7489 §6.3, §6.6.3): `v=DMARC1` must be the first tag; unknown tags are ignored; a tag whose value
 * is not valid is discarded in favour of its default (and reported as a warning); a record without a valid `p`, or
 * with an invalid `sp`, is read as `p=none` when `rua` holds at least one valid URI, and is otherwise unusable.
 */
import type { ParseResult } from '../parse-result.js';

/** Requested Mail Receiver policy (RFC 7489 §6.3 `p`). */
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

/** Identifier alignment mode (RFC 7489 §3.1: `r` relaxed, `s` strict). */
export type AlignmentMode = 'relaxed' | 'strict';

/** Failure reporting option (RFC 7489 §6.3 `fo`). */
export type FailureReportOption = '0' | '1' | 'd' | 's';

/** A reporting URI with its optional size limit (RFC 7489 §6.2, `uri!10m`). */
export interface DmarcReportUri {
  uri: string;
  /** The size limit in bytes, when one was given. */
  maxBytes?: number;
}

/** Something the record got wrong that was repaired by a default (RFC 7489 §6.3), or a tag that was ignored. */
export interface DmarcRecordWarning {
  /** The tag concerned (`p`, `pct`, `rua`, …), or `*` for the tag-list itself. */
  tag: string;
  code:
    | 'dmarc.invalid-value'
    | 'dmarc.duplicate-tag'
    | 'dmarc.unknown-tag'
    | 'dmarc.malformed-tag'
    | 'dmarc.invalid-uri'
    | 'dmarc.p-missing-treated-as-none';
  message: string;
}

/** A parsed DMARC record (RFC 7489 §6.3). Absent optional tags take the RFC defaults noted on each field. */
export interface DmarcRecord {
  /** The record as published. */
  text: string;
  /** `p` (required; `none` when repaired by the §6.6.3 `rua` rule, see `warnings`). */
  policy: DmarcPolicy;
  /** `sp`, when given: the policy for subdomains of the Organizational Domain (default: `p`). */
  subdomainPolicy?: DmarcPolicy;
  /** `np` (RFC 9091 §4.1), when given: the policy for non-existent subdomains (default: `sp`, then `p`). */
  nonexistentPolicy?: DmarcPolicy;
  /** `adkim` (default relaxed). */
  dkimAlignment: AlignmentMode;
  /** `aspf` (default relaxed). */
  spfAlignment: AlignmentMode;
  /** `pct`, 0–100 (default 100). */
  pct: number;
  /** `rua`, valid URIs only (default none). */
  aggregateReportUris: DmarcReportUri[];
  /** `ruf`, valid URIs only (default none). */
  failureReportUris: DmarcReportUri[];
  /** `fo` (default `0`). */
  failureOptions: FailureReportOption[];
  /** `rf` (default `afrf`). */
  reportFormats: string[];
  /** `ri` in seconds (default 86400). */
  reportInterval: number;
  /** Repairs and ignored tags, in record order. */
  warnings: DmarcRecordWarning[];
}

/** Error codes of parseDmarcRecord. */
export type DmarcRecordErrorCode = 'dmarc.not-dmarc' | 'dmarc.policy-missing';

/** Longest record text accepted (a TXT RRset of that size is already absurd). */
const MAX_RECORD_LENGTH = 16_384;
const MAX_TAGS = 256;

/** The `v=DMARC1` first tag (RFC 7489 §6.4: `"v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31`, case-sensitive value). */
const VERSION_TAG = /^[ \t\r\n]*[vV][ \t\r\n]*=[ \t\r\n]*DMARC1[ \t\r\n]*$/;

/**
 * True when a TXT record is a DMARC record at all: its first tag is `v=DMARC1` (RFC 7489 §6.6.3 steps 2 and 4:
 * other records are discarded before counting).
 */
export function isDmarcRecord(txt: string): boolean {
  if (typeof txt !== 'string') return false;
  const end = txt.indexOf(';');
  return VERSION_TAG.test(end < 0 ? txt : txt.slice(0, end));
}

const POLICIES: ReadonlySet<string> = new Set(['none', 'quarantine', 'reject']);
const KNOWN_TAGS: ReadonlySet<string> = new Set([
  'v',
  'p',
  'sp',
  'np',
  'adkim',
  'aspf',
  'pct',
  'rua',
  'ruf',
  'fo',
  'rf',
  'ri',
]);
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

function parsePolicy(value: string): DmarcPolicy | undefined {
  const lower = value.toLowerCase();
  return POLICIES.has(lower) ? (lower as DmarcPolicy) : undefined;
}

function parseAlignment(value: string): AlignmentMode | undefined {
  switch (value.toLowerCase()) {
    case 'r':
      return 'relaxed';
    case 's':
      return 'strict';
    default:
      return undefined;
  }
}

/** One `dmarc-uri` (RFC 7489 §6.4): a URI (RFC 3986 §3: scheme ":" …) with an optional `!size[kmgt]`. */
function parseReportUri(text: string): DmarcReportUri | undefined {
  let uri = text;
  let maxBytes: number | undefined;
  const size = /!([0-9]{1,15})([kmgtKMGT]?)$/.exec(text);
  if (size) {
    uri = text.slice(0, size.index);
    const unit = SIZE_UNITS[(size[2] ?? '').toLowerCase()] ?? 1;
    maxBytes = Number(size[1]) * unit;
  }
  // A scheme, then at least one character; no whitespace, `!` or `,` unescaped (§6.2 asks to %-encode those).
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s!,;]+$/.test(uri)) return undefined;
  if (/^mailto:/i.test(uri) && !/^mailto:[^@]+@[^@]+$/i.test(uri)) return undefined;
  return maxBytes === undefined ? { uri } : { uri, maxBytes };
}

function parseUriList(tag: string, value: string, warnings: DmarcRecordWarning[]): DmarcReportUri[] {
  const uris: DmarcReportUri[] = [];
  for (const item of value.split(',')) {
    const text = item.trim();
    const parsed = parseReportUri(text);
    if (parsed) uris.push(parsed);
    else
      warnings.push({
        tag,
        code: 'dmarc.invalid-uri',
        message: `${tag}: not a valid reporting URI: ${JSON.stringify(text)}`,
      });
  }
  return uris;
}

/** A colon-separated list whose every item passes `valid` (RFC 7489 §6.4 `dmarc-fo`, `dmarc-rfmt`). */
function parseColonList(value: string, valid: (item: string) => boolean): string[] | undefined {
  const items = value.split(':').map((item) => item.trim());
  return items.every((item) => item.length > 0 && valid(item)) ? items : undefined;
}

/**
 * Parses a DMARC record (RFC 7489 §6.3, §6.4). Pure.
 *
 * Fails with `dmarc.not-dmarc` when the text does not start with `v=DMARC1`, and with `dmarc.policy-missing` when
 * there is no valid `p` (or an invalid `sp`) and no valid `rua` URI to repair it with (RFC 7489 §6.6.3 step 6:
 * "the Mail Receiver applies no DMARC processing").
 */
export function parseDmarcRecord(txt: string): ParseResult<DmarcRecord> {
  if (typeof txt !== 'string' || !isDmarcRecord(txt)) {
    return {
      ok: false,
      error: { code: 'dmarc.not-dmarc', message: 'the record does not start with v=DMARC1', offset: 0 },
    };
  }
  if (txt.length > MAX_RECORD_LENGTH) {
    return {
      ok: false,
      error: { code: 'dmarc.not-dmarc', message: `the record is longer than ${MAX_RECORD_LENGTH} characters` },
    };
  }
  const warnings: DmarcRecordWarning[] = [];
  const values = new Map<string, string>();
  const parts = txt.split(';');
  if (parts.length > MAX_TAGS) {
    warnings.push({
      tag: '*',
      code: 'dmarc.malformed-tag',
      message: `more than ${MAX_TAGS} tags; the rest were ignored`,
    });
  }
  for (const part of parts.slice(1, MAX_TAGS)) {
    const spec = part.trim();
    if (spec.length === 0) continue; // empty element or trailing `;`
    const match = /^([A-Za-z][A-Za-z0-9_]*)[ \t\r\n]*=[ \t\r\n]*([\s\S]*)$/.exec(spec);
    if (!match) {
      warnings.push({
        tag: '*',
        code: 'dmarc.malformed-tag',
        message: `not a tag=value pair: ${JSON.stringify(spec.slice(0, 80))}`,
      });
      continue;
    }
    const name = (match[1] ?? '').toLowerCase();
    const value = match[2] ?? '';
    if (!KNOWN_TAGS.has(name)) {
      warnings.push({ tag: name, code: 'dmarc.unknown-tag', message: `unknown tag ${name}= ignored` });
      continue;
    }
    if (name === 'v' || values.has(name)) {
      warnings.push({
        tag: name,
        code: 'dmarc.duplicate-tag',
        message: `${name}= appears more than once; the first counts`,
      });
      continue;
    }
    values.set(name, value);
  }

  const invalid = (tag: string, value: string, fallback: string): void => {
    warnings.push({
      tag,
      code: 'dmarc.invalid-value',
      message: `${tag}=${JSON.stringify(value.slice(0, 80))} is not valid; using ${fallback}`,
    });
  };

  const rua = values.has('rua') ? parseUriList('rua', values.get('rua') ?? '', warnings) : [];
  const ruf = values.has('ruf') ? parseUriList('ruf', values.get('ruf') ?? '', warnings) : [];

  const pText = values.get('p');
  const spText = values.get('sp');
  let policy = pText === undefined ? undefined : parsePolicy(pText);
  let subdomainPolicy = spText === undefined ? undefined : parsePolicy(spText);
  let npText = values.get('np');
  const policyBroken = policy === undefined || (spText !== undefined && subdomainPolicy === undefined);
  if (policyBroken) {
    const what =
      policy === undefined
        ? pText === undefined
          ? 'no p= tag'
          : `p=${JSON.stringify(pText.slice(0, 40))} is not valid`
        : `sp=${JSON.stringify((spText ?? '').slice(0, 40))} is not valid`;
    if (rua.length === 0) {
      return {
        ok: false,
        error: {
          code: 'dmarc.policy-missing',
          message: `${what} and no valid rua= URI: no DMARC processing (RFC 7489 §6.6.3)`,
        },
      };
    }
    // §6.6.3 step 6.1: act as if the record were "v=DMARC1; p=none" (with its reporting tags).
    warnings.push({
      tag: 'p',
      code: 'dmarc.p-missing-treated-as-none',
      message: `${what}; read as p=none because rua= is valid (RFC 7489 §6.6.3)`,
    });
    policy = 'none';
    subdomainPolicy = undefined;
    npText = undefined;
  }

  let nonexistentPolicy: DmarcPolicy | undefined;
  if (npText !== undefined) {
    nonexistentPolicy = parsePolicy(npText);
    if (nonexistentPolicy === undefined) invalid('np', npText, 'sp/p (RFC 9091 §4.1)');
  }

  const alignment = (tag: 'adkim' | 'aspf'): AlignmentMode => {
    const text = values.get(tag);
    if (text === undefined) return 'relaxed';
    const mode = parseAlignment(text);
    if (mode === undefined) invalid(tag, text, 'r');
    return mode ?? 'relaxed';
  };
  const dkimAlignment = alignment('adkim');
  const spfAlignment = alignment('aspf');

  let pct = 100;
  const pctText = values.get('pct');
  if (pctText !== undefined) {
    // §6.4: dmarc-percent = "pct" *WSP "=" *WSP 1*3DIGIT, an integer from 0 to 100.
    if (/^[0-9]{1,3}$/.test(pctText) && Number(pctText) <= 100) pct = Number(pctText);
    else invalid('pct', pctText, '100');
  }

  let failureOptions: FailureReportOption[] = ['0'];
  const foText = values.get('fo');
  if (foText !== undefined) {
    const list = parseColonList(
      foText.toLowerCase(),
      (item) => item === '0' || item === '1' || item === 'd' || item === 's',
    );
    if (list) failureOptions = list as FailureReportOption[];
    else invalid('fo', foText, '0');
  }

  let reportFormats = ['afrf'];
  const rfText = values.get('rf');
  if (rfText !== undefined) {
    const list = parseColonList(rfText.toLowerCase(), (item) => /^[a-z0-9][a-z0-9-]*$/.test(item));
    if (list) reportFormats = list;
    else invalid('rf', rfText, 'afrf');
  }

  let reportInterval = 86400;
  const riText = values.get('ri');
  if (riText !== undefined) {
    // §6.4: 1*DIGIT, a 32-bit unsigned integer.
    if (/^[0-9]{1,10}$/.test(riText) && Number(riText) <= 0xffffffff) reportInterval = Number(riText);
    else invalid('ri', riText, '86400');
  }

  const record: DmarcRecord = {
    text: txt,
    policy: policy ?? 'none',
    dkimAlignment,
    spfAlignment,
    pct,
    aggregateReportUris: rua,
    failureReportUris: ruf,
    failureOptions,
    reportFormats,
    reportInterval,
    warnings,
  };
  if (subdomainPolicy !== undefined) record.subdomainPolicy = subdomainPolicy;
  if (nonexistentPolicy !== undefined) record.nonexistentPolicy = nonexistentPolicy;
  return { ok: true, value: record };
}
