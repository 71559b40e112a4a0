/**
 * Field values as the header checks read them: UTF-8 (RFC 6532 §3.2 allows it in header fields; anything else
 * is not text), unfolded (RFC 5322 §2.2.3) and trimmed.
 */
import type { HeaderField } from '../message/header.js';
import { isAscii } from 'node:buffer';
import { fieldValueBytes, latin1Text, unfold } from '../message/header.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The unfolded, trimmed value of a field, or `undefined` when its bytes are not valid UTF-8. */
export function fieldText(field: HeaderField): string | undefined {
  const bytes = fieldValueBytes(field);
  // ASCII is valid UTF-8 and reads the same as latin1, which Buffer decodes more quickly.
  if (isAscii(bytes)) return unfold(latin1Text(bytes)).trim();
  try {
    return unfold(strictUtf8.decode(bytes)).trim();
  } catch {
    return undefined;
  }
}

/** Longest value copied into a detail (the rest is cut, with an ellipsis). */
const MAX_DETAIL_VALUE = 200;

/** A value short enough to carry in a result. */
export function detailValue(text: string): string {
  return text.length > MAX_DETAIL_VALUE ? `${text.slice(0, MAX_DETAIL_VALUE)}…` : text;
}
