/**
 * `npm run bench:serve`: the SMTP test address under load. 20 concurrent SMTP sessions on loopback send the bench
 * corpus (bench/corpus.ts: DKIM rsa-sha256, a quarter with ARC, 2 KB / 20 KB / 200 KB bodies) to the test
 * address of a service started in this process with a SQLite store in a temporary directory; DNS comes from the
 * loopback test server, with the shared cache warmed by a first pass.
 *
 * The clients (bench/serve-clients.ts) and the DNS server run in processes of their own, so this process's CPU is
 * the service's alone. It reports messages/s, the service's CPU ms per message, p50/p99 from the end of DATA to the
 * 250, the service's RSS — and `evaluate()` alone on the same messages with the same warm resolver, in the same
 * run and process, for the overhead ratio; the clients' CPU is reported on its own line.
 *
 * Every 250 is checked against the store (the count must match), and every message must be evaluated as the
 * corpus expects (DKIM pass); performance itself is never asserted.
 *
 * The floor under the service's figures, in the same run: the same load sent to an SMTP server built as the test
 * address's that only reads each message and answers 250 (smtp-floor.ts) — its messages/s and CPU per message,
 * what receiving a message over SMTP costs this process before any evaluation or storing.
 *
 * Environment: BENCH_MESSAGES (corpus size, default 300), BENCH_SEND (messages sent, default 2000),
 * BENCH_SESSIONS (default 20), BENCH_WARMUP (messages sent before measuring, default 4,000: the first pass over the
 * corpus fills the DNS cache, and V8 goes on optimizing for thousands of messages more — after 900, `evaluate()`
 * alone still cost twice its steady-state CPU), BENCH_PROFILE=FILE (write a V8 CPU profile of the service's process
 * during the measured run only; read it with `node dist/bench/profile-top.js FILE`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import { createResolver, evaluate } from '../src/core/index.js';
import { validateConfig } from '../src/server/config.js';
import { startService } from '../src/server/service.js';
import { newId, openStore } from '../src/store/index.js';
import { startDnsServerProcess } from '../test/support/dns-server-process.js';
import { buildCorpus } from './corpus.js';
import { dataPayload, startClientProcess } from './serve-clients.js';
import { startFloorSmtp } from './smtp-floor.js';
import { helperThreadsMs } from './threads.js';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 300);
const SEND = Number(process.env['BENCH_SEND'] ?? 2000);
const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 20);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 4000);
const PROFILE = process.env['BENCH_PROFILE'];
const DOMAIN = 'check.bench.example';
const out = (line = '') => process.stdout.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  out(`building the corpus: ${MESSAGES} messages …`);
  const corpus = await buildCorpus({ count: MESSAGES });
  const clients = await startClientProcess({
    payloads: corpus.messages.map((m) => dataPayload(m.raw)),
    mailFrom: corpus.messages.map((m) => m.envelope.mailFrom ?? ''),
    helo: corpus.messages[0]!.envelope.helo ?? 'bench.example',
  });
  const dns = await startDnsServerProcess(corpus.zone);
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
  const service = await startService(parsed.config, { logDestination: quiet, now: () => now });
  const smtpAddress = service.face('smtp')!.address;
  const port = Number(smtpAddress.slice(smtpAddress.lastIndexOf(':') + 1));
  const load = { port, domain: DOMAIN, sessions: SESSIONS };

  // Warm-up: the first pass over the corpus fills the shared DNS cache; the rest let V8 finish optimizing (with less,
  // it still compiled the engine's functions during the measured run, on CPU counted as the service's).
  out(`warm-up: ${WARMUP} messages …`);
  await clients.run({ ...load, count: WARMUP });

  out(`sending ${SEND} messages over ${SESSIONS} sessions …`);
  const session = PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const threads0 = helperThreadsMs();
  let rssPeak = process.memoryUsage.rss();
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 100);
  const result = await clients.run({ ...load, count: SEND });
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const threadsMs = helperThreadsMs() - threads0;
  clearInterval(rssTimer);
  if (session && PROFILE) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(PROFILE, JSON.stringify(profile));
    session.disconnect();
  }
  await service.close(1000);

  // The floor: the same load to an SMTP server that only reads each message (its library's code is warm already).
  const floor = await startFloorSmtp(parsed.config.smtp!);
  const floorLoad = { ...load, port: floor.port };
  await clients.run({ ...floorLoad, count: Math.min(WARMUP, 1000) });
  const floorCpu0 = process.cpuUsage();
  const floorThreads0 = helperThreadsMs();
  const floorResult = await clients.run({ ...floorLoad, count: SEND });
  const floorCpu = process.cpuUsage(floorCpu0);
  const floorThreadsMs = helperThreadsMs() - floorThreads0;
  await floor.close();
  await clients.stop();

  // Every 250 is a stored message, evaluated as the corpus expects.
  const store = await openStore(`sqlite:${join(dir, 'bench.db')}`);
  let stored = 0;
  let dkimPass = 0;
  for (const id of result.acknowledged) {
    const message = await store.getMessage(id);
    if (message) stored++;
    if (message?.evaluation.dkim[0]?.result === 'pass') dkimPass++;
  }
  await store.close();

  // evaluate() alone: the same messages, the same (warm) resolver kind, one after another, in this process.
  const resolver = createResolver({ servers: [dns.address] });
  for (let i = 0; i < WARMUP; i++) {
    const m = corpus.messages[i % corpus.messages.length]!;
    await evaluate(m.raw, m.envelope, { resolver, now: corpus.now });
  }
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

  // The store alone: the same rows the test address stores (evaluation and raw message), saved by SESSIONS callers
  // at once into a fresh database with the service's settings.
  const evaluations = await Promise.all(
    corpus.messages.map((m) => evaluate(m.raw, m.envelope, { resolver, now: corpus.now })),
  );
  const storeAlone = await openStore(`sqlite:${join(dir, 'store-alone.db')}`);
  let saved = 0;
  const save = async (count: number) => {
    for (let k = 0; k < count; k++) {
      const i = saved++ % corpus.messages.length;
      const raw = Buffer.from(corpus.messages[i]!.raw);
      const evaluation = evaluations[i]!;
      await storeAlone.saveMessage({
        id: newId(now),
        receivedAt: now,
        source: 'smtp',
        localPart: 'alone',
        envelope: evaluation.envelope,
        evaluation,
        action: 'accept',
        raw,
        size: raw.length,
      });
    }
  };
  const saveAll = (count: number) =>
    Promise.all(
      Array.from({ length: SESSIONS }, (_, s) => save(Math.floor(count / SESSIONS) + (s < count % SESSIONS ? 1 : 0))),
    );
  await saveAll(Math.min(WARMUP, 1000));
  const storeCpu0 = process.cpuUsage();
  const storeThreads0 = helperThreadsMs();
  await saveAll(SEND);
  const storeCpu = process.cpuUsage(storeCpu0);
  const storeThreadsMs = helperThreadsMs() - storeThreads0;
  await storeAlone.close();
  await dns.stop();
  rmSync(dir, { recursive: true, force: true });

  const latencies = result.latencies.sort((a, b) => a - b);
  const cpuPerMessage = (cpu.user + cpu.system) / 1000 / SEND;
  const evalCpuPerMessage = (evalCpu.user + evalCpu.system) / 1000 / SEND;
  const overhead = cpuPerMessage - evalCpuPerMessage;
  out();
  out(`serve: ${SEND} messages, ${SESSIONS} sessions, ${MESSAGES}-message corpus (bodies 2/20/200 KB), SQLite store`);
  out(
    `  throughput        ${(SEND / (result.wallMs / 1000)).toFixed(0)} messages/s (${(result.wallMs / 1000).toFixed(2)} s)`,
  );
  out(
    `  service CPU       ${cpuPerMessage.toFixed(2)} ms/message (the service's process alone: ` +
      `user ${(cpu.user / 1000 / SEND).toFixed(2)}, system ${(cpu.system / 1000 / SEND).toFixed(2)})`,
  );
  out(
    `  of which          ${(threadsMs / SEND).toFixed(2)} ms/message on threads other than the main one ` +
      "(V8's compiler and collector, libuv's pool, the checkpoint worker)",
  );
  out(`  event loop busy   ${(elu.utilization * 100).toFixed(0)} % of the run (the service's main thread)`);
  out(`  clients CPU       ${(result.cpuMicros / 1000 / SEND).toFixed(2)} ms/message (their own process)`);
  out(
    `  end of DATA → 250 p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  out(`  RSS peak          ${(rssPeak / 1024 / 1024).toFixed(0)} MB (the service's process)`);
  out(`  stored            ${stored}/${result.acknowledged.length} acknowledged; DKIM pass ${dkimPass}`);
  out(
    `evaluate() alone: ${(SEND / (evalWallMs / 1000)).toFixed(0)} messages/s, ${evalCpuPerMessage.toFixed(2)} ms CPU/message`,
  );
  out(`ratio: service CPU / evaluate() CPU = ${(cpuPerMessage / evalCpuPerMessage).toFixed(2)}×`);
  out(
    `overhead: SMTP + store ${overhead.toFixed(2)} ms/message = ${(overhead / evalCpuPerMessage).toFixed(2)}× evaluate()`,
  );
  const floorCpuPerMessage = (floorCpu.user + floorCpu.system) / 1000 / SEND;
  out('floor (an SMTP server built as the test address, that only reads each message and answers 250):');
  out(
    `  throughput        ${(SEND / (floorResult.wallMs / 1000)).toFixed(0)} messages/s; CPU ` +
      `${floorCpuPerMessage.toFixed(2)} ms/message (system ${(floorCpu.system / 1000 / SEND).toFixed(2)}, ` +
      `other threads ${(floorThreadsMs / SEND).toFixed(2)}) = ` +
      `${(floorCpuPerMessage / evalCpuPerMessage).toFixed(2)}× evaluate()`,
  );
  const storeCpuPerMessage = (storeCpu.user + storeCpu.system) / 1000 / SEND;
  out(
    `store alone (saveMessage of the same rows, ${SESSIONS} at once): CPU ${storeCpuPerMessage.toFixed(2)} ms/message ` +
      `(system ${(storeCpu.system / 1000 / SEND).toFixed(2)}, other threads ${(storeThreadsMs / SEND).toFixed(2)}) = ${(storeCpuPerMessage / evalCpuPerMessage).toFixed(2)}× evaluate()`,
  );
  const glue = cpuPerMessage - evalCpuPerMessage - floorCpuPerMessage - storeCpuPerMessage;
  out(
    `parts: floor ${floorCpuPerMessage.toFixed(2)} + store ${storeCpuPerMessage.toFixed(2)} + evaluate() ` +
      `${evalCpuPerMessage.toFixed(2)} = ${(cpuPerMessage - glue).toFixed(2)} ms; the service's ${cpuPerMessage.toFixed(2)} ms ` +
      `leaves ${glue.toFixed(2)} ms/message for the session between them (streaming evaluation, metrics, garbage collection)`,
  );
  if (stored !== result.acknowledged.length || result.acknowledged.length !== SEND || dkimPass !== SEND) {
    out('WRONG: not every acknowledged message is stored with a DKIM pass');
    process.exitCode = 1;
  }
}

await main();
