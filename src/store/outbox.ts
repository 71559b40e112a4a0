/**
 * The relay's outbox: submissions (the exact bytes every attempt sends) and one row per recipient, which the
 * delivery workers claim with a lease.
 *
 * The claim rule: a row is due when it is `queued` or `deferred`, its `next_attempt_at` has come, and nobody holds
 * an unexpired lease on it. One statement claims up to N due rows, setting `lease_owner` and `lease_until`; on
 * PostgreSQL its inner select takes the rows `FOR UPDATE SKIP LOCKED`, so concurrent claimers skip each other's
 * rows instead of waiting for them or taking them twice; on SQLite it runs inside `BEGIN IMMEDIATE`, which admits
 * one writer at a time. A worker renews its lease while an attempt runs; `recordAttempt` records the attempt and
 * the row's next state in one transaction and clears the lease. A worker that dies leaves its lease to expire,
 * and the row becomes due again.
 */
import type { Kysely, Selectable } from 'kysely';
import { newId } from './ids.js';
import { pageSize } from './messages.js';
import type { AttemptsTable, Database, RecipientsTable } from './schema.js';
import { inTransaction, oneStatement, type StoreContext } from './transactions.js';
import type {
  AttemptOutcome,
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryStatus,
  IdempotentSubmission,
  NewSubmission,
  OutboxQuery,
  RecipientRole,
  RecipientView,
  SubmissionView,
} from './types.js';

/** A recipient row's id: its submission's, then its place in the list, so rows sort in the order given. */
function recipientId(submissionId: string, index: number): string {
  return `${submissionId}-${String(index).padStart(4, '0')}`;
}

/** Statuses of rows still to deliver. */
const PENDING: DeliveryStatus[] = ['queued', 'deferred'];

export async function enqueueSubmission(context: StoreContext, submission: NewSubmission): Promise<boolean> {
  return inTransaction(context, async (trx) => {
    const inserted = await trx
      .insertInto('submissions')
      .values({
        id: submission.id,
        created_at: submission.createdAt,
        origin: submission.origin,
        message_id: submission.messageId,
        mail_from: submission.mailFrom,
        raw: submission.raw,
        idempotency_key: submission.idempotencyKey ?? null,
        request_hash: submission.requestHash ?? null,
      })
      .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted === undefined) return false;
    if (submission.recipients.length > 0) {
      await trx
        .insertInto('recipients')
        .values(
          submission.recipients.map((recipient, index) => ({
            id: recipientId(submission.id, index),
            submission_id: submission.id,
            address: recipient.address,
            role: recipient.role,
            status: 'queued',
            attempts: 0,
            next_attempt_at: submission.createdAt,
            lease_owner: null,
            lease_until: null,
          })),
        )
        .execute();
    }
    return true;
  });
}

export async function findIdempotentSubmission(
  context: StoreContext,
  idempotencyKey: string,
): Promise<IdempotentSubmission | undefined> {
  return oneStatement(context, async (db) => {
    const row = await db
      .selectFrom('submissions')
      .select(['id', 'request_hash'])
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return row.request_hash === null ? { id: row.id } : { id: row.id, requestHash: row.request_hash };
  });
}

export async function claimDeliveries(
  context: StoreContext,
  worker: string,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  if (limit < 1) return [];
  return oneStatement(context, async (db) => {
    let due = db
      .selectFrom('recipients')
      .select('id')
      .where('status', 'in', PENDING)
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(Math.floor(limit));
    if (context.dialect === 'postgres') due = due.forUpdate().skipLocked();
    const claimed = await db
      .updateTable('recipients')
      .set({ lease_owner: worker, lease_until: now + leaseMs })
      .where('id', 'in', due)
      .returning(['id', 'submission_id', 'address', 'role', 'attempts', 'lease_until'])
      .execute();
    if (claimed.length === 0) return [];
    // Submissions never change once stored, so reading them after the claim is safe.
    const submissions = await db
      .selectFrom('submissions')
      .select(['id', 'message_id', 'mail_from', 'raw', 'created_at'])
      .where('id', 'in', [...new Set(claimed.map((row) => row.submission_id))])
      .execute();
    const byId = new Map(submissions.map((row) => [row.id, row]));
    return claimed.map((row): ClaimedDelivery => {
      const submission = byId.get(row.submission_id);
      if (submission === undefined) throw new Error(`outbox row ${row.id} has no submission ${row.submission_id}`);
      return {
        id: row.id,
        submissionId: row.submission_id,
        messageId: submission.message_id,
        mailFrom: submission.mail_from,
        address: row.address,
        role: row.role as RecipientRole,
        raw: new Uint8Array(submission.raw),
        createdAt: Number(submission.created_at),
        attempts: Number(row.attempts),
        leaseUntil: Number(row.lease_until),
      };
    });
  });
}

export async function renewLease(
  context: StoreContext,
  id: string,
  worker: string,
  leaseUntil: number,
): Promise<boolean> {
  const result = await oneStatement(context, (db) =>
    db
      .updateTable('recipients')
      .set({ lease_until: leaseUntil })
      .where('id', '=', id)
      .where('lease_owner', '=', worker)
      .where('status', 'in', PENDING)
      .executeTakeFirst(),
  );
  return result.numUpdatedRows > 0n;
}

