/**
 * Store benchmark (`npm run bench:store`): how fast the store commits on SQLite and PostgreSQL, and what one
 * stored message costs in rows and bytes.
 *
 * Per backend (a temporary SQLite file with the store's own settings; a fresh PostgreSQL database on
 * `MAILTRUST_TEST_POSTGRES`, default the local server, skipped with a note when none answers):
 *   - saveMessage/s with 1 call in flight and with 20 (SMTP sessions saving at once), each a real evaluation
 *     and its raw message, as the test-address face stores them;
 *   - claim+record/s: 4 claimers draining an outbox of 1-recipient submissions (claim 10, record each delivered);
 *   - per message: database transactions and rows written (PostgreSQL's own statistics), bytes written (SQLite:
 *     this process's write_bytes from /proc/self/io, WAL and checkpoints included; PostgreSQL: WAL bytes
 *     generated), and the bytes the message's row and indexes occupy.
 * Environment: BENCH_STORE_MESSAGES (default 2000), BENCH_STORE_ROWS (default 2000).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { createResolver, evaluate, parseZoneFile, type Evaluation } from '../src/core/index.js';
import { newId, openStore, type NewMessage, type Store } from '../src/store/index.js';
import { openDatabase, parseStoreUrl } from '../src/store/open.js';
import { postgresForTests } from '../test/support/postgres.js';

const MESSAGES = Number(process.env['BENCH_STORE_MESSAGES'] ?? 2000);
const ROWS = Number(process.env['BENCH_STORE_ROWS'] ?? 2000);

const ZONE = `
example.org. 300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
example.org. 300 IN MX 10 mail.example.org.
_dmarc.example.org. 300 IN TXT "v=DMARC1; p=reject"
10.2.0.192.in-addr.arpa. 300 IN PTR mail.example.org.
mail.example.org. 300 IN A 192.0.2.10
check.example.org. 300 IN MX 10 mail.example.org.
`;

/** A typical small message (about 3 KB, as a test-address message with a few headers and a short body). */
function rawMessage(): Uint8Array {
  const body = 'This is a line of the message body, as a person would write it.\r\n'.repeat(30);
  return new TextEncoder().encode(
    'Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.check.example.org\r\n' +
      'From: Alice Example <alice@example.org>\r\nTo: t-bench@check.example.org\r\nSubject: Benchmark message\r\n' +
      'Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <bench@example.org>\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n\r\n' +
      body,
  );
}

async function evaluation(raw: Uint8Array): Promise<Evaluation> {
  const zone = parseZoneFile(ZONE);
  if (!zone.ok) throw new Error('bench zone does not parse');
  return evaluate(
    raw,
    { ip: '192.0.2.10', helo: 'mail.example.org', mailFrom: 'alice@example.org' },
    { resolver: createResolver({ zone: zone.value }), now: new Date('2026-12-05T10:00:05Z') },
  );
}

function newMessage(raw: Uint8Array, evaluated: Evaluation): NewMessage {
  return {
    id: newId(),
    receivedAt: Date.now(),
    source: 'smtp',
    localPart: 't-bench',
    envelope: evaluated.envelope,
    evaluation: evaluated,
    raw,
    size: raw.byteLength,
    from: 'Alice Example <alice@example.org>',
    subject: 'Benchmark message',
  };
}

function writeBytes(): number {
  const io = readFileSync('/proc/self/io', 'utf8');
  return Number(/^write_bytes: (\d+)$/m.exec(io)?.[1] ?? 0);
}

async function saveMany(store: Store, count: number, inFlight: number, make: () => NewMessage): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next++;
        await store.saveMessage(make());
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

async function drain(store: Store, rows: number): Promise<number> {
  for (let i = 0; i < rows; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, rows - i) }, (_, k) =>
        store.enqueueSubmission({
          id: newId(),
          createdAt: 1_000 + i + k,
          origin: 'api',
          messageId: `<${i + k}@relay.example.org>`,
          mailFrom: 'bounces@relay.example.org',
          raw: new TextEncoder().encode('Subject: x\r\n\r\nhello\r\n'),
          recipients: [{ address: 'support@helpdesk.example', role: 'to' }],
        }),
      ),
    );
  }
  let done = 0;
  const start = performance.now();
  await Promise.all(
    ['a', 'b', 'c', 'd'].map(async (worker) => {
      for (;;) {
        const claimed = await store.claimDeliveries(worker, Date.now(), 900_000, 10);
        if (claimed.length === 0) return;
        for (const row of claimed) {
          await store.recordAttempt(row.id, worker, { at: Date.now(), reply: '250 2.0.0 ok' }, { status: 'delivered' });
          done++;
        }
      }
    }),
  );
  if (done !== rows) throw new Error(`drained ${done} of ${rows}`);
  return rows / ((performance.now() - start) / 1000);
}

interface Figures {
  backend: string;
  savePerSecondSerial: number;
  savePerSecond20: number;
  claimRecordPerSecond: number;
  perMessage: Record<string, number>;
}

