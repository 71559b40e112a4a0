/**
 * The retry schedule of the outbox: when a deferred delivery is tried again, and when it is given up.
 *
 * RFC 5321 §4.5.4.1: mail that cannot be delivered yet "MUST be queued and periodically retried", the give-up time
 * "needs to be at least 4-5 days", and both "MUST be configurable". The shape is Postfix's: the delay doubles after
 * each failed attempt from `minimalBackoff` up to `maximalBackoff` (defaults 5 min and 66 min, so 5, 10, 20, 40,
 * 66, 66… minutes), until the message is `lifetime` old (default 5 days). A small jitter (±10 %) keeps many rows
 * deferred at once from coming back in one burst.
 */

/** The schedule's three numbers, in milliseconds (`[relay.retry]`). */
export interface RetrySchedule {
  minimalBackoffMs: number;
  maximalBackoffMs: number;
  lifetimeMs: number;
}

/** What to do after a failed attempt that may be retried. */
export type RetryDecision =
  | { kind: 'retry'; at: number }
  /** The message is `lifetime` old: the failure becomes permanent (RFC 3464 action=failed). */
  | { kind: 'expired' };

/** The delay before the next attempt after `failures` failed attempts (1 = the first one failed), no jitter. */
export function backoffDelay(schedule: RetrySchedule, failures: number): number {
  const exponent = Math.max(0, failures - 1);
  // 2^31 already exceeds any sane maximal backoff; capping the exponent keeps the product finite.
  const delay = schedule.minimalBackoffMs * 2 ** Math.min(exponent, 31);
  return Math.min(delay, Math.max(schedule.maximalBackoffMs, schedule.minimalBackoffMs));
}

/**
 * The next attempt after a temporary failure at `now` of a message queued at `createdAt`, `failures` attempts having
 * failed so far (this one included). The last retry is placed at the end of the lifetime, so a message is never
 * given up earlier than `lifetime` after it was queued. `random` returns [0, 1) and drives the jitter.
 */
export function nextAttempt(
  schedule: RetrySchedule,
  createdAt: number,
  now: number,
  failures: number,
  random: () => number = Math.random,
): RetryDecision {
  const deadline = createdAt + schedule.lifetimeMs;
  if (now >= deadline) return { kind: 'expired' };
  const jitter = 0.9 + 0.2 * random();
  const at = now + Math.round(backoffDelay(schedule, failures) * jitter);
  return { kind: 'retry', at: Math.min(at, deadline) };
}
