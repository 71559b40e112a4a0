/**
 * Checks that what the instances acknowledged is in the database: every subject answered 250 is a stored message,
 * and every form post answered 202 reached the sink (at least once; more only for rows a crash caught in flight).
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import type { MailSink } from './mail-sink.js';
import type { PostOutcome, SmtpOutcome } from './traffic.js';

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Every SMTP message answered 250 is stored (by its unique subject and local part). */
export async function assertAcknowledgedStored(url: string, outcomes: SmtpOutcome[], prefix: string): Promise<void> {
  const rows = await query<{ subject: string | null; local_part: string | null }>(
    url,
    `select subject, local_part from messages where local_part like $1`,
    [`${prefix}-%`],
  );
  const stored = new Set(rows.map((row) => `${row.local_part} ${row.subject}`));
  const acknowledged = outcomes.filter((o) => o.acknowledged);
  const lost = acknowledged.filter((o) => !stored.has(`${o.localPart} ${o.subject}`)).map((o) => o.subject);
  assert.deepEqual(lost.slice(0, 20), [], `every 250 is stored (${lost.length} of ${acknowledged.length} missing)`);
}

/**
 * What may be delivered twice: the rows a crash caught in flight (each at most once more per crash that held it),
 * or, where the rows cannot be known, a number of extra copies in all.
 */
export type ExtraCopies = { inFlightAtCrash: Map<string, number> } | { atMost: number };

/** Every 202 was delivered to each of its recipients; extra copies only as `allowed` says. */
export async function assertAcceptedDelivered(
  url: string,
  posts: PostOutcome[],
  sink: MailSink,
  allowed: ExtraCopies,
): Promise<{ delivered: number; duplicates: number }> {
  const ids = posts.filter((p) => p.status === 202 && p.id !== undefined).map((p) => p.id as string);
  const rows = await query<{ id: string; row: string; message_id: string; address: string }>(
    url,
    `select s.id, r.id as row, s.message_id, r.address from submissions s join recipients r on r.submission_id = s.id
     where s.id = any($1::text[])`,
    [ids],
  );
  assert.equal(new Set(rows.map((r) => r.id)).size, ids.length, 'every 202 has its submission stored');
  const counts = sink.counts();
  let duplicates = 0;
  const missing: string[] = [];
  const unexplained: string[] = [];
  for (const row of rows) {
    const n = counts.get(`${row.message_id} ${row.address.toLowerCase()}`) ?? 0;
    if (n === 0) missing.push(`${row.id} ${row.address}`);
    if (n > 1) {
      duplicates += n - 1;
      if ('inFlightAtCrash' in allowed && n - 1 > (allowed.inFlightAtCrash.get(row.row) ?? 0))
        unexplained.push(`${row.row}: ${n} copies`);
    }
  }
  assert.deepEqual(missing.slice(0, 20), [], `every accepted post delivered (${missing.length} missing)`);
  if ('inFlightAtCrash' in allowed) {
    assert.deepEqual(unexplained, [], 'an extra copy only of a row in flight at a crash, one per such crash');
  } else {
    assert.ok(duplicates <= allowed.atMost, `at most ${allowed.atMost} extra copies, saw ${duplicates}`);
  }
  return { delivered: rows.length, duplicates };
}
