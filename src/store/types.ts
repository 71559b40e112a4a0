/**
 * The store every face of `mailtrust serve` writes to: evaluated messages (test addresses, milter and SMTP
 * history), the relay's outbox, and the small shared state that must hold across instances (rate limits, ALTCHA
 * replay records, admin sessions). One interface; SQLite and PostgreSQL implement it over one schema.
 *
 * Every method that acknowledges something to a client resolves only after the write is committed: SMTP answers
 * 250 and the relay 202 only after `saveMessage` / `enqueueSubmission` resolve. Times are epoch milliseconds.
 */
import type { Envelope, Evaluation } from '../core/index.js';

/** Where an evaluated message came from. */
export type MessageSource = 'smtp' | 'milter' | 'http';

/** What the milter (or SMTP face) did with a message. */
export type MessageAction = 'accept' | 'tag' | 'reject' | 'tempfail' | 'quarantine';

export type Verdict = Evaluation['verdict'];

/** A message and its evaluation, as handed to the store. */
export interface NewMessage {
  /** App-generated, sortable by time (see `newId`). */
  id: string;
  receivedAt: number;
  source: MessageSource;
  /** The test address's local part (lower-case) when the message was sent to one; otherwise undefined. */
  localPart?: string;
  envelope: Envelope;
  evaluation: Evaluation;
  action?: MessageAction;
  /** The raw message, when kept (test addresses keep it for the report; the milter does not). */
  raw?: Uint8Array;
  /** Size of the raw message in bytes. */
  size: number;
  /** Display values for lists (From, Subject), as decoded text; untrusted input. */
  from?: string;
  subject?: string;
}

/** One stored message, whole. */
export interface StoredMessage extends NewMessage {
  verdict: Verdict;
  /** Reason ids of the evaluation, in its order. */
  reasons: string[];
}

/** One row of the history list (`GET /api/v1/messages`): no raw bytes, no full evaluation. */
export interface MessageSummary {
  id: string;
  receivedAt: number;
  source: MessageSource;
  localPart?: string;
  envelope: Envelope;
  verdict: Verdict;
  reasons: string[];
  action?: MessageAction;
  from?: string;
  subject?: string;
}

export interface MessageQuery {
  verdict?: Verdict;
  source?: MessageSource;
  /** Default 100, at most 1,000. */
  limit?: number;
  /** Page: only messages with an id below this one. */
  before?: string;
}

/** A relayed submission: the composed, signed message and who it goes to. */
export interface NewSubmission {
  id: string;
  createdAt: number;
  /** `form:<id>` or `api`. */
  origin: string;
  messageId: string;
  /** The envelope sender used for every delivery attempt (`relay.mailFrom`). `''` for failure notices. */
  mailFrom: string;
  /** The exact bytes every attempt sends. */
  raw: Uint8Array;
  /** Optional idempotency key: a second submission with the same key is not stored again. */
  idempotencyKey?: string;
  /** The digest of the request behind `idempotencyKey`, kept to tell a retry from another request with the key. */
  requestHash?: string;
  recipients: NewRecipient[];
}

export type RecipientRole = 'to' | 'copy' | 'bounce';

export interface NewRecipient {
  address: string;
  role: RecipientRole;
}

export type DeliveryStatus = 'queued' | 'deferred' | 'delivered' | 'failed';

/** A submission found by its idempotency key. */
export interface IdempotentSubmission {
  id: string;
  requestHash?: string;
}

/** One delivery try of one recipient (it may have tried several MX hosts; these are the last one's). */
export interface DeliveryAttempt {
  at: number;
  mx?: string;
  ip?: string;
  /** The server's reply, or a one-line description of the network or DNS error. */
  reply: string;
}

/** An outbox row claimed by a worker: everything the attempt needs. */
export interface ClaimedDelivery {
  /** The recipient row's id. */
  id: string;
  submissionId: string;
  messageId: string;
  mailFrom: string;
  address: string;
  role: RecipientRole;
  raw: Uint8Array;
  createdAt: number;
  /** Attempts made before this one. */
  attempts: number;
  leaseUntil: number;
}

