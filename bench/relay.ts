/**
 * The relay's throughput (not a test): `npm run bench:relay -- [--posts N] [--deliveries N] [--concurrency N]`.
 *
 * 1. Posts/s accepted: form posts over HTTP (a real `serve` HTTP face, token-authenticated, `Accept: application/json`)
 *    each answered 202 only after its outbox rows are committed to SQLite (WAL, synchronous=FULL, as the store
 *    ships). The relay's workers are off in this phase, so only intake is measured. RSS is sampled every 1,000 posts.
 * 2. Deliveries/s: a relay worker (`relay.workers` deliveries at once) drains the outbox to a loopback sink (an SMTP
 *    server on 127.0.1.50:25 that accepts everything, with STARTTLS offered and taken), each delivery an SMTP session
 *    plus its attempt record.
 * 3. The cost of one committed SQLite transaction with synchronous=FULL and NORMAL on this disk, for reference.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { createResolver } from '../src/core/index.js';
import { publishedKeyBytes } from '../src/relay/readiness.js';
import { Relay } from '../src/relay/relay.js';
import { validateConfig, type ServeConfig } from '../src/server/config.js';
import { startService } from '../src/server/service.js';
import { openStore } from '../src/store/index.js';
import { startTestDnsServer, zoneRecords } from '../test/support/dns-server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const POSTS = arg('posts', 5_000);
const DELIVERIES = arg('deliveries', 3_000);
const CONCURRENCY = arg('concurrency', 16);
const WORKERS = arg('workers', 32);
const TOKEN = 'bench-token-0123456789abcdef';
const SINK_IP = '127.0.1.50';
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(0);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-bench-relay-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(dir, 'relay.key');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const keyRecord = `v=DKIM1; k=rsa; p=${Buffer.from(publishedKeyBytes(privateKey)).toString('base64')}`;
  const dns = await startTestDnsServer({
    records: zoneRecords({
      'relay.example.com': { A: ['192.0.2.25'], TXT: ['v=spf1 ip4:192.0.2.25 -all'] },
      's1._domainkey.relay.example.com': { TXT: [[keyRecord.slice(0, 255), keyRecord.slice(255)]] },
      'sink.example.net': { MX: [[10, 'mx.sink.example.net']] },
      'mx.sink.example.net': { A: [SINK_IP] },
    }),
  });
  const document = (workers: number) => ({
    database: `sqlite:${join(dir, 'bench.db')}`,
    dns: [dns.address],
    logLevel: 'silent',
    http: { listen: '127.0.0.1:0', maxBodyBytes: 1_000_000 },
    relay: {
      hostname: 'relay.example.com',
      from: 'forms@relay.example.com',
      dkim: { domain: 'relay.example.com', selector: 's1', keyFile },
      allowLocalMx: true,
      workers,
      forms: [
        {
          id: 'contact',
          to: ['desk@sink.example.net'],
          subject: 'Contact: {subject}',
          fields: ['name', 'email', 'subject', 'message'],
          replyToField: 'email',
          captcha: 'none',
          tokens: [TOKEN],
        },
      ],
    },
  });
  const parse = (doc: unknown): ServeConfig => {
    const result = validateConfig(doc);
    if (!result.ok) throw new Error(result.message);
    return result.config;
  };

  // 1. Posts/s (workers off).
  const postConfig = parse(document(0));
  const store = await openStore(postConfig.database);
  const service = await startService(postConfig, { store });
  const url = `http://${service.face('http')?.address}/f/contact`;
  const body = JSON.stringify({
    name: 'Jane Doe',
    email: 'jane@visitor.example.org',
    subject: 'Printer on fire',
    message: 'Hello,\nthe printer on the third floor is on fire again.\nRegards, Jane\n'.repeat(4),
  });
  const headers = { 'content-type': 'application/json', accept: 'application/json', 'x-form-token': TOKEN };
  let sent = 0;
  let accepted = 0;
  const rss: number[] = [];
  const start = performance.now();
  async function poster(): Promise<void> {
    while (sent < POSTS) {
      sent++;
      const res = await fetch(url, { method: 'POST', headers, body });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`post answered ${res.status}`);
      accepted++;
      if (accepted % 1_000 === 0) rss.push(process.memoryUsage().rss);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, poster));
  const postSeconds = (performance.now() - start) / 1000;
  await service.close(1_000);
  console.log(
    `posts: ${accepted} accepted in ${postSeconds.toFixed(1)} s = ${(accepted / postSeconds).toFixed(0)} posts/s ` +
      `(HTTP, ${CONCURRENCY} clients, compose + DKIM sign + outbox commit, SQLite WAL synchronous=FULL)`,
  );
  if (rss.length > 0) {
    const first = rss[0] as number;
    const last = rss[rss.length - 1] as number;
    console.log(
      `rss: ${mb(first)} MiB after 1,000 posts, ${mb(Math.max(...rss))} MiB peak, ${mb(last)} MiB after ${accepted} ` +
        `(samples every 1,000: ${rss.length})`,
    );
  }

  // 2. Deliveries/s to a loopback sink.
  let received = 0;
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(25, SINK_IP, () => resolve()));
  const depth = await store.outboxDepth();
  const toDeliver = Math.min(DELIVERIES, depth.queued);
  const relay = Relay.open(
    parse(document(WORKERS)).relay as NonNullable<ServeConfig['relay']>,
    {
      store,
      resolver: createResolver({ servers: [dns.address], timeoutMs: 1_000 }),
      logger: pino({ level: 'silent' }),
      now: Date.now,
    },
    { pollMs: 20 },
  );
  const deliverStart = performance.now();
  relay.start();
  while (received < toDeliver) await new Promise((resolve) => setTimeout(resolve, 20));
  const deliverSeconds = (performance.now() - deliverStart) / 1000;
  await relay.stop(5_000);
  console.log(
    `deliveries: ${received} in ${deliverSeconds.toFixed(1)} s = ${(received / deliverSeconds).toFixed(0)} deliveries/s ` +
      `(${WORKERS} at once, MX lookup + SMTP with STARTTLS + attempt commit per delivery)`,
  );
  await new Promise<void>((resolve) => sink.close(() => resolve()));
  await store.close();

  // 3. One committed transaction, FULL vs NORMAL (WAL), on this disk.
  for (const mode of ['FULL', 'NORMAL']) {
    const db = new Database(join(dir, `sync-${mode}.db`));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${mode}`);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const blob = Buffer.alloc(3_000, 120);
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) insert.run(blob);
    const ms = (performance.now() - t0) / n;
    console.log(`sqlite commit, synchronous=${mode}: ${ms.toFixed(3)} ms each (${(1000 / ms).toFixed(0)}/s)`);
    db.close();
  }
  await dns.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
