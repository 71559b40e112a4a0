/**
 * The outbox worker: claims due rows with a lease, delivers each one, and records every attempt with the row's next
 * state. Several workers (in one process or in several instances sharing one database) may run at once: a row is
 * claimed by one worker at a time, its lease is renewed while the attempt runs (so a slow MX never lets a second
 * worker take it), and a worker that dies simply lets its leases expire, after which the rows come back.
 *
 * Delivery is at-least-once: a crash after the remote server's 250 and before the attempt is recorded sends that
 * recipient one more copy of the same bytes (same Message-ID) after the lease expires.
 *
 * A delivery that fails for good (5xx, null MX, NXDOMAIN, or the retry lifetime over) queues a failure notice to
 * `relay.bounceTo` (RFC 3464, `failure-notice.ts`) before the row is marked failed; the notice's idempotency key is
 * the row's id, so a crash between the two never queues it twice.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ClaimedDelivery, AttemptOutcome, Store } from '../store/types.js';
import { newId } from '../store/ids.js';
import type { SenderIdentity } from './compose.js';
import { attemptDelivery, type DeliverySettings } from './delivery.js';
import { composeFailureNotice } from './failure-notice.js';
import { nextAttempt, type RetrySchedule } from './retry-schedule.js';

export interface WorkerOptions {
  store: Store;
  delivery: DeliverySettings;
  schedule: RetrySchedule;
  identity: SenderIdentity;
  /** `relay.bounceTo`; no failure notices when unset. */
  bounceTo?: string;
  leaseMs: number;
  /** Deliveries in flight at most. */
  concurrency: number;
  logger: Logger;
  now: () => number;
  /** How long to wait between polls when the queue is empty (default 1 s). */
  pollMs?: number;
  /** Called after each attempt is recorded (metrics). */
  onAttempt?: (result: 'delivered' | 'deferred' | 'failed') => void;
  random?: () => number;
}

/** A unique id for this worker's leases. */
export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class OutboxWorker {
  readonly id = workerId();
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: WorkerOptions) {}

  /** Starts claiming and delivering. */
  start(): void {
    if (this.running || this.options.concurrency <= 0) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends a pause between polls at once (new rows were queued). */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops claiming, waits up to `graceMs` for the attempts in flight, then returns every row this worker still holds
   * to the queue (an attempt cut short is not recorded; the row is tried again). Kept SMTP sessions are ended.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    this.options.delivery.connections?.close();
    await this.options.store.releaseLeases(this.id);
  }

  private async run(): Promise<void> {
    const { store, concurrency, leaseMs, logger } = this.options;
    while (this.running) {
      const free = concurrency - this.inFlight.size;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0) {
        try {
          claimed = await store.claimDeliveries(this.id, this.options.now(), leaseMs, Math.min(free, 32));
        } catch (error) {
          logger.error({ err: error }, 'relay: claiming outbox rows failed; trying again');
        }
      }
      for (const row of claimed) {
        const job = this.process(row).catch((error: unknown) =>
          logger.error({ err: error, row: row.id }, 'relay: delivery attempt failed unexpectedly'),
        );
        this.inFlight.add(job);
        void job.finally(() => {
          this.inFlight.delete(job);
          this.wake();
        });
      }
      if (!this.running) break;
      if (claimed.length === 0 || this.inFlight.size >= concurrency) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs ?? 1_000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  /** One attempt of one claimed row, its lease renewed while it runs. */
  private async process(row: ClaimedDelivery): Promise<void> {
    const { store, leaseMs, logger, now } = this.options;
    // The renewal in flight, if any: awaited before the attempt is recorded, so a renewal that reaches the database
    // after the record (which clears the lease) is not mistaken for a lease lost to another worker.
    let renewing: Promise<void> = Promise.resolve();
    const renewal = setInterval(
      () => {
        renewing = store.renewLease(row.id, this.id, now() + leaseMs).then(
          (held) => {
            if (!held) logger.warn({ row: row.id }, 'relay: lease lost while delivering');
          },
          (error: unknown) => logger.warn({ err: error, row: row.id }, 'relay: lease renewal failed'),
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    try {
      const report = await attemptDelivery(
        { mailFrom: row.mailFrom, recipient: row.address, raw: row.raw },
        this.options.delivery,
      );
      clearInterval(renewal);
      await renewing;
      const at = now();
      let outcome: AttemptOutcome;
      let expired = false;
      switch (report.result) {
        case 'delivered':
          outcome = { status: 'delivered' };
          break;
        case 'permanent':
          outcome = { status: 'failed' };
          break;
        case 'temporary': {
          const decision = nextAttempt(this.options.schedule, row.createdAt, at, row.attempts + 1, this.options.random);
          if (decision.kind === 'retry') outcome = { status: 'deferred', nextAttemptAt: decision.at };
          else {
            outcome = { status: 'failed' };
            expired = true;
          }
          break;
        }
        default: {
          const unreachable: never = report.result;
          throw new Error(`unknown result ${String(unreachable)}`);
        }
      }
      if (outcome.status === 'failed') await this.queueFailureNotice(row, report.attempt, at, expired);
      const held = await store.recordAttempt(row.id, this.id, { at, ...report.attempt }, outcome);
      logger.info(
        {
          row: row.id,
          submission: row.submissionId,
          recipient: row.address,
          role: row.role,
          status: outcome.status,
          mx: report.attempt.mx,
          reply: report.attempt.reply,
          ...(held ? {} : { leaseLost: true }),
        },
        'relay: delivery attempt',
      );
      this.options.onAttempt?.(outcome.status);
    } finally {
      clearInterval(renewal);
    }
  }

  /** Queues the RFC 3464 notice of a failed delivery to `bounceTo` (never for a notice itself). */
  private async queueFailureNotice(
    row: ClaimedDelivery,
    attempt: { mx?: string; reply: string },
    at: number,
    expired: boolean,
  ): Promise<void> {
    const { bounceTo, identity, store, logger } = this.options;
    if (bounceTo === undefined || row.role === 'bounce' || row.mailFrom === '') return;
    const id = newId(at);
    const notice = composeFailureNotice(
      {
        id,
        now: at,
        bounceTo,
        recipient: row.address,
        arrivedAt: row.createdAt,
        ...(attempt.mx === undefined ? {} : { remoteMta: attempt.mx }),
        reply: attempt.reply,
        expired,
        original: row.raw,
      },
      identity,
    );
    if (!notice.ok) {
      logger.error({ row: row.id, error: notice.error }, 'relay: the failure notice could not be signed');
      return;
    }
    await store.enqueueSubmission({
      id,
      createdAt: at,
      origin: 'bounce',
      messageId: notice.messageId,
      mailFrom: '',
      raw: notice.raw,
      idempotencyKey: `failure-notice:${row.id}`,
      recipients: [{ address: bounceTo, role: 'bounce' }],
    });
  }
}
