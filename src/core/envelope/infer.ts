/**
 * The envelope of a saved message, for `mailtrust check saved.eml` without `--ip/--helo/--mail-from`: the client
 * address and greeting from the newest Received field, the reverse-path from Return-Path (RFC 5321 §4.4).
 *
 * Only the newest Received field is the receiving server's own (RFC 5321 §4.4: each server prepends one); every
 * field below it arrived with the message and may be written by the sender. So only that one field is read, or the
 * newest one a named host (`receivedBy`) added, and when it cannot be read the answer says why, never falling back
 * to a field further down. One exception: qmail's queue stamp `(qmail N invoked from network)` sits on top of the
 * `from` field the same server's SMTP daemon wrote, so that pair counts as one.
 */
import { fieldValue, getFields, unfold, type ParsedHeader } from '../message/index.js';
import { lowerCaseName } from '../dns/names.js';
import { isInternalAddress, parseReceivedFrom, parseReturnPath } from './received.js';

/** How many Received fields are looked through for `receivedBy` (a message passes a handful of hops). */
const MAX_FIELDS = 50;
/** How much of a field's text an answer quotes. */
const MAX_QUOTE = 300;

/** The Received field an answer is about: its position from the top (1-based) and its unfolded text. */
export interface ReceivedFieldRef {
  index: number;
  text: string;
}

/** Why the client could not be read from the message. */
export type ReceivedProblem =
  /** The message has no Received field. */
  | 'no-received'
  /** No Received field was added by the host named with `receivedBy`. */
  | 'received-by-not-found'
  /** The field's `from` clause is in a form not read (see received.ts for the forms). */
  | 'unparsable'
  /** The field names no client: a local submission or an internal hop. */
  | 'no-client'
  /** The field names a loopback or private address: an internal hop, not the outside sender. */
  | 'internal-client';

/** The client read from the Received field, or why it could not be. */
export type ReceivedInference =
  | { ok: true; ip: string; helo?: string; field: ReceivedFieldRef }
  | {
      ok: false;
      problem: ReceivedProblem;
      /** What did not fit, for `unparsable`; the address, for `internal-client`. */
      detail?: string;
      field?: ReceivedFieldRef;
      /** The `by` host of each Received field from the top (empty string where none), to pick one by name. */
      byHosts: string[];
    };

/** What a message says about its own envelope. */
export interface InferredEnvelope {
  received: ReceivedInference;
  /** From Return-Path, when the message has one (`''` is the null reverse-path). */
  mailFrom?: string;
}

/** Options of {@link inferEnvelope}. */
export interface InferOptions {
  /** Read the newest Received field this host added (its `by` name) instead of the newest of all. */
  receivedBy?: string;
}

function quote(values: string[], index: number): ReceivedFieldRef {
  const text = values[index]!;
  return { index: index + 1, text: text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text };
}

function readReceived(header: ParsedHeader, options: InferOptions): ReceivedInference {
  const values = getFields(header, 'received')
    .slice(0, MAX_FIELDS)
    .map((field) => unfold(fieldValue(field)).replace(/\s+/g, ' ').trim());
  const parsed = values.map((value) => parseReceivedFrom(value));
  const byHosts = parsed.map((p) => (p.kind === 'queue-stamp' ? '' : (p.by ?? '')));
  if (values.length === 0) return { ok: false, problem: 'no-received', byHosts };
  let index = 0;
  if (options.receivedBy !== undefined) {
    const wanted = lowerCaseName(options.receivedBy);
    index = byHosts.findIndex((by) => by !== '' && lowerCaseName(by) === wanted);
    if (index < 0) return { ok: false, problem: 'received-by-not-found', detail: options.receivedBy, byHosts };
  }
  if (parsed[index]!.kind === 'queue-stamp' && index + 1 < values.length) index++;
  const field = quote(values, index);
  const from = parsed[index]!;
  switch (from.kind) {
    case 'client':
      if (isInternalAddress(from.ip)) return { ok: false, problem: 'internal-client', detail: from.ip, field, byHosts };
      return { ok: true, ip: from.ip, ...(from.helo !== undefined ? { helo: from.helo } : {}), field };
    case 'queue-stamp':
    case 'no-client':
      return { ok: false, problem: 'no-client', field, byHosts };
    case 'unparsable':
      return { ok: false, problem: 'unparsable', detail: from.why, field, byHosts };
  }
}

/** Reads the envelope back from the header: the client from one Received field, MAIL FROM from Return-Path. */
export function inferEnvelope(header: ParsedHeader, options: InferOptions = {}): InferredEnvelope {
  const inferred: InferredEnvelope = { received: readReceived(header, options) };
  const returnPath = getFields(header, 'return-path')[0];
  if (returnPath) {
    const path = parseReturnPath(unfold(fieldValue(returnPath)));
    if (path !== undefined) inferred.mailFrom = path;
  }
  return inferred;
}
