/**
 * An in-memory `Store` for the dashboard tests, holding what the pages read: messages, test addresses, sessions,
 * rate-limit events and outbox rows. It keeps the interface's orderings (newest first, `before=` paging) so the
 * pages are tested against the contract; the SQLite and PostgreSQL stores have their own suites. The delivery
 * worker's methods (claims and leases) are not used by any page and throw.
 */
import type {
  AttemptOutcome,
  DeliveryAttempt,
  MessageQuery,
  MessageSummary,
  NewMessage,
  NewSubmission,
  OutboxQuery,
  RateLimitResult,
  RecipientView,
  RetentionResult,
  Store,
  StoredMessage,
  SubmissionView,
} from '../../src/store/types.js';

export class MemoryStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly messages: StoredMessage[] = [];
  readonly testAddresses = new Map<string, number>();
  readonly sessions = new Map<string, number>();
  readonly events = new Map<string, number[]>();
  readonly submissions: SubmissionView[] = [];

  async saveMessage(message: NewMessage): Promise<void> {
    this.messages.push({
      ...message,
      verdict: message.evaluation.verdict,
      reasons: message.evaluation.reasons.map((r) => r.id),
    });
  }
  async getMessage(id: string): Promise<StoredMessage | undefined> {
    return this.messages.find((m) => m.id === id);
  }
  private newestFirst(): StoredMessage[] {
    return [...this.messages].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }
  async listTestMessages(localPart: string, limit = 100): Promise<StoredMessage[]> {
    return this.newestFirst()
      .filter((m) => m.localPart === localPart.toLowerCase())
      .slice(0, limit);
  }
  async listMessages(query: MessageQuery): Promise<MessageSummary[]> {
    return this.newestFirst()
      .filter((m) => m.source !== 'http' && m.localPart === undefined)
      .filter((m) => query.verdict === undefined || m.verdict === query.verdict)
      .filter((m) => query.source === undefined || m.source === query.source)
      .filter((m) => query.before === undefined || m.id < query.before)
      .slice(0, Math.min(query.limit ?? 100, 1000))
      .map((m) => ({
        id: m.id,
        receivedAt: m.receivedAt,
        source: m.source,
        envelope: m.envelope,
        verdict: m.verdict,
        reasons: m.reasons,
        ...(m.action !== undefined ? { action: m.action } : {}),
        ...(m.from !== undefined ? { from: m.from } : {}),
        ...(m.subject !== undefined ? { subject: m.subject } : {}),
      }));
  }
  async createTestAddress(localPart: string, createdAt: number): Promise<void> {
    this.testAddresses.set(localPart, createdAt);
  }
  async enqueueSubmission(submission: NewSubmission): Promise<boolean> {
    this.submissions.push({
      id: submission.id,
      createdAt: submission.createdAt,
      origin: submission.origin,
      messageId: submission.messageId,
      recipients: submission.recipients.map((r, i) => ({
        id: `${submission.id}-${i}`,
        address: r.address,
        role: r.role,
        status: 'queued',
        attempts: [],
      })),
    });
    return true;
  }
  /** Records an attempt on a recipient row (no leases here: the pages only show the outcome). */
  async recordAttempt(id: string, _worker: string, attempt: DeliveryAttempt, outcome: AttemptOutcome) {
    const row = this.submissions.flatMap((s) => s.recipients).find((r) => r.id === id) as RecipientView | undefined;
    if (row === undefined) return false;
    row.attempts.push(attempt);
    row.status = outcome.status;
    if (outcome.status === 'deferred') row.nextAttemptAt = outcome.nextAttemptAt;
    else delete row.nextAttemptAt;
    return true;
  }
  async getSubmission(id: string): Promise<SubmissionView | undefined> {
    return this.submissions.find((s) => s.id === id);
  }
  async listOutbox(query: OutboxQuery): Promise<SubmissionView[]> {
    return [...this.submissions]
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .filter((s) => query.before === undefined || s.id < query.before)
      .slice(0, query.limit ?? 100);
  }
  async outboxDepth(): Promise<Record<'queued' | 'deferred', number>> {
    const rows = this.submissions.flatMap((s) => s.recipients);
    return {
      queued: rows.filter((r) => r.status === 'queued').length,
      deferred: rows.filter((r) => r.status === 'deferred').length,
    };
  }
  async hitRateLimit(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult> {
    const events = (this.events.get(key) ?? []).filter((t) => t > now - windowMs);
    events.push(now);
    this.events.set(key, events);
    return { allowed: events.length <= limit, count: events.length, resetAt: (events[0] ?? now) + windowMs };
  }
  async useOnce(): Promise<boolean> {
    throw new Error('useOnce: not used by the pages');
  }
  async createSession(id: string, expiresAt: number): Promise<void> {
    this.sessions.set(id, expiresAt);
  }
  async sessionValid(id: string, now: number): Promise<boolean> {
    const expires = this.sessions.get(id);
    return expires !== undefined && expires > now;
  }
  async deleteSession(id: string): Promise<void> {
    this.sessions.delete(id);
  }
  async claimDeliveries(): Promise<never> {
    throw new Error('claimDeliveries: not used by the pages');
  }
  async renewLease(): Promise<boolean> {
    throw new Error('renewLease: not used by the pages');
  }
  async releaseLeases(): Promise<number> {
    return 0;
  }
  async deleteOlderThan(): Promise<RetentionResult> {
    return { messages: 0, submissions: 0 };
  }
  async ping(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}
