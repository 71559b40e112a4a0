/**
 * The caches an evaluation fills from what DNS returned: parsed DKIM keys (with their imported public keys),
 * parsed SPF records and parsed DMARC records, each by record text and bounded. They belong to one object that a
 * caller creates, shares and resets: one per service instance, a fresh one per test. Evaluations given none
 * share the process's default (`defaultEngineCaches()`), which is what the command line uses.
 *
 * Every entry is a pure function of the record text, so sharing one object between evaluations never changes a
 * result; it only saves work. Scratch buffers used synchronously inside one call (the header hash, the relaxed
 * body kernel's memory) hold nothing between calls and are not caches.
 */
import { BoundedMemo } from './bounded-memo.js';
import { DkimKeyCache, sharedKeyCache } from './dkim/key.js';
import { parseDmarcRecord, type DmarcRecord } from './dmarc/record.js';
import type { ParseResult } from './parse-result.js';
import { parseSpfRecord } from './spf/parse.js';

export interface EngineCaches {
  /** DKIM (and ARC) keys by TXT record text. */
  readonly dkimKeys: DkimKeyCache;
  /** Parsed SPF records by text: the same includes are met on every message. */
  readonly spfRecords: BoundedMemo<ReturnType<typeof parseSpfRecord>>;
  /** Parsed DMARC records by text (callers copy what they hand out). */
  readonly dmarcRecords: BoundedMemo<ParseResult<DmarcRecord>>;
  /** Empties every cache. */
  reset(): void;
}

/** Longer records are parsed every time rather than kept (the parsers bound them anyway). */
const MAX_RECORD_TEXT = 4096;

function engineCaches(dkimKeys: DkimKeyCache): EngineCaches {
  const spfRecords = new BoundedMemo(parseSpfRecord, { maxEntries: 512, maxKeyLength: MAX_RECORD_TEXT });
  const dmarcRecords = new BoundedMemo(parseDmarcRecord, { maxEntries: 256, maxKeyLength: MAX_RECORD_TEXT });
  return {
    dkimKeys,
    spfRecords,
    dmarcRecords,
    reset() {
      dkimKeys.clear();
      spfRecords.clear();
      dmarcRecords.clear();
    },
  };
}

/** A new, empty set of caches (pass it as `caches` in the options of `evaluate()` and `createEvaluator()`). */
export function createEngineCaches(): EngineCaches {
  return engineCaches(new DkimKeyCache());
}

let processCaches: EngineCaches | undefined;

/** The caches of evaluations given none: one per process (made on first use). */
export function defaultEngineCaches(): EngineCaches {
  processCaches ??= engineCaches(sharedKeyCache);
  return processCaches;
}
