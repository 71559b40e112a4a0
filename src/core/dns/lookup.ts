/**
 * A lookup that finishes at once when its answer is known: `Resolver.known` first, the resolver's method
 * otherwise. Checks built on it give their result synchronously when every answer they need is known, which is
 * how an evaluation runs from a warm cache (no promise per question; see docs/performance.md).
 */
import type { MaybeAsync } from '../maybe-async.js';
import type { AnswerRecord, DnsAnswer, RecordKind, Resolver } from './types.js';

/** The answer of `resolver[kind](name)`: itself when known without waiting, else a promise of it. */
export function lookup<K extends RecordKind>(
  resolver: Resolver,
  kind: K,
  name: string,
): MaybeAsync<DnsAnswer<AnswerRecord[K]>> {
  const known = resolver.known?.(kind, name);
  if (known !== undefined) return known;
  const pending = resolver[kind](name) as PromiseLike<DnsAnswer<AnswerRecord[K]>>;
  // A resolver may return any thenable: make it a promise, so callers can tell a pending answer from a known one.
  return pending instanceof Promise ? pending : Promise.resolve(pending);
}
