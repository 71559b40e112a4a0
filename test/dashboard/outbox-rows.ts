/**
 * Outbox rows for the `/outbox` page, made through the store's own contract: a submission with a recipient and a
 * redundancy copy, one attempt deferred (with a next attempt) and the copy delivered.
 */
import { newId } from '../../src/store/ids.js';
import type { Store } from '../../src/store/types.js';

export async function queueOutboxRows(store: Store, now: number): Promise<{ nextAttemptAt: number }> {
  const id = newId(now);
  await store.enqueueSubmission({
    id,
    createdAt: now,
    origin: 'form:contact',
    messageId: `<${id}@relay.example.test>`,
    mailFrom: 'bounces@relay.example.test',
    raw: new TextEncoder().encode('Subject: hello\r\n\r\nbody\r\n'),
    recipients: [
      { address: 'support@helpdesk.example.test', role: 'to' },
      { address: 'backup@external.example.test', role: 'copy' },
    ],
  });
  const claimed = await store.claimDeliveries('test-worker', now, 60_000, 10);
  const nextAttemptAt = now + 5 * 60_000;
  for (const row of claimed) {
    const deferred = row.role === 'to';
    await store.recordAttempt(
      row.id,
      'test-worker',
      {
        at: now,
        mx: deferred ? 'mx.helpdesk.example.test' : 'mx.external.example.test',
        ip: '192.0.2.25',
        reply: deferred ? '451 4.7.1 <script>try again</script> later' : '250 2.0.0 queued as 4F2A',
      },
      deferred ? { status: 'deferred', nextAttemptAt } : { status: 'delivered' },
    );
  }
  return { nextAttemptAt };
}