async function benchSqlite(raw: Uint8Array, evaluated: Evaluation): Promise<Figures> {
  const directory = mkdtempSync(join(tmpdir(), 'mailtrust-bench-store-'));
  try {
    const path = join(directory, 'bench.db');
    const url = `sqlite:${path}`;
    const store = await openStore(url);
    await saveMany(store, 100, 1, () => newMessage(raw, evaluated)); // warm-up
    const size = (): number => statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    const bytesBefore = writeBytes();
    const serial = await saveMany(store, MESSAGES, 1, () => newMessage(raw, evaluated));
    const bytesWritten = writeBytes() - bytesBefore;
    const bytesBefore20 = writeBytes();
    const concurrent = await saveMany(store, MESSAGES, 20, () => newMessage(raw, evaluated));
    const bytesWritten20 = writeBytes() - bytesBefore20;
    const claimRecord = await drain(store, ROWS);
    await store.close();
    // Row bytes: the file after a full checkpoint, per message stored (the outbox rows are a small share).
    const db = openDatabase(parseStoreUrl(url));
    await sql`pragma wal_checkpoint(truncate)`.execute(db);
    const { rows } = await sql<{ bytes: number }>`select sum(pgsize) as bytes from dbstat where name like 'messages%'`
      .execute(db)
      .catch(() => ({ rows: [] as { bytes: number }[] }));
    const counted = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    await db.destroy();
    const stored = MESSAGES * 2 + 100;
    return {
      backend: 'sqlite',
      savePerSecondSerial: serial,
      savePerSecond20: concurrent,
      claimRecordPerSecond: claimRecord,
      perMessage: {
        rowsWritten: Number(counted.n) / stored,
        bytesWrittenToDisk: bytesWritten / MESSAGES,
        bytesWrittenToDiskAt20InFlight: bytesWritten20 / MESSAGES,
        bytesStored: rows[0]?.bytes !== undefined ? Number(rows[0].bytes) / stored : size() / stored,
        rawBytes: raw.byteLength,
        evaluationJsonBytes: JSON.stringify(evaluated).length,
      },
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function benchPostgres(raw: Uint8Array, evaluated: Evaluation): Promise<Figures | string> {
  const made = await postgresForTests();
  if (!made.ok) return made.skip;
  const url = made.database.url;
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const store = await openStore(url, { pool: 10 });
    await saveMany(store, 100, 1, () => newMessage(raw, evaluated));
    const stats = async (): Promise<{ commits: number; inserted: number; wal: string }> => {
      // The statistics collector reports with a delay; force it so the counts include our last statements.
      await admin.query('select pg_stat_clear_snapshot()');
      const { rows } = await admin.query<{ commits: string; inserted: string; wal: string }>(
        'select xact_commit as commits, tup_inserted as inserted, pg_current_wal_lsn()::text as wal ' +
          'from pg_stat_database where datname = $1',
        [name],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('no statistics row');
      return { commits: Number(row.commits), inserted: Number(row.inserted), wal: row.wal };
    };
    await new Promise((resolve) => setTimeout(resolve, 600));
    const before = await stats();
    const serial = await saveMany(store, MESSAGES, 1, () => newMessage(raw, evaluated));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const after = await stats();
    const { rows: wal } = await admin.query<{ bytes: string }>('select pg_wal_lsn_diff($1, $2) as bytes', [
      after.wal,
      before.wal,
    ]);
    const concurrent = await saveMany(store, MESSAGES, 20, () => newMessage(raw, evaluated));
    const claimRecord = await drain(store, ROWS);
    await store.close();
    const { rows: size } = await admin.query<{ bytes: string; n: string }>(
      "select pg_total_relation_size('messages') as bytes, (select count(*) from messages) as n",
    );
    return {
      backend: 'postgres',
      savePerSecondSerial: serial,
      savePerSecond20: concurrent,
      claimRecordPerSecond: claimRecord,
      perMessage: {
        // The statistics also count this benchmark's own few queries; per message they round away.
        transactions: (after.commits - before.commits) / MESSAGES,
        rowsWritten: (after.inserted - before.inserted) / MESSAGES,
        walBytesWritten: Number(wal[0]?.bytes ?? 0) / MESSAGES,
        bytesStored: Number(size[0]?.bytes ?? 0) / Number(size[0]?.n ?? 1),
        rawBytes: raw.byteLength,
        evaluationJsonBytes: JSON.stringify(evaluated).length,
      },
    };
  } finally {
    await admin.end();
    await made.database.drop();
  }
}

function print(figures: Figures): void {
  console.log(`\n${figures.backend}`);
  console.log(`  saveMessage, 1 in flight:   ${figures.savePerSecondSerial.toFixed(0)} messages/s`);
  console.log(`  saveMessage, 20 in flight:  ${figures.savePerSecond20.toFixed(0)} messages/s`);
  console.log(`  claim+record, 4 claimers:   ${figures.claimRecordPerSecond.toFixed(0)} rows/s`);
  for (const [key, value] of Object.entries(figures.perMessage)) {
    console.log(`  per message, ${key}: ${Number.isInteger(value) ? value : value.toFixed(2)}`);
  }
}

const raw = rawMessage();
const evaluated = await evaluation(raw);
console.log(
  `mailtrust store benchmark — node ${process.version}, ${MESSAGES} messages per run, ${ROWS} outbox rows ` +
    `(raw message ${raw.byteLength} bytes, evaluation JSON ${JSON.stringify(evaluated).length} bytes)`,
);
print(await benchSqlite(raw, evaluated));
const postgres = await benchPostgres(raw, evaluated);
if (typeof postgres === 'string') console.log(`\npostgres: ${postgres}`);
else print(postgres);
