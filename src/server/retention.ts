/**
 * The retention job: every hour (and once at start) deletes stored messages and finished submissions older than
 * `retentionDays`, and expired tokens, sessions and rate-limit events. Several instances may run it at once; the
 * deletes are idempotent.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';

export interface RetentionJob {
  /** Runs one pass now (tests); resolves when it is done. */
  runOnce(): Promise<void>;
  stop(): void;
}

const DAY_MS = 86_400_000;

export function startRetentionJob(
  store: Store,
  retentionDays: number,
  logger: Logger,
  now: () => number,
  intervalMs = 3_600_000,
): RetentionJob {
  let running: Promise<void> | undefined;
  const runOnce = (): Promise<void> => {
    running ??= (async () => {
      const at = now();
      try {
        const deleted = await store.deleteOlderThan(at - retentionDays * DAY_MS, at);
        if (deleted.messages > 0 || deleted.submissions > 0) logger.info({ deleted }, 'retention: old rows deleted');
      } catch (error) {
        logger.warn({ err: error }, 'retention: the store did not answer; trying again at the next pass');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  void runOnce();
  return { runOnce, stop: () => clearInterval(timer) };
}
