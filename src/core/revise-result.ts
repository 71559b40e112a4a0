/**
 * Copies of results with some fields changed. Checks pass their results forward and never mutate them (DMARC adds
 * a DKIM result's alignment to a new object, the DKIM verifier adds an error or `testing` to a new object), so every
 * such change is a copy; this is the one place that makes it.
 *
 * Not `{ ...base, ...changes }`: on Node 20 an object that starts as a spread and then gets properties the spread
 * did not have costs about a microsecond per added property (docs/performance.md), more than the check the change
 * decorates; `Object.assign` onto a fresh object does not.
 */

/** Fields of a result to change; a field left out, or given as `undefined`, stays as it is. */
export type ResultChanges<T> = { [K in keyof T]?: T[K] | undefined };

/**
 * A copy of `base` with `changes` applied. Fields keep the order of `base` (JSON output keeps its field order); a
 * field that `changes` adds goes after them, in the order of `changes`. Neither argument is changed.
 */
export function reviseResult<T extends object>(base: T, changes: ResultChanges<T>): T {
  const out = Object.assign({}, base) as Record<string, unknown>;
  const changed = changes as Record<string, unknown>;
  for (const key in changed) {
    const value = changed[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}
