/**
 * Retention (`retentionDays`): what is older than the cutoff goes, in one transaction. Messages and test
 * addresses by their time of arrival; submissions by their creation, and only once every recipient is delivered
 * or failed (a submission still being retried is never cut off); expired one-time tokens, sessions and
 * rate-limit events by their own expiry.
 */
import { inTransaction, type StoreContext } from './transactions.js';
import type { RetentionResult } from './types.js';

export async function deleteOlderThan(context: StoreContext, cutoff: number, now: number): Promise<RetentionResult> {
  return inTransaction(context, async (trx) => {
    const messages = await trx.deleteFrom('messages').where('received_at', '<', cutoff).executeTakeFirst();
    await trx.deleteFrom('test_addresses').where('created_at', '<', cutoff).execute();

    const finished = await trx
      .selectFrom('submissions')
      .select('id')
      .where('created_at', '<', cutoff)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('recipients')
              .select('recipients.id')
              .whereRef('recipients.submission_id', '=', 'submissions.id')
              .where('recipients.status', 'in', ['queued', 'deferred']),
          ),
        ),
      )
      .execute();
    const ids = finished.map((row) => row.id);
    let submissions = 0;
    // In slices, to stay under SQLite's limit on bound parameters.
    for (let start = 0; start < ids.length; start += 500) {
      const slice = ids.slice(start, start + 500);
      await trx
        .deleteFrom('attempts')
        .where('recipient_id', 'in', (eb) =>
          eb.selectFrom('recipients').select('recipients.id').where('recipients.submission_id', 'in', slice),
        )
        .execute();
      await trx.deleteFrom('recipients').where('submission_id', 'in', slice).execute();
      const deleted = await trx.deleteFrom('submissions').where('id', 'in', slice).executeTakeFirst();
      submissions += Number(deleted.numDeletedRows);
    }

    await trx.deleteFrom('one_time_tokens').where('expires_at', '<=', now).execute();
    await trx.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    await trx.deleteFrom('rate_events').where('expires_at', '<=', now).execute();
    return { messages: Number(messages.numDeletedRows), submissions };
  });
}
