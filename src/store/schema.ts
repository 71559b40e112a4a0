/**
 * The tables of the store, as Kysely sees them. One schema serves SQLite and PostgreSQL: times are epoch
 * milliseconds in 64-bit integers, JSON is text, raw messages are bytes (BLOB / bytea), ids are app-generated text
 * (see `newId`). The DDL that creates these tables is in `migrations.ts`.
 */
/** One evaluated message (SMTP test address, milter, HTTP check). */
export interface MessagesTable {
  id: string;
  received_at: number;
  source: string;
  local_part: string | null;
  /** The envelope as JSON. */
  envelope: string;
  verdict: string;
  /** The evaluation's reason ids as a JSON array, in its order. */
  reasons: string;
  action: string | null;
  /** The whole evaluation as JSON. */
  evaluation: string;
  raw: Uint8Array | null;
  size: number;
  from_display: string | null;
  subject: string | null;
}

/** A test address handed out by the API or the dashboard. */
export interface TestAddressesTable {
  local_part: string;
  created_at: number;
}

/** A relayed message: the exact bytes every delivery attempt sends. */
export interface SubmissionsTable {
  id: string;
  created_at: number;
  origin: string;
  message_id: string;
  mail_from: string;
  raw: Uint8Array;
  idempotency_key: string | null;
  /** The digest of the request that used `idempotency_key` first (API sends with an `Idempotency-Key`). */
  request_hash: string | null;
}

/** One recipient of a submission: the unit the delivery workers claim. */
export interface RecipientsTable {
  id: string;
  submission_id: string;
  address: string;
  role: string;
  status: string;
  /** Attempts made so far. */
  attempts: number;
  /** When the row is next due; null once delivered or failed. */
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

/** One delivery try of one recipient. */
export interface AttemptsTable {
  id: string;
  recipient_id: string;
  at: number;
  mx: string | null;
  ip: string | null;
  reply: string;
}

/** One counted event of a sliding-window rate limit. */
export interface RateEventsTable {
  id: string;
  key: string;
  at: number;
  /** When the event leaves the longest window it was counted in (retention deletes it then). */
  expires_at: number;
}

/** A token that may be used once (an ALTCHA challenge). */
export interface OneTimeTokensTable {
  token: string;
  expires_at: number;
}

/** An admin session of the dashboard. */
export interface SessionsTable {
  id: string;
  expires_at: number;
}

/** Applied schema versions. */
export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface Database {
  messages: MessagesTable;
  test_addresses: TestAddressesTable;
  submissions: SubmissionsTable;
  recipients: RecipientsTable;
  attempts: AttemptsTable;
  rate_events: RateEventsTable;
  one_time_tokens: OneTimeTokensTable;
  sessions: SessionsTable;
  mailtrust_migrations: MigrationsTable;
}
