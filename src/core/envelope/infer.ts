/**
 * The envelope of a saved message, for `mailtrust check saved.eml` without `--ip/--helo/--mail-from`
 * (docs/cli.md): client address and greeting from the newest Received field that names an outside client,
 * the reverse-path from Return-Path.
 */
import { fieldValue, getFields, unfold, type ParsedHeader } from '../message/index.js';
import { isInternalAddress, parseReceivedFrom, parseReturnPath } from './received.js';

/** Where each envelope value came from. */
export interface InferredEnvelope {
  ip?: string;
  helo?: string;
  mailFrom?: string;
  /** 1-based position (from the top) of the Received field used, when one was. */
  receivedIndex?: number;
  /** Received fields skipped because their client was internal (loopback, private). */
  skippedInternal: number;
}

/** Reads the envelope back from the header. Values that are not there stay undefined. */
export function inferEnvelope(header: ParsedHeader): InferredEnvelope {
  const inferred: InferredEnvelope = { skippedInternal: 0 };
  const received = getFields(header, 'received');
  for (let i = 0; i < received.length && i < 50; i++) {
    const from = parseReceivedFrom(unfold(fieldValue(received[i]!)));
    if (!from.ip) continue;
    if (isInternalAddress(from.ip)) {
      inferred.skippedInternal++;
      continue;
    }
    inferred.ip = from.ip;
    if (from.helo !== undefined) inferred.helo = from.helo;
    inferred.receivedIndex = i + 1;
    break;
  }
  const returnPath = getFields(header, 'return-path')[0];
  if (returnPath) {
    const path = parseReturnPath(unfold(fieldValue(returnPath)));
    if (path !== undefined) inferred.mailFrom = path;
  }
  return inferred;
}
