/**
 * An in-memory implementation of the Store's outbox, rate-limit and one-time-token methods, for the relay's unit
 * and delivery tests that do not test durability. It keeps the contract's semantics (claims with leases, one worker
 * per row, attempts recorded with the next state, idempotency keys, sliding windows). The durability tests
 * (SIGKILL, restart) use the real SQLite store instead. Methods the relay never calls throw.
 */
import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryStatus,
  NewSubmission,
  OutboxQuery,
  RateLimitResult,
  RecipientView,
  Store,
  SubmissionView,
} from '../../../src/store/types.js';

interface Row {
  id: string;
  submissionId: string;
  address: string;
  role: RecipientView['role'];
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: number;
  leaseOwner?: string;
  leaseUntil?: number;
}

const unsupported = (name: string) => () => Promise.reject(new Error(`memory store: ${name} is not implemented`));

export class MemoryStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly submissions = new Map<string, NewSubmission>();
  readonly rows: Row[] = [];
  private readonly keys = new Set<string>();
  private readonly events = new Map<string, number[]>();
  private readonly tokens = new Map<string, number>();
  private counter = 0;
  /** When set, every write fails (the database is down). */
  failing = false;

  saveMessage = unsupported('saveMessage');
  getMessage = unsupported('getMessage');
  listTestMessages = unsupported('listTestMessages');
  listMessages = unsupported('listMessages');
  createTestAddress = unsupported('createTestAddress');
  createSession = unsupported('createSession');
  sessionValid = unsupported('sessionValid');
  deleteSession = unsupported('deleteSession');
  deleteOlderThan = unsupported('deleteOlderThan');
  findIdempotentSubmission = unsupported('findIdempotentSubmission');

  async enqueueSubmission(submission: NewSubmission): Promise<boolean> {
    if (this.failing) throw new Error('database unavailable');
    if (submission.idempotencyKey !== undefined) {
      if (this.keys.has(submission.idempotencyKey)) return false;
      this.keys.add(submission.idempotencyKey);
    }
    this.submissions.set(submission.id, submission);
    for (const r of submission.recipients)
      this.rows.push({
        id: `${submission.id}-${++this.counter}`,
        submissionId: submission.id,
        address: r.address,
        role: r.role,
        status: 'queued',
        attempts: [],
        nextAttemptAt: submission.createdAt,
      });
    return true;
  }

  async claimDeliveries(worker: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const out: ClaimedDelivery[] = [];
    for (const row of this.rows) {
      if (out.length >= limit) break;
      if (row.status === 'delivered' || row.status === 'failed') continue;
      const leased = row.leaseOwner !== undefined && (row.leaseUntil ?? 0) > now;
      if (leased || row.nextAttemptAt > now) continue;
      row.leaseOwner = worker;
      row.leaseUntil = now + leaseMs;
      const s = this.submissions.get(row.submissionId) as NewSubmission;
      out.push({
        id: row.id,
        submissionId: s.id,
        messageId: s.messageId,
        mailFrom: s.mailFrom,
        address: row.address,
        role: row.role,
        raw: s.raw,
        createdAt: s.createdAt,
        attempts: row.attempts.length,
        leaseUntil: row.leaseUntil,
      });
    }
    return out;
  }

  async renewLease(id: string, worker: string, leaseUntil: number): Promise<boolean> {
    const row = this.rows.find((r) => r.id === id);
    if (!row || row.leaseOwner !== worker) return false;
    row.leaseUntil = leaseUntil;
    return true;
  }

  async recordAttempt(id: string, worker: string, attempt: DeliveryAttempt, outcome: AttemptOutcome): Promise<boolean> {
    const row = this.rows.find((r) => r.id === id);
    if (!row) return false;
    row.attempts.push(attempt);
    const held = row.leaseOwner === worker;
    row.status = outcome.status;
    if (outcome.status === 'deferred') row.nextAttemptAt = outcome.nextAttemptAt;
    delete row.leaseOwner;
    delete row.leaseUntil;
    return held;
  }

  async releaseLeases(worker: string): Promise<number> {
    let n = 0;
    for (const row of this.rows)
      if (row.leaseOwner === worker) {
        delete row.leaseOwner;
        delete row.leaseUntil;
        n++;
      }
    return n;
  }

  async getSubmission(id: string): Promise<SubmissionView | undefined> {
    const s = this.submissions.get(id);
    if (!s) return undefined;
    return {
      id: s.id,
      createdAt: s.createdAt,
      origin: s.origin,
      messageId: s.messageId,
      recipients: this.rows
        .filter((r) => r.submissionId === id)
        .map((r) => ({
          id: r.id,
          address: r.address,
          role: r.role,
          status: r.status,
          attempts: [...r.attempts],
          ...(r.status === 'deferred' || r.status === 'queued' ? { nextAttemptAt: r.nextAttemptAt } : {}),
        })),
    };
  }

  async listOutbox(_query: OutboxQuery): Promise<SubmissionView[]> {
    const views = await Promise.all([...this.submissions.keys()].map((id) => this.getSubmission(id)));
    return views.filter((v): v is SubmissionView => v !== undefined);
  }

  async outboxDepth(): Promise<Record<'queued' | 'deferred', number>> {
    return {
      queued: this.rows.filter((r) => r.status === 'queued').length,
      deferred: this.rows.filter((r) => r.status === 'deferred').length,
    };
  }

  async hitRateLimit(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult> {
    if (this.failing) throw new Error('database unavailable');
    const list = (this.events.get(key) ?? []).filter((t) => t > now - windowMs);
    list.push(now);
    this.events.set(key, list);
    return { allowed: list.length <= limit, count: list.length, resetAt: (list[0] as number) + windowMs };
  }

  async useOnce(token: string, expiresAt: number, now: number): Promise<boolean> {
    const seen = this.tokens.get(token);
    if (seen !== undefined && seen > now) return false;
    this.tokens.set(token, expiresAt);
    return true;
  }

  async ping(): Promise<boolean> {
    return !this.failing;
  }

  async close(): Promise<void> {}
}
