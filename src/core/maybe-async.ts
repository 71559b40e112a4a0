/**
 * Values that are ready now or later. A check whose DNS answers are all known (zone data, a live cache entry, an
 * answer the evaluation already has) finishes synchronously: no promise is made and no microtask waited for,
 * which is most of the cost of a check run from a warm cache (docs/performance.md). Only native promises count as
 * "later": values of this type come from `lookup()` (dns/lookup.ts) and from the checks built on it.
 */
export type MaybeAsync<T> = T | Promise<T>;

/**
 * `next(value)`: at once when `value` is ready, else when it settles. (Not named `then`: a module namespace that
 * exports `then` is a thenable, and `await import()` of it would call it.)
 */
export function andThen<T, R>(value: MaybeAsync<T>, next: (value: T) => MaybeAsync<R>): MaybeAsync<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Every value: an array at once when all are ready, else a promise of it. */
export function all<T>(values: readonly MaybeAsync<T>[]): MaybeAsync<T[]> {
  for (const value of values) if (value instanceof Promise) return Promise.all(values);
  return values as T[];
}
