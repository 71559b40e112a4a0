/**
 * One evaluation's view of a resolver: each distinct question is asked once, however many checks ask it
 * (DESIGN §8: "none twice"). Bounded: past {@link MAX_MEMO_ENTRIES} distinct questions, answers are not kept.
 */
import type { DnsAnswer, MxRecord, Resolver } from './types.js';

export const MAX_MEMO_ENTRIES = 2000;

/** The name a question is remembered by: lower case, without a trailing dot (the input itself when it is so). */
function questionName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export function memoizeResolver(resolver: Resolver): Resolver {
  // One map per record type, keyed by the name: no key string is built per question.
  const txt = new Map<string, Promise<DnsAnswer<string>>>();
  const a = new Map<string, Promise<DnsAnswer<string>>>();
  const aaaa = new Map<string, Promise<DnsAnswer<string>>>();
  const mx = new Map<string, Promise<DnsAnswer<MxRecord>>>();
  const ptr = new Map<string, Promise<DnsAnswer<string>>>();
  let size = 0;
  /** TXT answers known without waiting (asked through `knownTxt`), by question name. */
  const knownTxts = new Map<string, DnsAnswer<string>>();
  function ask<T>(
    memo: Map<string, Promise<DnsAnswer<T>>>,
    name: string,
    run: () => Promise<DnsAnswer<T>>,
  ): Promise<DnsAnswer<T>> {
    const key = questionName(name);
    const known = memo.get(key);
    if (known) return known;
    const pending = run();
    if (size < MAX_MEMO_ENTRIES) {
      memo.set(key, pending);
      size++;
    }
    return pending;
  }
  return {
    txt: (name) => ask(txt, name, () => resolver.txt(name)),
    a: (name) => ask(a, name, () => resolver.a(name)),
    aaaa: (name) => ask(aaaa, name, () => resolver.aaaa(name)),
    mx: (name) => ask(mx, name, () => resolver.mx(name)),
    ptr: (ip) => ask(ptr, ip, () => resolver.ptr(ip)),
    knownTxt: (name) => {
      const key = questionName(name);
      const known = knownTxts.get(key);
      // Asked before by txt() and still on its way, or not knowable at once: the caller waits on txt().
      if (known !== undefined || txt.has(key) || size >= MAX_MEMO_ENTRIES || resolver.knownTxt === undefined)
        return known;
      const answer = resolver.knownTxt(name);
      if (answer !== undefined) {
        knownTxts.set(key, answer);
        txt.set(key, Promise.resolve(answer));
        size++;
      }
      return answer;
    },
  };
}
