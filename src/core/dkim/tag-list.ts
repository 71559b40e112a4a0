/**
 * DKIM tag=value lists, RFC 6376 §3.2 (also used by DKIM key records, §3.6.1, and ARC, RFC 8617 §4.1).
 */
import type { ParseResult } from '../parse-result.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const FWS_RUNS = /[ \t\r\n]+/g;
/** A control character other than FWS (HTAB, CR, LF): not allowed in a tag value. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARACTER = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** One tag: its value with surrounding FWS removed, and where the raw value sits in the input. */
export interface Tag {
  value: string;
  /** Offset just after the `=`. */
  valueStart: number;
  /** Offset of the terminating `;`, or the end of the input. */
  valueEnd: number;
}

export type TagList = Map<string, Tag>;

/** Caps that bound the work on hostile input. */
export interface TagListLimits {
  maxTags: number;
  maxLength: number;
}

export const defaultTagListLimits: Readonly<TagListLimits> = Object.freeze({ maxTags: 64, maxLength: 64 * 1024 });

/**
 * Parses `tag-list = tag-spec *( ";" tag-spec ) [ ";" ]` (RFC 6376 §3.2). Tag names are case-sensitive;
 * a repeated tag makes the whole list invalid. Values keep their inner FWS (callers strip it where the tag's
 * grammar allows, as for `b=` and `h=`). An empty spec is allowed only after the last `;`.
 */
export function parseTagList(text: string, limits: TagListLimits = defaultTagListLimits): ParseResult<TagList> {
  if (text.length > limits.maxLength)
    return err(`tag-list is ${text.length} characters, over the limit of ${limits.maxLength}`, 0);
  const tags: TagList = new Map();
  // Values are checked for control characters one by one only when the text has any (one native scan first).
  const controls = CONTROL_CHARACTER.test(text);
  let pos = 0;
  const length = text.length;
  // One scan by offsets: a spec, its name and its value are each sliced once, when they are kept.
  while (pos < length) {
    let semi = text.indexOf(';', pos);
    if (semi < 0) semi = length;
    const eq = text.indexOf('=', pos);
    if (eq < 0 || eq > semi) {
      // Only the last spec may be empty (a trailing ";").
      const spec = trimFws(text.slice(pos, semi));
      if (spec !== '' || semi < length) return err(`"${clip(spec)}" is not a tag=value pair`, pos);
    } else {
      let nameStart = pos;
      let nameEnd = eq;
      while (nameStart < nameEnd && isFws(text.charCodeAt(nameStart))) nameStart++;
      while (nameEnd > nameStart && isFws(text.charCodeAt(nameEnd - 1))) nameEnd--;
      const name = text.slice(nameStart, nameEnd);
      if (!isTagName(text, nameStart, nameEnd)) return err(`"${clip(name)}" is not a valid tag name`, pos);
      if (tags.has(name)) return err(`tag ${name}= appears twice`, pos);
      let valueStart = eq + 1;
      let valueEnd = semi;
      if (controls) {
        for (let i = valueStart; i < valueEnd; i++) {
          const c = text.charCodeAt(i);
          if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f)
            return err(`tag ${name}= holds a control character`, pos);
        }
      }
      if (tags.size >= limits.maxTags) return err(`more than ${limits.maxTags} tags`, pos);
      while (valueStart < valueEnd && isFws(text.charCodeAt(valueStart))) valueStart++;
      while (valueEnd > valueStart && isFws(text.charCodeAt(valueEnd - 1))) valueEnd--;
      tags.set(name, { value: text.slice(valueStart, valueEnd), valueStart: eq + 1, valueEnd: semi });
    }
    pos = semi + 1;
  }
  return { ok: true, value: tags };
}

/**
 * RFC 6376 §3.2 says ALPHA *(ALPHA / DIGIT / "_"); like dkimpy, other visible characters after the first letter
 * are tolerated (key records in the wild carry names such as `x-foo`): `[A-Za-z][\x21-\x3a\x3c\x3e-\x7e]*`.
 */
function isTagName(text: string, start: number, end: number): boolean {
  if (start >= end) return false;
  const first = text.charCodeAt(start) | 0x20;
  if (first < 0x61 || first > 0x7a) return false;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3b || c === 0x3d) return false;
  }
  return true;
}

/** Removes all folding whitespace (for base64 values, RFC 6376 §3.5 `b=`, `bh=`, and `p=` §3.6.1). */
export function stripFws(value: string): string {
  return value.replace(FWS_RUNS, '');
}

/** Trims FWS (SP, HTAB, CR, LF) only: other characters, even U+00A0, are part of the value. */
export function trimFws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isFws(value.charCodeAt(start))) start++;
  while (end > start && isFws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isFws(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function err(message: string, offset: number): ParseResult<never> {
  return { ok: false, error: { code: 'dkim.syntax', message, offset } };
}
