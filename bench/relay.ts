/**
 * The relay's throughput (not a test): `npm run bench:relay -- [--posts N] [--deliveries N] [--concurrency N]`.
 *
 * Run with `node --expose-gc` to also see the heap after a full collection at each RSS sample.
 * Options: `--workers N` deliveries at once (32); `--no-tls` the sink offers no STARTTLS; `--sink postfix` Postfix's
 * `smtp-sink` (no TLS) instead of the smtp-server child; `--compare [--rounds N]` each round delivers `--deliveries`
 * rows with one SMTP session per delivery, then as many with sessions kept, and prints the ratio; `--deliveries 0`
 * skips the delivery phase; `--sample N` samples RSS every N posts (default a tenth of the posts, at least 1,000).
 *
 * 1. Posts/s accepted: form posts over HTTP (a real `serve` HTTP face, token-authenticated, `Accept: application/json`)
 *    each answered 202 only after its outbox rows are committed to SQLite and the log is flushed to disk (as the
 *    store ships). The relay's workers are off in this phase, so only intake is measured.
 * 2. Deliveries/s: a relay worker (`relay.workers` deliveries at once) drains the outbox to a loopback sink on
 *    127.0.1.50:25 in a process of its own (`relay-sink.ts`, or Postfix's smtp-sink) that accepts everything; each
 *    delivery is an MX lookup, an SMTP transaction (in a kept session or a new one) and its attempt record.
 * 3. The cost of one committed SQLite transaction with synchronous=FULL and NORMAL on this disk, for reference. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { spawn } from 'node:child_process';
import { createResolver } from '../src/core/index.js';
import { publishedKeyBytes } from '../src/relay/readiness.js';
import { Relay } from '../src/relay/relay.js';
import { validateConfig, type ServeConfig } from '../src/server/config.js';
import { startService } from '../src/server/service.js';
import { openStore } from '../src/store/index.js';
import { startTestDnsServer, zoneRecords } from '../test/support/dns-server.js';
import { startSinkProcess, type SinkProcess } from './relay-sink.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const POSTS = arg('posts', 5_000);
const DELIVERIES = arg('deliveries', 3_000);
const CONCURRENCY = arg('concurrency', 16);
const WORKERS = arg('workers', 32);
/** RSS (and, with --expose-gc, the heap after a full collection) every this many posts. */
const SAMPLE = arg('sample', Math.max(1_000, Math.floor(POSTS / 10)));
/** `--sink postfix`: Postfix's smtp-sink (no TLS); else an smtp-server child process. */
const SINK = process.argv.includes('--sink') ? process.argv[process.argv.indexOf('--sink') + 1] : 'node';
/** `--no-tls` (or the Postfix sink): the sink does not offer STARTTLS (to see what TLS costs per delivery). */
const TLS = !process.argv.includes('--no-tls') && SINK !== 'postfix';
/** `--compare`: each round delivers with one SMTP session per delivery, then with sessions kept (the default). */
const COMPARE = process.argv.includes('--compare');
const ROUNDS = arg('rounds', 1);
const TOKEN = 'bench-token-0123456789abcdef';
const SINK_IP = '127.0.1.50';
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(0);

