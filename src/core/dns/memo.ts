/**
 * One evaluation's view of a resolver: each distinct question is asked once, however many checks ask it
 * (docs/dns.md: "none twice"). Bounded: past {@link MAX_MEMO_ENTRIES} distinct questions, answers are not kept.
 *
 * Answers known without waiting (`Resolver.known`: zone data, a live cache entry) and answers that have arrived
 * are kept as they are, so a check asking again gets them at once through `known`, with no promise.
 */
import type { AnswerRecord, DnsAnswer, RecordKind, Resolver } from './types.js';
import { lowerCaseName } from './names.js';

export const MAX_MEMO_ENTRIES = 2000;

type Entry = DnsAnswer<unknown> | Promise<DnsAnswer<unknown>>;

export function memoizeResolver(resolver: Resolver): Resolver {
  // One map per record type (made when first asked), keyed by the name: no key string is built per question.
  const memos: Partial<Record<RecordKind, Map<string, Entry>>> = {};
  let size = 0;

  function remember(memo: Map<string, Entry>, key: string, entry: Entry): void {
    if (size >= MAX_MEMO_ENTRIES) return;
    memo.set(key, entry);
    size++;
  }

  /** The answer, at once when it is known (or has arrived), else the pending lookup (asked once). */
  function ask<K extends RecordKind>(kind: K, name: string): Entry {
    const key = lowerCaseName(name);
    let memo = memos[kind];
    if (memo === undefined) {
      memo = new Map();
      memos[kind] = memo;
    }
    const entry = memo.get(key);
    if (entry !== undefined) return entry;
    const known = resolver.known?.(kind, name);
    if (known !== undefined) {
      remember(memo, key, known);
      return known;
    }
    const pending = resolver[kind](name) as Promise<DnsAnswer<unknown>>;
    if (size < MAX_MEMO_ENTRIES) {
      remember(memo, key, pending);
      const kept: Map<string, Entry> = memo;
      // Once it has arrived, later askers get the answer itself.
      pending.then(
        (answer) => {
          if (kept.get(key) === pending) kept.set(key, answer);
        },
        () => undefined,
      );
    }
    return pending;
  }

  function asPromise<K extends RecordKind>(kind: K, name: string): Promise<DnsAnswer<AnswerRecord[K]>> {
    const entry = ask(kind, name);
    return (entry instanceof Promise ? entry : Promise.resolve(entry)) as Promise<DnsAnswer<AnswerRecord[K]>>;
  }

  return {
    txt: (name) => asPromise('txt', name),
    a: (name) => asPromise('a', name),
    aaaa: (name) => asPromise('aaaa', name),
    mx: (name) => asPromise('mx', name),
    ptr: (ip) => asPromise('ptr', ip),
    known<K extends RecordKind>(kind: K, name: string): DnsAnswer<AnswerRecord[K]> | undefined {
      const entry = ask(kind, name);
      return entry instanceof Promise ? undefined : (entry as DnsAnswer<AnswerRecord[K]>);
    },
  };
}