export async function recordAttempt(
  context: StoreContext,
  id: string,
  worker: string,
  attempt: DeliveryAttempt,
  outcome: AttemptOutcome,
): Promise<boolean> {
  return inTransaction(context, async (trx) => {
    await trx
      .insertInto('attempts')
      .values({
        id: newId(attempt.at),
        recipient_id: id,
        at: attempt.at,
        mx: attempt.mx ?? null,
        ip: attempt.ip ?? null,
        reply: attempt.reply,
      })
      .execute();
    const next = await trx
      .updateTable('recipients')
      .set((eb) => ({
        status: outcome.status,
        attempts: eb('attempts', '+', 1),
        next_attempt_at: outcome.status === 'deferred' ? outcome.nextAttemptAt : null,
        lease_owner: null,
        lease_until: null,
      }))
      .where('id', '=', id)
      .where('lease_owner', '=', worker)
      .executeTakeFirst();
    if (next.numUpdatedRows === 0n) {
      // The lease is another worker's now: the attempt still counts, the row's state is the new owner's to set.
      await trx
        .updateTable('recipients')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .execute();
    }
    return next.numUpdatedRows > 0n;
  });
}

export async function releaseLeases(context: StoreContext, worker: string): Promise<number> {
  const result = await oneStatement(context, (db) =>
    db
      .updateTable('recipients')
      .set({ lease_owner: null, lease_until: null })
      .where('lease_owner', '=', worker)
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows);
}

type RecipientRow = Pick<
  Selectable<RecipientsTable>,
  'id' | 'submission_id' | 'address' | 'role' | 'status' | 'next_attempt_at'
>;

/** The recipients of the given submissions, each with its attempts, oldest attempt first. */
async function recipientViews(db: Kysely<Database>, submissionIds: string[]): Promise<Map<string, RecipientView[]>> {
  const views = new Map<string, RecipientView[]>();
  if (submissionIds.length === 0) return views;
  const recipients: RecipientRow[] = await db
    .selectFrom('recipients')
    .select(['id', 'submission_id', 'address', 'role', 'status', 'next_attempt_at'])
    .where('submission_id', 'in', submissionIds)
    .orderBy('id')
    .execute();
  const attempts: Selectable<AttemptsTable>[] =
    recipients.length === 0
      ? []
      : await db
          .selectFrom('attempts')
          .selectAll()
          .where(
            'recipient_id',
            'in',
            recipients.map((row) => row.id),
          )
          .orderBy('at')
          .orderBy('id')
          .execute();
  const attemptsOf = new Map<string, DeliveryAttempt[]>();
  for (const row of attempts) {
    const attempt: DeliveryAttempt = { at: Number(row.at), reply: row.reply };
    if (row.mx !== null) attempt.mx = row.mx;
    if (row.ip !== null) attempt.ip = row.ip;
    const list = attemptsOf.get(row.recipient_id) ?? [];
    list.push(attempt);
    attemptsOf.set(row.recipient_id, list);
  }
  for (const row of recipients) {
    const status = row.status as DeliveryStatus;
    const view: RecipientView = {
      id: row.id,
      address: row.address,
      role: row.role as RecipientRole,
      status,
      attempts: attemptsOf.get(row.id) ?? [],
    };
    if (row.next_attempt_at !== null && PENDING.includes(status)) view.nextAttemptAt = Number(row.next_attempt_at);
    const list = views.get(row.submission_id) ?? [];
    list.push(view);
    views.set(row.submission_id, list);
  }
  return views;
}

export async function getSubmission(context: StoreContext, id: string): Promise<SubmissionView | undefined> {
  const row = await context.db
    .selectFrom('submissions')
    .select(['id', 'created_at', 'origin', 'message_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const recipients = await recipientViews(context.db, [id]);
  return {
    id: row.id,
    createdAt: Number(row.created_at),
    origin: row.origin,
    messageId: row.message_id,
    recipients: recipients.get(id) ?? [],
  };
}

/** Submissions newest first; with `status`, those with at least one recipient in that status. */
export async function listOutbox(context: StoreContext, query: OutboxQuery): Promise<SubmissionView[]> {
  let select = context.db.selectFrom('submissions').select(['id', 'created_at', 'origin', 'message_id']);
  if (query.before !== undefined) select = select.where('id', '<', query.before);
  const status = query.status;
  if (status !== undefined) {
    select = select.where((eb) =>
      eb.exists(
        eb
          .selectFrom('recipients')
          .select('recipients.id')
          .whereRef('recipients.submission_id', '=', 'submissions.id')
          .where('recipients.status', '=', status),
      ),
    );
  }
  const rows = await select.orderBy('id', 'desc').limit(pageSize(query.limit)).execute();
  const recipients = await recipientViews(
    context.db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({
    id: row.id,
    createdAt: Number(row.created_at),
    origin: row.origin,
    messageId: row.message_id,
    recipients: recipients.get(row.id) ?? [],
  }));
}

export async function outboxDepth(context: StoreContext): Promise<Record<'queued' | 'deferred', number>> {
  const rows = await context.db
    .selectFrom('recipients')
    .select((eb) => ['status', eb.fn.countAll().as('count')])
    .where('status', 'in', PENDING)
    .groupBy('status')
    .execute();
  const depth = { queued: 0, deferred: 0 };
  for (const row of rows) {
    if (row.status === 'queued' || row.status === 'deferred') depth[row.status] = Number(row.count);
  }
  return depth;
}