/** What became of one attempt: the row's next state. */
export type AttemptOutcome =
  { status: 'delivered' } | { status: 'failed' } | { status: 'deferred'; nextAttemptAt: number };

export interface RecipientView {
  id: string;
  address: string;
  role: RecipientRole;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt?: number;
}

/** `GET /api/v1/outbox/{id}`. */
export interface SubmissionView {
  id: string;
  createdAt: number;
  origin: string;
  messageId: string;
  recipients: RecipientView[];
}

export interface OutboxQuery {
  status?: DeliveryStatus;
  limit?: number;
  before?: string;
}

/** Result of counting one event against a sliding-window limit. */
export interface RateLimitResult {
  allowed: boolean;
  /** Events in the window, this one included. */
  count: number;
  /** When the oldest event in the window leaves it (for `Retry-After`). */
  resetAt: number;
}

export interface RetentionResult {
  messages: number;
  submissions: number;
}

export interface Store {
  /** `sqlite` or `postgres`. */
  readonly dialect: 'sqlite' | 'postgres';

  /** Stores one evaluated message; resolves once committed. */
  saveMessage(message: NewMessage): Promise<void>;
  getMessage(id: string): Promise<StoredMessage | undefined>;
  /** Messages sent to one test address, newest first. */
  listTestMessages(localPart: string, limit?: number): Promise<StoredMessage[]>;
  listMessages(query: MessageQuery): Promise<MessageSummary[]>;

  /** Records a test address handed out by `POST /api/v1/tests` (any local part still receives mail). */
  createTestAddress(localPart: string, createdAt: number): Promise<void>;

  /** Stores a submission and one queued row per recipient in one transaction; resolves once committed. Returns
   * false when the idempotency key was seen before (nothing stored). */
  enqueueSubmission(submission: NewSubmission): Promise<boolean>;
  /** The submission stored with this idempotency key, with its request digest (kept as long as the submission). */
  findIdempotentSubmission(idempotencyKey: string): Promise<IdempotentSubmission | undefined>;
  /**
   * Claims up to `limit` rows due at `now` (queued or deferred with `nextAttemptAt <= now`, or any row whose lease
   * expired), setting `leaseOwner = worker` and `leaseUntil = now + leaseMs`. No row is claimed by two workers at once.
   */
  claimDeliveries(worker: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /** Extends a lease this worker holds; false when the row is no longer its own. */
  renewLease(id: string, worker: string, leaseUntil: number): Promise<boolean>;
  /** Records an attempt and the row's next state in one transaction, and releases the lease. False when the
   * row's lease is no longer this worker's (the attempt is still recorded). */
  recordAttempt(id: string, worker: string, attempt: DeliveryAttempt, outcome: AttemptOutcome): Promise<boolean>;
  /** Returns every row this worker holds to the queue (graceful stop). */
  releaseLeases(worker: string): Promise<number>;
  getSubmission(id: string): Promise<SubmissionView | undefined>;
  listOutbox(query: OutboxQuery): Promise<SubmissionView[]>;
  /** Rows not yet delivered or failed, by status. */
  outboxDepth(): Promise<Record<'queued' | 'deferred', number>>;

  /** Counts one event for `key` (e.g. `ip:203.0.113.5`, `form:contact`) in a sliding window and says whether it
   * is within `limit`. Every call counts, allowed or not. */
  hitRateLimit(key: string, limit: number, windowMs: number, now: number): Promise<RateLimitResult>;
  /** Records a one-time token (an ALTCHA solution's challenge): true the first time, false on any replay. */
  useOnce(token: string, expiresAt: number, now: number): Promise<boolean>;

  createSession(id: string, expiresAt: number): Promise<void>;
  sessionValid(id: string, now: number): Promise<boolean>;
  deleteSession(id: string): Promise<void>;

  /** Deletes messages and finished submissions received before `cutoff`, and expired tokens, sessions and
   * rate-limit events. */
  deleteOlderThan(cutoff: number, now: number): Promise<RetentionResult>;

  /** True when the database answers (for `/healthz`). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
