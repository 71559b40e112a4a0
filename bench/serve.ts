/**
 * `npm run bench:serve`: the SMTP test address under load. 20 concurrent SMTP sessions on loopback send the bench
 * corpus (bench/corpus.ts: DKIM rsa-sha256, a quarter with ARC, 2 KB / 20 KB / 200 KB bodies) to the test
 * address of a service started in this process with a SQLite store in a temporary directory; DNS comes from the
 * loopback test server, with the shared cache warmed by a first pass. It reports messages/s, CPU ms per message
 * (this process: clients, service, DNS server), p50/p99 from the end of DATA to the 250, RSS — and `evaluate()`
 * alone on the same messages with the same warm resolver, in the same run, for the overhead ratio.
 *
 * The client is a minimal SMTP client here rather than Postfix's smtp-source: smtp-source sends one message file
 * and reports no per-message latency. Every 250 is checked against the store (the count must match), and every
 * message must be evaluated as the corpus expects (DKIM pass); performance itself is never asserted.
 *
 * Environment: BENCH_MESSAGES (corpus size, default 300), BENCH_SEND (messages sent, default 2000),
 * BENCH_SESSIONS (default 20), BENCH_STORE (`sqlite`, the default, or `memory`: the test suites' in-memory store,
 * to tell the SMTP and evaluation cost from the database's commit cost).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import { createResolver, evaluate } from '../src/core/index.js';
import { validateConfig } from '../src/server/config.js';
import { startService } from '../src/server/service.js';
import { openStore } from '../src/store/index.js';
import { startTestDnsServer } from '../test/support/dns-server.js';
import { MemoryStore } from '../test/support/memory-store.js';
import { buildCorpus, type CorpusMessage } from './corpus.js';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 300);
const SEND = Number(process.env['BENCH_SEND'] ?? 2000);
const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 20);
const STORE = process.env['BENCH_STORE'] === 'memory' ? 'memory' : 'sqlite';
const DOMAIN = 'check.bench.example';
const out = (line = '') => process.stdout.write(`${line}\n`);

/** A pipelining-free SMTP client: one command, one reply. */
class Client {
  private buffer = '';
  private waiter: ((reply: string) => void) | undefined;
  constructor(private readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.buffer += data.toString('latin1');
      const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.buffer);
      if (!match) return;
      this.buffer = this.buffer.slice(match[0].length);
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.(match[0]);
    });
  }
  static async open(port: number): Promise<Client> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new Client(socket);
    await client.reply();
    return client;
  }
  reply(): Promise<string> {
    return new Promise((resolve) => (this.waiter = resolve));
  }
  send(data: string | Uint8Array): Promise<string> {
    const reply = this.reply();
    this.socket.write(data);
    return reply;
  }
  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

