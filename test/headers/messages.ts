/** Test messages for the header checks: a well-formed base header, with fields replaced, removed or added. */
import assert from 'node:assert/strict';
import type { ParsedHeader } from '../../src/core/message/header.js';
import { parseMessage } from '../../src/core/message/index.js';

/** A header every check passes (pure checks; the domains exist only in the tests' DNS zones). */
export const BASE_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['From', 'Alice Example <alice@sender.example>'],
  ['To', 'Support <support@desk.example>'],
  ['Subject', 'Printer on fire'],
  ['Date', 'Thu, 26 Nov 2026 06:59:48 +0000'],
  ['Message-ID', '<20261126065948.1@sender.example>'],
];

/**
 * Builds a header: the base fields with `set` applied (a name mapped to a value replaces the base field of that
 * name, or is added; mapped to `null` removes it; an array gives several fields of that name), then `extra`.
 */
export function header(
  set: Record<string, string | string[] | null> = {},
  extra: ReadonlyArray<readonly [string, string]> = [],
): ParsedHeader {
  const lower = new Map(Object.entries(set).map(([name, value]) => [name.toLowerCase(), { name, value }]));
  const lines: string[] = [];
  const used = new Set<string>();
  const emit = (name: string, value: string | string[] | null) => {
    if (value === null) return;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}:${v === '' ? '' : ' '}${v}`);
  };
  for (const [name, value] of BASE_FIELDS) {
    const replacement = lower.get(name.toLowerCase());
    if (replacement) {
      used.add(name.toLowerCase());
      emit(name, replacement.value);
    } else {
      emit(name, value);
    }
  }
  for (const [key, { name, value }] of lower) if (!used.has(key)) emit(name, value);
  for (const [name, value] of extra) emit(name, value);
  return headerFromText(`${lines.join('\r\n')}\r\n\r\nbody\r\n`);
}

/** Parses a message given as text (or bytes) and returns its header. */
export function headerFromText(raw: string | Uint8Array): ParsedHeader {
  const parsed = parseMessage(raw);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.value;
}
