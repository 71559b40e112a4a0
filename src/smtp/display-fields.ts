/**
 * The From and Subject of a message as lists show them: the unfolded field values of its header, cut to a
 * length a list can show. Untrusted text: the pages escape it.
 */
import { fieldValue, getFields, parseMessage } from '../core/index.js';

const MAX_DISPLAY = 300;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

export interface DisplayFields {
  from?: string;
  subject?: string;
}

export function displayFields(raw: Buffer): DisplayFields {
  // Only the header is parsed (RFC 5322 §2.1: it ends at the first empty line).
  let end = raw.indexOf(CRLFCRLF);
  if (end < 0) end = raw.indexOf(LFLF);
  const header = end < 0 ? raw : raw.subarray(0, end + 2);
  const parsed = parseMessage(header);
  if (!parsed.ok) return {};
  const out: DisplayFields = {};
  const from = getFields(parsed.value, 'from')[0];
  const subject = getFields(parsed.value, 'subject')[0];
  if (from) out.from = fieldValue(from).slice(0, MAX_DISPLAY);
  if (subject) out.subject = fieldValue(subject).slice(0, MAX_DISPLAY);
  return out;
}
