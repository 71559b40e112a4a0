/**
 * Evaluated messages and test addresses: the rows behind the test-address report, the history list and
 * `GET /api/v1/messages`. Ids sort by time (see `newId`), so "newest first" is `id desc` and a page is `id < before`.
 */
import type { Selectable } from 'kysely';
import type { MessagesTable } from './schema.js';
import { oneStatement, type StoreContext } from './transactions.js';
import type {
  MessageAction,
  MessageQuery,
  MessageSource,
  MessageSummary,
  NewMessage,
  StoredMessage,
  Verdict,
} from './types.js';

/** The page size of `listMessages` when none is asked for, and the most it returns. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1_000;

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE;
  return Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
}

export async function saveMessage(context: StoreContext, message: NewMessage): Promise<void> {
  await oneStatement(context, (db) =>
    db
      .insertInto('messages')
      .values({
        id: message.id,
        received_at: message.receivedAt,
        source: message.source,
        local_part: message.localPart ?? null,
        envelope: JSON.stringify(message.envelope),
        verdict: message.evaluation.verdict,
        reasons: JSON.stringify(message.evaluation.reasons.map((reason) => reason.id)),
        action: message.action ?? null,
        evaluation: JSON.stringify(message.evaluation),
        raw: message.raw ?? null,
        size: message.size,
        from_display: message.from ?? null,
        subject: message.subject ?? null,
      })
      .execute(),
  );
}

type SummaryRow = Pick<
  Selectable<MessagesTable>,
  | 'id'
  | 'received_at'
  | 'source'
  | 'local_part'
  | 'envelope'
  | 'verdict'
  | 'reasons'
  | 'action'
  | 'from_display'
  | 'subject'
>;

const SUMMARY_COLUMNS = [
  'id',
  'received_at',
  'source',
  'local_part',
  'envelope',
  'verdict',
  'reasons',
  'action',
  'from_display',
  'subject',
] as const;

function toSummary(row: SummaryRow): MessageSummary {
  const summary: MessageSummary = {
    id: row.id,
    receivedAt: Number(row.received_at),
    source: row.source as MessageSource,
    envelope: JSON.parse(row.envelope) as MessageSummary['envelope'],
    verdict: row.verdict as Verdict,
    reasons: JSON.parse(row.reasons) as string[],
  };
  if (row.local_part !== null) summary.localPart = row.local_part;
  if (row.action !== null) summary.action = row.action as MessageAction;
  if (row.from_display !== null) summary.from = row.from_display;
  if (row.subject !== null) summary.subject = row.subject;
  return summary;
}

function toStored(row: Selectable<MessagesTable>): StoredMessage {
  const summary = toSummary(row);
  const stored: StoredMessage = {
    ...summary,
    evaluation: JSON.parse(row.evaluation) as StoredMessage['evaluation'],
    size: Number(row.size),
  };
  if (row.raw !== null) stored.raw = new Uint8Array(row.raw);
  return stored;
}

export async function getMessage({ db }: StoreContext, id: string): Promise<StoredMessage | undefined> {
  const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toStored(row);
}

export async function listTestMessages(
  { db }: StoreContext,
  localPart: string,
  limit?: number,
): Promise<StoredMessage[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('local_part', '=', localPart)
    .orderBy('id', 'desc')
    .limit(pageSize(limit))
    .execute();
  return rows.map(toStored);
}

export async function listMessages({ db }: StoreContext, query: MessageQuery): Promise<MessageSummary[]> {
  let select = db.selectFrom('messages').select(SUMMARY_COLUMNS);
  if (query.verdict !== undefined) select = select.where('verdict', '=', query.verdict);
  if (query.source !== undefined) select = select.where('source', '=', query.source);
  if (query.before !== undefined) select = select.where('id', '<', query.before);
  const rows = await select.orderBy('id', 'desc').limit(pageSize(query.limit)).execute();
  return rows.map(toSummary);
}

/** Records a handed-out test address; handing out the same one twice keeps the first time. */
export async function createTestAddress(context: StoreContext, localPart: string, createdAt: number): Promise<void> {
  await oneStatement(context, (db) =>
    db
      .insertInto('test_addresses')
      .values({ local_part: localPart, created_at: createdAt })
      .onConflict((conflict) => conflict.column('local_part').doNothing())
      .execute(),
  );
}
