/**
 * DKIM tag=value lists, RFC 6376 §3.2 (also used by DKIM key records, §3.6.1, and ARC, RFC 8617 §4.1).
 */
import type { ParseResult } from '../parse-result.js';

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

// RFC 6376 §3.2 says ALPHA *(ALPHA / DIGIT / "_"); like dkimpy, other visible characters after the first letter
// are tolerated (key records in the wild carry names such as `x-foo`).
const tagName = /^[A-Za-z][\x21-\x3a\x3c\x3e-\x7e]*$/;

/**
 * Parses `tag-list = tag-spec *( ";" tag-spec ) [ ";" ]` (RFC 6376 §3.2). Tag names are case-sensitive;
 * a repeated tag makes the whole list invalid. Values keep their inner FWS (callers strip it where the tag's
 * grammar allows, as for `b=` and `h=`). An empty spec is allowed only after the last `;`.
 */
export function parseTagList(text: string, limits: TagListLimits = defaultTagListLimits): ParseResult<TagList> {
  if (text.length > limits.maxLength)
    return err(`tag-list is ${text.length} characters, over the limit of ${limits.maxLength}`, 0);
  const tags: TagList = new Map();
  let pos = 0;
  const length = text.length;
  while (pos < length) {
    let semi = text.indexOf(';', pos);
    if (semi < 0) semi = length;
    const spec = text.slice(pos, semi);
    const eq = spec.indexOf('=');
    if (eq < 0) {
      // Only the last spec may be empty (a trailing ";").
      if (trimFws(spec) !== '' || semi < length) return err(`"${clip(trimFws(spec))}" is not a tag=value pair`, pos);
    } else {
      const name = trimFws(spec.slice(0, eq));
      if (!tagName.test(name)) return err(`"${clip(name)}" is not a valid tag name`, pos);
      if (tags.has(name)) return err(`tag ${name}= appears twice`, pos);
      const rawValue = spec.slice(eq + 1);
      if (hasControl(rawValue)) return err(`tag ${name}= holds a control character`, pos);
      if (tags.size >= limits.maxTags) return err(`more than ${limits.maxTags} tags`, pos);
      tags.set(name, { value: trimFws(rawValue), valueStart: pos + eq + 1, valueEnd: semi });
    }
    pos = semi + 1;
  }
  return { ok: true, value: tags };
}

/** Removes all folding whitespace (for base64 values, RFC 6376 §3.5 `b=`, `bh=`, and `p=` §3.6.1). */
export function stripFws(value: string): string {
  return value.replace(/[ \t\r\n]+/g, '');
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

/** True when the text holds a control character other than FWS (HTAB, CR, LF). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function err(message: string, offset: number): ParseResult<never> {
  return { ok: false, error: { code: 'dkim.syntax', message, offset } };
}