/** The sink on SINK_IP:25, in a process of its own. Postfix's smtp-sink counts nothing the bench can read (-1s). */
async function startSink(): Promise<SinkProcess> {
  if (SINK !== 'postfix') return startSinkProcess(SINK_IP, 25, TLS);
  const child = spawn('/usr/sbin/smtp-sink', ['-u', 'postfix', `${SINK_IP}:25`, '256'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (child.exitCode !== null) throw new Error(`smtp-sink exited with ${child.exitCode}`);
  const none = { received: -1, connections: -1, tlsHandshakes: -1, tlsResumed: -1 };
  return {
    counts: () => Promise.resolve(none),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

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
  const heap: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const start = performance.now();
  async function poster(): Promise<void> {
    while (sent < POSTS) {
      sent++;
      const res = await fetch(url, { method: 'POST', headers, body });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`post answered ${res.status}`);
      accepted++;
      if (accepted % SAMPLE === 0) {
        rss.push(process.memoryUsage().rss);
        // With --expose-gc: the heap after a full collection, which tells a leak from memory not yet reclaimed.
        if (gc) {
          gc();
          heap.push(process.memoryUsage().heapUsed);
        }
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, poster));
  const postSeconds = (performance.now() - start) / 1000;
  await service.close(1_000);
  console.log(
    `posts: ${accepted} accepted in ${postSeconds.toFixed(1)} s = ${(accepted / postSeconds).toFixed(0)} posts/s ` +
      `(HTTP, ${CONCURRENCY} clients, compose + DKIM sign + outbox commit, SQLite WAL flushed before the 202)`,
  );
  if (rss.length > 0) {
    const first = rss[0] as number;
    const last = rss[rss.length - 1] as number;
    console.log(
      `rss: ${mb(first)} MiB after ${SAMPLE} posts, ${mb(Math.max(...rss))} MiB peak, ${mb(last)} MiB after ` +
        `${accepted} (samples every ${SAMPLE}: ${rss.length})`,
    );
    console.log(`rss by ${SAMPLE} posts (MiB): ${rss.map(mb).join(' ')}`);
    if (heap.length > 0) console.log(`heap after gc by ${SAMPLE} posts (MiB): ${heap.map(mb).join(' ')}`);
  }

  // 2. Deliveries/s to a loopback sink in another process.
  if (DELIVERIES > 0) {
    const sink = await startSink();
    const modes: ('one session each' | 'sessions kept')[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (COMPARE) modes.push('one session each');
      modes.push('sessions kept');
    }
    const rates = new Map<string, number[]>();
    for (const mode of modes) {
      const depth = await store.outboxDepth();
      if (depth.queued < DELIVERIES) {
        console.log(`deliveries (${mode}): only ${depth.queued} rows left in the outbox; post more (--posts)`);
        break;
      }
      const before = await sink.counts();
      const rate = await deliver(mode === 'sessions kept');
      const after = await sink.counts();
      const connections = after.connections - before.connections;
      const handshakes = after.tlsHandshakes - before.tlsHandshakes;
      const resumed = after.tlsResumed - before.tlsResumed;
      rates.set(mode, [...(rates.get(mode) ?? []), rate]);
      console.log(
        `deliveries (${mode}): ${DELIVERIES} in ${(DELIVERIES / rate).toFixed(1)} s = ${rate.toFixed(0)} deliveries/s ` +
          `(${WORKERS} at once, MX lookup + SMTP${TLS ? ' with STARTTLS' : ''} + attempt commit per delivery; sink: ` +
          `${SINK === 'postfix' ? "Postfix's smtp-sink" : 'smtp-server child'}` +
          (after.connections < 0
            ? ')'
            : `, ${connections} connections, ${handshakes} TLS handshakes, ${resumed} resumed)`),
      );
    }
    const median = (values: number[] = []) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    if (COMPARE && rates.has('one session each') && rates.has('sessions kept'))
      console.log(
        `deliveries: sessions kept / one session each = ` +
          `${(median(rates.get('sessions kept')) / median(rates.get('one session each'))).toFixed(2)} ` +
          `(medians of ${ROUNDS} round(s), same run)`,
      );
    await sink.stop();
  }

  /** Drains DELIVERIES rows with one relay; its deliveries per second. */
  async function deliver(keepSessions: boolean): Promise<number> {
    let delivered = 0;
    let wake: () => void = () => undefined;
    const relay = Relay.open(
      parse(document(WORKERS)).relay as NonNullable<ServeConfig['relay']>,
      {
        store,
        resolver: createResolver({ servers: [dns.address], timeoutMs: 1_000 }),
        logger: pino({ level: 'silent' }),
        now: Date.now,
        onAttempt(result) {
          if (result !== 'delivered') throw new Error(`a bench delivery was ${result}`);
          if (++delivered >= DELIVERIES) wake();
        },
      },
      { pollMs: 20, ...(keepSessions ? {} : { connectionCache: false }) },
    );
    const done = new Promise<void>((resolve) => (wake = resolve));
    const deliverStart = performance.now();
    relay.start();
    await done;
    const seconds = (performance.now() - deliverStart) / 1000;
    await relay.stop(5_000);
    return DELIVERIES / seconds;
  }
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