/** The DATA payload: dot-stuffed (RFC 5321 §4.5.2) and ended by CRLF . CRLF. */
function dataPayload(raw: Uint8Array): Buffer {
  const text = Buffer.from(raw)
    .toString('latin1')
    .replace(/\r\n\./g, '\r\n..');
  const stuffed = text.startsWith('.') ? `.${text}` : text;
  return Buffer.from(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  out(`building the corpus: ${MESSAGES} messages …`);
  const corpus = await buildCorpus({ count: MESSAGES });
  const payloads = corpus.messages.map((m) => dataPayload(m.raw));
  const dns = await startTestDnsServer({ records: corpus.zone });
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-bench-serve-'));
  const parsed = validateConfig({
    hostname: 'mx.bench.example',
    database: `sqlite:${join(dir, 'bench.db')}`,
    dns: [dns.address],
    logLevel: 'warn',
    smtp: { listen: '127.0.0.1:0', testDomain: DOMAIN, maxSessions: SESSIONS + 5 },
    http: { listen: '127.0.0.1:0' },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  const quiet = new Writable({ write: (_c, _e, done) => done() }) as unknown as DestinationStream;
  const now = corpus.now.getTime();
  const memory = STORE === 'memory' ? new MemoryStore() : undefined;
  const service = await startService(parsed.config, {
    logDestination: quiet,
    now: () => now,
    ...(memory ? { store: memory } : {}),
  });
  const smtpAddress = service.face('smtp')!.address;
  const port = Number(smtpAddress.slice(smtpAddress.lastIndexOf(':') + 1));

  const latencies: number[] = [];
  const acknowledged: string[] = [];
  let next = 0;
  const session = async (n: number): Promise<void> => {
    const client = await Client.open(port);
    await client.send(`EHLO ${corpus.messages[0]!.envelope.helo ?? 'bench.example'}\r\n`);
    for (;;) {
      const i = next++;
      if (i >= SEND) break;
      const message: CorpusMessage = corpus.messages[i % corpus.messages.length]!;
      await client.send(`MAIL FROM:<${message.envelope.mailFrom ?? ''}>\r\n`);
      await client.send(`RCPT TO:<bench${n}@${DOMAIN}>\r\n`);
      await client.send('DATA\r\n');
      const started = performance.now();
      const reply = await client.send(payloads[i % payloads.length]!);
      latencies.push(performance.now() - started);
      const id = /^250 2\.6\.0 stored as (\w+)/.exec(reply)?.[1];
      if (!id) throw new Error(`message ${i}: ${reply.trim()}`);
      acknowledged.push(id);
    }
    client.close();
  };

  // Warm-up: one pass over the corpus fills the shared DNS cache and lets V8 optimize.
  out('warm-up pass …');
  const warmSend = Math.min(SEND, corpus.messages.length);
  {
    const saved = SEND;
    next = saved - warmSend;
    await Promise.all(Array.from({ length: SESSIONS }, (_, n) => session(n)));
    latencies.length = 0;
    acknowledged.length = 0;
    next = 0;
  }

  out(`sending ${SEND} messages over ${SESSIONS} sessions …`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rssPeak = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  await Promise.all(Array.from({ length: SESSIONS }, (_, n) => session(n)));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(rssTimer);
  await service.close(1000);

  // Every 250 is a stored message, evaluated as the corpus expects.
  const store = memory ?? (await openStore(`sqlite:${join(dir, 'bench.db')}`));
  let stored = 0;
  let dkimPass = 0;
  for (const id of acknowledged) {
    const message = await store.getMessage(id);
    if (message) stored++;
    if (message?.evaluation.dkim[0]?.result === 'pass') dkimPass++;
  }
  await store.close();

  // evaluate() alone: the same messages, the same (warm) resolver kind, one after another.
  const resolver = createResolver({ servers: [dns.address] });
  for (const m of corpus.messages) await evaluate(m.raw, m.envelope, { resolver, now: corpus.now });
  const evalCpu0 = process.cpuUsage();
  const e0 = performance.now();
  let evaluated = 0;
  while (evaluated < SEND) {
    const m = corpus.messages[evaluated % corpus.messages.length]!;
    await evaluate(m.raw, m.envelope, { resolver, now: corpus.now });
    evaluated++;
  }
  const evalWallMs = performance.now() - e0;
  const evalCpu = process.cpuUsage(evalCpu0);
  await dns.close();
  rmSync(dir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const cpuPerMessage = (cpu.user + cpu.system) / 1000 / SEND;
  const evalCpuPerMessage = (evalCpu.user + evalCpu.system) / 1000 / SEND;
  out();
  out(`serve: ${SEND} messages, ${SESSIONS} sessions, ${MESSAGES}-message corpus (bodies 2/20/200 KB), ${STORE} store`);
  out(`  throughput        ${(SEND / (wallMs / 1000)).toFixed(0)} messages/s (${(wallMs / 1000).toFixed(2)} s)`);
  out(`  CPU               ${cpuPerMessage.toFixed(2)} ms/message (clients + service + DNS server, one process)`);
  out(
    `  end of DATA → 250 p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  out(`  RSS peak          ${(rssPeak / 1024 / 1024).toFixed(0)} MB`);
  out(`  stored            ${stored}/${acknowledged.length} acknowledged; DKIM pass ${dkimPass}`);
  out(
    `evaluate() alone: ${(SEND / (evalWallMs / 1000)).toFixed(0)} messages/s, ${evalCpuPerMessage.toFixed(2)} ms CPU/message`,
  );
  out(`overhead: serve CPU / evaluate() CPU = ${(cpuPerMessage / evalCpuPerMessage).toFixed(2)}×`);
  if (stored !== acknowledged.length || acknowledged.length !== SEND || dkimPass !== SEND) {
    out('WRONG: not every acknowledged message is stored with a DKIM pass');
    process.exitCode = 1;
  }
}

await main();
