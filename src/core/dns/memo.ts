/**
 * One evaluation's view of a resolver: each distinct question is asked once, however many checks ask it
 * (DESIGN §8: "none twice"). Bounded: past {@link MAX_MEMO_ENTRIES} distinct questions, answers are not kept.
 */
import type { DnsAnswer, MxRecord, Resolver } from './types.js';

export const MAX_MEMO_ENTRIES = 2000;

export function memoizeResolver(resolver: Resolver): Resolver {
  const memo = new Map<string, Promise<DnsAnswer<unknown>>>();
  /** TXT answers known without waiting (asked through `knownTxt`), by the memo's key. */
  const knownTxts = new Map<string, DnsAnswer<string>>();
  function ask<T>(key: string, run: () => Promise<DnsAnswer<T>>): Promise<DnsAnswer<T>> {
    const known = memo.get(key);
    if (known) return known as Promise<DnsAnswer<T>>;
    const pending = run();
    if (memo.size < MAX_MEMO_ENTRIES) memo.set(key, pending);
    return pending;
  }
  const key = (type: string, name: string) => {
    const lower = name.toLowerCase();
    return `${type} ${lower.endsWith('.') ? lower.slice(0, -1) : lower}`;
  };
  return {
    txt: (name) => ask<string>(key('TXT', name), () => resolver.txt(name)),
    a: (name) => ask<string>(key('A', name), () => resolver.a(name)),
    aaaa: (name) => ask<string>(key('AAAA', name), () => resolver.aaaa(name)),
    mx: (name) => ask<MxRecord>(key('MX', name), () => resolver.mx(name)),
    ptr: (ip) => ask<string>(key('PTR', ip), () => resolver.ptr(ip)),
    knownTxt: (name) => {
      const k = key('TXT', name);
      const known = knownTxts.get(k);
      // Asked before by txt() and still on its way, or not knowable at once: the caller waits on txt().
      if (known !== undefined || memo.has(k) || memo.size >= MAX_MEMO_ENTRIES || resolver.knownTxt === undefined)
        return known;
      const answer = resolver.knownTxt(name);
      if (answer !== undefined) {
        knownTxts.set(k, answer);
        memo.set(k, Promise.resolve(answer));
      }
      return answer;
    },
  };
}
