/**
 * The audit's view of the resolver: every distinct question is asked once however many checks ask it, and the
 * work is measured — questions asked, answered, failed, and the critical-path depth (the longest chain of lookups
 * that each had to wait for an earlier one). docs/audit.md: "the wall time is the deepest chain of dependent lookups".
 *
 * Depth is counted per branch: the audit runs each independent piece of work (an area, an address) in its own
 * branch ({@link LookupTracker.fork}); a lookup's depth is one more than the deepest lookup its branch has waited
 * for. Inside a branch, lookups that a check runs in parallel (`Promise.all`) share the branch, so a late sibling
 * can be counted one level deeper than it strictly depends: the figure is an upper bound, exact when lookups at one
 * level answer before the next level starts (as with uniform latency).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { QueryOutcome } from '../dns/querier.js';
import { isTemporaryDnsFailure, type DnsAnswer, type QueryType, type Resolver } from '../dns/types.js';
import { lowerCaseName } from '../dns/names.js';

interface Branch {
  depth: number;
}

interface MemoEntry {
  promise: Promise<unknown>;
  depth: number;
}

/** A resolver that also gives raw records (mailtrust's DnsClient): the SPF lint reads TXT strings one by one. */
export interface RawQueryResolver extends Resolver {
  query(name: string, type: QueryType): Promise<QueryOutcome>;
}

function hasRawQuery(resolver: Resolver): resolver is RawQueryResolver {
  return typeof (resolver as { query?: unknown }).query === 'function';
}

/** Bound on remembered questions, so a hostile record tree cannot grow the memo without end. */
const MAX_MEMO_ENTRIES = 5000;

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function joinStrings(strings: Uint8Array[]): string {
  if (strings.length === 1) return utf8.decode(strings[0]);
  const joined = new Uint8Array(strings.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of strings) {
    joined.set(s, offset);
    offset += s.length;
  }
  return utf8.decode(joined);
}

/** Memoizes and measures lookups for one audit. */
export class LookupTracker {
  private readonly branches = new AsyncLocalStorage<Branch>();
  private readonly memo = new Map<string, MemoEntry>();
  queries = 0;
  answered = 0;
  temporaryFailures = 0;
  pending = 0;
  maxDepth = 0;
  /** The tracked resolver to put in the checks' context. */
  readonly resolver: Resolver;

  constructor(
    inner: Resolver,
    private readonly onProgress?: (progress: { queries: number; pending: number }) => void,
  ) {
    const raw = hasRawQuery(inner) ? inner : undefined;
    const typed: Resolver = {
      txt: (name) =>
        raw
          ? this.ask(`TXT ${lowerCaseName(name)}`, () => raw.query(name, 'TXT')).then((outcome) => txtAnswer(outcome))
          : this.ask(`TXT ${lowerCaseName(name)}`, () => inner.txt(name)),
      a: (name) => this.ask(`A ${lowerCaseName(name)}`, () => inner.a(name)),
      aaaa: (name) => this.ask(`AAAA ${lowerCaseName(name)}`, () => inner.aaaa(name)),
      mx: (name) => this.ask(`MX ${lowerCaseName(name)}`, () => inner.mx(name)),
      ptr: (ip) => this.ask(`PTR ${ip.toLowerCase()}`, () => inner.ptr(ip)),
    };
    if (raw) {
      const query = (name: string, type: QueryType): Promise<QueryOutcome> =>
        type === 'TXT'
          ? this.ask(`TXT ${lowerCaseName(name)}`, () => raw.query(name, 'TXT'))
          : this.ask(`RAW ${type} ${lowerCaseName(name)}`, () => raw.query(name, type));
      this.resolver = Object.assign(typed, { query }) as RawQueryResolver;
    } else {
      this.resolver = typed;
    }
  }

  /**
   * Runs `work` as its own branch, starting at the depth of the branch that starts it; when the work is done, the
   * branch that waits for it is as deep as the work went.
   */
  fork<T>(work: () => Promise<T>): Promise<T> {
    const parent = this.branches.getStore();
    const branch: Branch = { depth: parent?.depth ?? 0 };
    return this.branches.run(branch, work).then((value) => {
      if (parent) parent.depth = Math.max(parent.depth, branch.depth);
      return value;
    });
  }

  private ask<T extends DnsAnswer<unknown> | QueryOutcome>(memoKey: string, run: () => Promise<T>): Promise<T> {
    const branch = this.branches.getStore();
    let entry = this.memo.get(memoKey);
    if (!entry) {
      const depth = (branch?.depth ?? 0) + 1;
      this.queries++;
      this.pending++;
      this.maxDepth = Math.max(this.maxDepth, depth);
      this.onProgress?.({ queries: this.queries, pending: this.pending });
      const promise = run().then((answer) => {
        this.pending--;
        if (!answer.ok && isTemporaryDnsFailure(answer.kind)) this.temporaryFailures++;
        else this.answered++;
        this.onProgress?.({ queries: this.queries, pending: this.pending });
        return answer;
      });
      entry = { promise, depth };
      if (this.memo.size < MAX_MEMO_ENTRIES) this.memo.set(memoKey, entry);
    }
    const { promise, depth } = entry;
    return (promise as Promise<T>).then((answer) => {
      if (branch) branch.depth = Math.max(branch.depth, depth);
      return answer;
    });
  }
}

/** The typed TXT answer of a raw outcome, as DnsClient.txt() gives it (strings of one record joined). */
function txtAnswer(outcome: QueryOutcome): DnsAnswer<string> {
  if (!outcome.ok) return { ok: false, kind: outcome.kind };
  const records: string[] = [];
  for (const data of outcome.records) if (data.type === 'TXT') records.push(joinStrings(data.strings));
  return records.length > 0 ? { ok: true, records, ttl: outcome.ttl } : { ok: false, kind: 'nodata' };
}
