/**
 * A `Store` held in memory, for the suites of the faces (SMTP, HTTP) that test the session and the routes rather
 * than the database. It keeps the store's contract where those suites rely on it — `saveMessage` resolves only
 * once the message is held, lists are newest first — and can be switched to fail like an unreachable database
 * (`failing = true`: every call rejects; `ping` resolves false, or hangs with `hangPing`).
 * The SQLite and PostgreSQL stores have their own suite in test/store/.
 */
import type {
  MessageQuery,
  MessageSummary,
  NewMessage,
  RetentionResult,
  Store,
  StoredMessage,
} from '../../src/store/types.js';

export class MemoryStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly messages: StoredMessage[] = [];
  readonly testAddresses = new Map<string, number>();
  failing = false;
  hangPing = false;
  /** Delay of each saveMessage, ms (to hold a session in DATA). */
  saveDelayMs = 0;
  closed = false;

  private check(): void {
    if (this.failing) throw new Error('database unreachable (memory store set to fail)');
  }

  async saveMessage(message: NewMessage): Promise<void> {
    this.check();
    if (this.saveDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.saveDelayMs));
    this.check();
    this.messages.push({
      ...message,
      verdict: message.evaluation.verdict,
      reasons: message.evaluation.reasons.map((r) => r.id),
    });
  }

  async getMessage(id: string): Promise<StoredMessage | undefined> {
    this.check();
    return this.messages.find((m) => m.id === id);
  }

  async listTestMessages(localPart: string, limit = 100): Promise<StoredMessage[]> {
    this.check();
    return this.messages
      .filter((m) => m.localPart === localPart)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, limit);
  }

  async listMessages(query: MessageQuery): Promise<MessageSummary[]> {
    this.check();
    const limit = Math.min(query.limit ?? 100, 1000);
    return this.messages
      .filter((m) => query.verdict === undefined || m.verdict === query.verdict)
      .filter((m) => query.source === undefined || m.source === query.source)
      .filter((m) => query.before === undefined || m.id < query.before)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, limit)
      .map((m) => {
        const summary: MessageSummary = {
          id: m.id,
          receivedAt: m.receivedAt,
          source: m.source,
          envelope: m.envelope,
          verdict: m.verdict,
          reasons: m.reasons,
        };
        if (m.localPart !== undefined) summary.localPart = m.localPart;
        if (m.action !== undefined) summary.action = m.action;
        if (m.from !== undefined) summary.from = m.from;
        if (m.subject !== undefined) summary.subject = m.subject;
        return summary;
      });
  }

  async createTestAddress(localPart: string, createdAt: number): Promise<void> {
    this.check();
    this.testAddresses.set(localPart, createdAt);
  }

  async deleteOlderThan(cutoff: number): Promise<RetentionResult> {
    this.check();
    const before = this.messages.length;
    const keep = this.messages.filter((m) => m.receivedAt >= cutoff);
    this.messages.splice(0, this.messages.length, ...keep);
    return { messages: before - keep.length, submissions: 0 };
  }

  async ping(): Promise<boolean> {
    if (this.hangPing) return new Promise<boolean>(() => undefined);
    return !this.failing;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // The outbox and shared-state methods are not used by the SMTP face or the check/test/history routes.
  private unused(name: string): never {
    throw new Error(`MemoryStore.${name}: not kept in memory (the relay suites use the real stores)`);
  }
  enqueueSubmission(): Promise<boolean> {
    return this.unused('enqueueSubmission');
  }
  findIdempotentSubmission(): Promise<undefined> {
    return this.unused('findIdempotentSubmission');
  }
  claimDeliveries(): Promise<never[]> {
    return this.unused('claimDeliveries');
  }
  renewLease(): Promise<boolean> {
    return this.unused('renewLease');
  }
  recordAttempt(): Promise<boolean> {
    return this.unused('recordAttempt');
  }
  releaseLeases(): Promise<number> {
    return this.unused('releaseLeases');
  }
  getSubmission(): Promise<undefined> {
    return this.unused('getSubmission');
  }
  listOutbox(): Promise<never[]> {
    return this.unused('listOutbox');
  }
  async outboxDepth(): Promise<Record<'queued' | 'deferred', number>> {
    return { queued: 0, deferred: 0 };
  }
  hitRateLimit(): Promise<never> {
    return this.unused('hitRateLimit');
  }
  useOnce(): Promise<boolean> {
    return this.unused('useOnce');
  }
  createSession(): Promise<void> {
    return this.unused('createSession');
  }
  sessionValid(): Promise<boolean> {
    return this.unused('sessionValid');
  }
  deleteSession(): Promise<void> {
    return this.unused('deleteSession');
  }
}
