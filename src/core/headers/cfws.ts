/**
 * Folding white space and comments, RFC 5322 §3.2.2 (`CFWS`), as the structured-field parsers of this folder skip
 * them. Comments nest, may contain quoted-pairs, and are bounded in depth so hostile input stays cheap.
 */

/** Deepest comment nesting accepted (mailtrust's own cap). */
export const MAX_COMMENT_DEPTH = 64;

/** What `skipCfws` passed over, or why it stopped. */
export type CfwsSkip =
  { ok: true; end: number; whitespace: boolean; comment: boolean } | { ok: false; offset: number; message: string };

/** WSP or a line break of folding (§3.2.2; the value may still be folded). */
export function isFoldingSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

/** Skips `[CFWS]` from `start`: whitespace, line breaks and (nested) comments. */
export function skipCfws(text: string, start: number): CfwsSkip {
  let i = start;
  let whitespace = false;
  let comment = false;
  while (i < text.length) {
    const ch = text[i];
    if (isFoldingSpace(ch)) {
      whitespace = true;
      i++;
      continue;
    }
    if (ch !== '(') break;
    comment = true;
    const open = i;
    let depth = 0;
    do {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '(') {
        depth++;
        if (depth > MAX_COMMENT_DEPTH) return { ok: false, offset: i, message: 'comments nested too deeply' };
      } else if (c === ')') depth--;
      i++;
    } while (depth > 0 && i < text.length);
    if (depth > 0) return { ok: false, offset: open, message: 'unterminated comment' };
  }
  return { ok: true, end: i, whitespace, comment };
}
