/**
 * `npm run bench` (docs/performance.md): mailtrust `evaluate()` against mailauth 4.13 `authenticate()` and the
 * crypto floor on the reference corpus, in one run, alternating; then DNS lookups per message (cold and warm, over
 * real DNS on loopback), a 100 MB message streamed through `createEvaluator()`, and 2-worker throughput.
 *
 * Every result is checked: a message whose result is not the expected pass counts as wrong, and any wrong result
 * makes the run exit 1. Performance itself is never asserted.
 *
 * Throughput is measured at steady state: each contender first runs BENCH_WARMUP whole passes over the corpus, so
 * that V8 has optimized its code (a function called once per message is optimized only after some thousands of
 * calls). The first of those passes is reported too, as the cold-start figure.
 *
 * Each contender runs whole passes in a round until BENCH_MIN_ROUND_MS (default 3000) have passed.
 *
 * Environment: BENCH_MESSAGES (default 2000), BENCH_ROUNDS (default 7), BENCH_WARMUP (default 5),
 * BENCH_STREAM_MB (default 100),
 * BENCH_ONLY=mailtrust|mailauth|floor (profiling: only that contender, no other sections), BENCH_PROFILE=FILE
 * (write a V8 CPU profile of the measured passes only; read it with `node dist/bench/profile-top.js FILE`).
 */
import { fork } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  createEvaluationPool,
  createResolver,
  evaluate,
  prependHeader,
  signDkim,
  type Evaluation,
} from '../src/core/index.js';
import { startTestDnsServer } from '../test/support/dns-server.js';
import { seededRandom } from '../test/support/random.js';
import { buildCorpus, makeBody, makeMessage, type Corpus, type CorpusMessage } from './corpus.js';
import { combine, cpuPerMessage, mb, measurePass, perSecond, type PassMeasure } from './measure.js';
import { peerAuthenticate, peerMismatch, peerResolver } from './peer.js';
import type { StreamJob, StreamReport } from './stream.js';

const COUNT = Number(process.env['BENCH_MESSAGES'] ?? 2000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 5);
const MIN_ROUND_MS = Number(process.env['BENCH_MIN_ROUND_MS'] ?? 3000);
const STREAM_MB = Number(process.env['BENCH_STREAM_MB'] ?? 100);
const ONLY = process.env['BENCH_ONLY'];
const PROFILE = process.env['BENCH_PROFILE'];

const out = (line = '') => process.stdout.write(`${line}\n`);
let failures = 0;

/** Why mailtrust's evaluation is not the expected pass for this corpus message, or undefined when it is. */
function mailtrustMismatch(message: CorpusMessage, evaluation: Evaluation): string | undefined {
  if (evaluation.dkim.length !== 1 || evaluation.dkim[0]?.result !== 'pass')
    return `dkim=${evaluation.dkim.map((d) => d.result).join(',')}`;
  if (evaluation.spf.result !== 'pass') return `spf=${evaluation.spf.result}`;
  if (evaluation.dmarc.result !== 'pass') return `dmarc=${evaluation.dmarc.result}`;
  const arc = message.arc ? 'pass' : 'none';
  if (evaluation.arc.result !== arc) return `arc=${evaluation.arc.result}`;
  if (evaluation.iprev.result !== 'pass') return `iprev=${evaluation.iprev.result}`;
  // The corpus is mail a receiver should trust: the verdict must say so (reasons at level info only).
  if (evaluation.verdict !== 'trusted')
    return `verdict=${evaluation.verdict} (${evaluation.reasons.map((r) => r.id).join(', ')})`;
  return undefined;
}

/** The crypto floor: SHA-256 over the message's bytes and one RSA-2048 verify with an already parsed key. */
function makeFloor(corpus: Corpus): (message: CorpusMessage) => string | undefined {
  const keys = new Map<string, { key: KeyObject; data: Buffer; signature: Buffer }>();
  for (const signer of corpus.signers) {
    const data = Buffer.from(`from:news@${signer.domain}\r\ndkim-signature:v=1; a=rsa-sha256; b=`);
    const privateKey = createPrivateKey(signer.privateKeyPem);
    keys.set(signer.domain, {
      key: createPublicKey(privateKey),
      data,
      signature: sign('sha256', data, privateKey),
    });
  }
  return (message) => {
    const entry = keys.get(message.domain)!;
    createHash('sha256').update(message.raw).digest();
    return verify('sha256', entry.data, entry.key, entry.signature) ? undefined : 'verify failed';
  };
}

function report(name: string, pass: PassMeasure, extra = ''): void {
  out(
    `  ${name.padEnd(22)} ${perSecond(pass).toFixed(0).padStart(8)} msg/s  ${cpuPerMessage(pass).toFixed(4).padStart(8)} ms CPU/msg` +
      `  peak RSS ${mb(pass.peakRssBytes).padStart(6)} MB  wrong ${pass.wrong}${extra}`,
  );
  if (pass.wrong > 0) {
    failures += pass.wrong;
    out(`    first wrong: ${pass.firstWrong ?? ''}`);
  }
}

interface Throughput {
  mailtrust: PassMeasure;
  mailauth: PassMeasure;
  floor: PassMeasure;
  /** The first warm-up pass of each contender. */
  cold: Partial<Record<'mailtrust' | 'mailauth' | 'floor', PassMeasure>>;
  /** Each round's passes (the contenders ran back to back in a round, so a round's ratios are paired). */
  rounds: Partial<Record<'mailtrust' | 'mailauth' | 'floor', PassMeasure>>[];
}

/** The median (the mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function throughput(corpus: Corpus): Promise<Throughput> {
  const messages = corpus.messages;
  const resolver = createResolver({ zone: corpus.zone });
  const peer = peerResolver(corpus.zone);
  const floor = makeFloor(corpus);
  const contenders = {
    mailtrust: async (i: number) => {
      const m = messages[i]!;
      return mailtrustMismatch(m, await evaluate(m.raw, m.envelope, { resolver, now: corpus.now }));
    },
    mailauth: async (i: number) => {
      const m = messages[i]!;
      return peerMismatch(m, await peerAuthenticate(m, peer.resolve));
    },
    floor: (i: number) => floor(messages[i]!),
  };
  const names = (Object.keys(contenders) as (keyof typeof contenders)[]).filter((n) => !ONLY || n === ONLY);
  // Warm-up: whole passes through each contender, alternating (results checked too). The first pass is the
  // cold-start figure: the code as V8 first runs it, before its optimizing compiler has seen enough calls.
  const cold: Partial<Record<keyof typeof contenders, PassMeasure>> = {};
  for (let pass = 0; pass < Math.max(1, WARMUP); pass++) {
    for (const name of names) {
      const measured = await measurePass(messages.length, contenders[name]);
      if (measured.wrong > 0) report(`${name} (warm-up)`, measured);
      if (pass === 0) cold[name] = measured;
    }
  }
  const passes: Record<string, PassMeasure[]> = { mailtrust: [], mailauth: [], floor: [] };
  const session = PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order every round so neither side always runs right after the other's garbage.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      // Whole passes until the round has lasted MIN_ROUND_MS: a pass of the fastest contender is short enough for
      // one burst of the machine's other work to move it by a fifth; a longer measure averages such bursts out.
      const measured: PassMeasure[] = [];
      let wallMs = 0;
      do {
        const pass = await measurePass(messages.length, contenders[name]);
        measured.push(pass);
        wallMs += pass.wallMs;
      } while (wallMs < MIN_ROUND_MS);
      passes[name]!.push(combine(measured));
    }
  }
  if (session && PROFILE) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(PROFILE, JSON.stringify(profile));
    session.disconnect();
  }
  return {
    mailtrust: combine(passes['mailtrust']!),
    mailauth: combine(passes['mailauth']!),
    floor: combine(passes['floor']!),
    cold,
    rounds: Array.from({ length: ROUNDS }, (_, i) => ({
      ...(passes['mailtrust']![i] ? { mailtrust: passes['mailtrust']![i] } : {}),
      ...(passes['mailauth']![i] ? { mailauth: passes['mailauth']![i] } : {}),
      ...(passes['floor']![i] ? { floor: passes['floor']![i] } : {}),
    })),
  };
}

/** Lookups of one evaluation over real DNS on loopback: cold (fresh cache) and warm (same resolver again). */
async function lookups(corpus: Corpus): Promise<void> {
  const server = await startTestDnsServer({ records: corpus.zone });
  try {
    const delayMs = 25;
    for (const arc of [false, true]) {
      const message = corpus.messages.find((m) => m.arc === arc)!;
      const resolver = createResolver({ servers: [server.address], timeoutMs: 2000, retries: 0, cache: true });
      server.setRules([{ name: /.*/, action: { delayMs } }]);
      server.queries.length = 0;
      const t0 = performance.now();
      const cold = await evaluate(message.raw, message.envelope, { resolver, now: corpus.now });
      const coldMs = performance.now() - t0;
      const coldServer = server.queries.length;
      const asked = cold.dns.queries.map((q) => `${q.type} ${q.name}`);
      const unique = new Set(asked).size;
      server.setRules([]);
      server.queries.length = 0;
      const next = corpus.messages.find((m) => m.arc === arc && m !== message && m.domain === message.domain)!;
      const warm = await evaluate(next.raw, next.envelope, { resolver, now: corpus.now });
      const warmNetwork = warm.dns.queries.filter((q) => q.source === 'network').length;
      const warmCache = warm.dns.queries.filter((q) => q.source === 'cache').length;
      const label = arc ? 'DKIM + ARC message' : 'DKIM message';
      const wrongCold = mailtrustMismatch(message, cold);
      const wrongWarm = mailtrustMismatch(next, warm);
      if (wrongCold || wrongWarm) {
        failures++;
        out(`  ${label}: WRONG ${wrongCold ?? ''} ${wrongWarm ?? ''}`);
      }
      if (unique !== asked.length) failures++;
      out(
        `  ${label.padEnd(20)} cold: ${asked.length} lookups (${coldServer} reached the server, ${unique} distinct` +
          `${unique === asked.length ? ', none twice' : ', SOME TWICE'}), ${coldMs.toFixed(0)} ms at ${delayMs} ms/lookup` +
          ` = ${(coldMs / delayMs).toFixed(1)} sequential round trips`,
      );
      out(
        `  ${''.padEnd(20)} warm: ${warmNetwork} lookups on the network, ${warmCache} answered from the cache` +
          ` (${server.queries.length} reached the server)`,
      );
    }
    const peer = peerResolver(corpus.zone);
    const plain = corpus.messages.find((m) => !m.arc)!;
    const sealed = corpus.messages.find((m) => m.arc)!;
    await peerAuthenticate(plain, peer.resolve);
    const plainLookups = peer.lookups;
    peer.lookups = 0;
    await peerAuthenticate(sealed, peer.resolve);
    out(`  mailauth (no cache)  ${plainLookups} lookups (DKIM message), ${peer.lookups} (DKIM + ARC message)`);
  } finally {
    await server.close();
  }
}

/** A signed message of about `megabytes` MB, written to a file; streamed through createEvaluator in a child. */
async function streaming(corpus: Corpus, megabytes: number): Promise<void> {
  const random = seededRandom(7);
  const block = Buffer.from(makeBody(random, 1024 * 1024), 'utf8');
  const body = Buffer.alloc(block.length * megabytes);
  for (let i = 0; i < megabytes; i++) block.copy(body, i * block.length);
  const signer = corpus.signers[0]!;
  const head = Buffer.from(makeMessage(random, 1, signer.domain, ''), 'utf8');
  let raw: Uint8Array = Buffer.concat([head, body]);
  const signature = signDkim(raw, {
    domain: signer.domain,
    selector: signer.selector,
    privateKey: signer.privateKeyPem,
    now: corpus.now,
  });
  if (!signature.ok) throw new Error(signature.error.message);
  raw = prependHeader(raw, signature.field);
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-bench-'));
  const path = join(dir, 'large.eml');
  writeFileSync(path, raw);
  const size = raw.length;
  raw = new Uint8Array(0);
  try {
    const child = fork(fileURLToPath(new URL('./stream.js', import.meta.url)), [], {
      serialization: 'advanced',
      execArgv: ['--expose-gc'],
    });
    const job: StreamJob = {
      path,
      zone: corpus.zone,
      envelope: corpus.messages[0]!.envelope.mailFrom?.endsWith(signer.domain)
        ? corpus.messages[0]!.envelope
        : { ...corpus.messages[0]!.envelope, mailFrom: `bounce@${signer.domain}` },
      now: corpus.now,
      chunkBytes: 64 * 1024,
    };
    const result = await new Promise<StreamReport | { error: string }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as StreamReport | { error: string }));
      child.once('error', reject);
      child.send(job);
    });
    if ('error' in result) {
      failures++;
      out(`  streaming failed: ${result.error}`);
      return;
    }
    const growth = result.peakRssBytes - result.baselineRssBytes;
    const ok = result.dkim === 'pass' && result.spf === 'pass' && result.dmarc === 'pass';
    if (!ok) failures++;
    out(
      `  ${mb(size)} MB message in 64 KiB chunks: ${((size / 1048576 / result.wallMs) * 1000).toFixed(0)} MB/s, ` +
        `peak RSS growth ${mb(growth)} MB (baseline ${mb(result.baselineRssBytes)} MB, peak ${mb(result.peakRssBytes)} MB)` +
        `, target < 32 MB: ${growth < 32 * 1048576 ? 'met' : 'NOT MET'}`,
    );
    out(`  results: dkim=${result.dkim} spf=${result.spf} dmarc=${result.dmarc}${ok ? '' : '  WRONG'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Throughput of a worker pool (each worker with its own in-memory resolver), 64 messages in flight. */
async function poolThroughput(corpus: Corpus, size: number, rounds: number): Promise<{ rate: number; cpuMs: number }> {
  const pool = createEvaluationPool({ size, resolver: { zone: corpus.zone } });
  try {
    const messages = corpus.messages;
    const runAll = async (count: number) => {
      let next = 0;
      let wrong = 0;
      const lane = async () => {
        while (next < count) {
          const m = messages[next++ % messages.length]!;
          const evaluation = await pool.evaluate(m.raw, m.envelope, { now: corpus.now });
          if (mailtrustMismatch(m, evaluation) !== undefined) wrong++;
        }
      };
      await Promise.all(Array.from({ length: 64 }, lane));
      return wrong;
    };
    // Warm-up: as many passes per worker as the single-thread contenders had (messages are spread over workers).
    failures += await runAll(messages.length * Math.max(1, WARMUP) * size);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const total = messages.length * rounds;
    const wrong = await runAll(total);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    failures += wrong;
    const rate = (total / wallMs) * 1000;
    out(
      `  ${size} worker${size > 1 ? 's' : ' '}: ${rate.toFixed(0).padStart(6)} msg/s over ${total} messages, ` +
        `process CPU ${((cpu.user + cpu.system) / 1000 / total).toFixed(4)} ms/msg (all threads), wrong ${wrong}`,
    );
    return { rate, cpuMs: (cpu.user + cpu.system) / 1000 / total };
  } finally {
    await pool.close();
  }
}

async function workers(corpus: Corpus, single: PassMeasure): Promise<void> {
  const rounds = Math.max(1, ROUNDS - 1);
  const one = await poolThroughput(corpus, 1, 1);
  const two = await poolThroughput(corpus, 2, rounds);
  out(
    `  2 workers = ${(two.rate / one.rate).toFixed(2)}× 1 worker, ${(two.rate / perSecond(single)).toFixed(2)}× ` +
      `evaluate() on the main thread (${perSecond(single).toFixed(0)} msg/s above)`,
  );
}

async function main(): Promise<void> {
  out(`mailtrust benchmark — node ${process.version}, nproc ${cpus().length} (${cpus()[0]?.model ?? 'unknown cpu'})`);
  const t0 = performance.now();
  const corpus = await buildCorpus({ count: COUNT });
  const bytes = corpus.messages.reduce((sum, m) => sum + m.raw.length, 0);
  const arcCount = corpus.messages.filter((m) => m.arc).length;
  out(
    `corpus: ${corpus.messages.length} messages, ${mb(bytes)} MB (avg ${(bytes / corpus.messages.length / 1024).toFixed(1)} KiB), ` +
      `${arcCount} with an ARC set; DKIM rsa-sha256 2048; SPF 2 nested includes; DMARC p=reject; ` +
      `built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  out();
  out(
    `throughput, single thread, zero-latency in-memory DNS (${ROUNDS} alternating rounds, each contender passing` +
      ` over the ${COUNT} messages for at least ${MIN_ROUND_MS / 1000} s per round, after ${Math.max(1, WARMUP)} warm-up passes):`,
  );
  const result = await throughput(corpus);
  if (!ONLY || ONLY === 'mailtrust') report('mailtrust evaluate()', result.mailtrust);
  if (!ONLY || ONLY === 'mailauth') report('mailauth authenticate()', result.mailauth);
  if (!ONLY || ONLY === 'floor') report('crypto floor', result.floor);
  if (!ONLY) {
    // Ratios per round (both sides measured seconds apart), then their median: the machine's drift over
    // the run moves both sides of a round together, and one disturbed round does not move the median.
    const paired = (of: (round: Throughput['rounds'][number]) => number | undefined) =>
      result.rounds.map(of).filter((x): x is number => x !== undefined && Number.isFinite(x));
    const peerRatios = paired((r) =>
      r.mailtrust && r.mailauth ? perSecond(r.mailtrust) / perSecond(r.mailauth) : undefined,
    );
    const floorRatios = paired((r) =>
      r.mailtrust && r.floor ? cpuPerMessage(r.mailtrust) / cpuPerMessage(r.floor) : undefined,
    );
    const vsPeer = median(peerRatios);
    const vsFloor = median(floorRatios);
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
    const rates = (name: 'mailtrust' | 'mailauth') =>
      result.rounds.map((r) => (r[name] ? perSecond(r[name]).toFixed(0) : '-')).join(' ');
    out(`  per round, msg/s: mailtrust ${rates('mailtrust')}; mailauth ${rates('mailauth')}`);
    out(
      `  per round: mailtrust/mailauth ${peerRatios.map((x) => x.toFixed(2)).join(' ')}; ` +
        `CPU/floor ${floorRatios.map((x) => x.toFixed(2)).join(' ')} (the ratios below are their medians)`,
    );
    out(
      `  ratio: mailtrust = ${vsPeer.toFixed(2)}× mailauth's throughput (range ${spread(peerRatios)}; target ≥ 8: ${vsPeer >= 8 ? 'met' : 'NOT MET'}); ` +
        `CPU/msg = ${vsFloor.toFixed(2)}× the crypto floor (target ≤ 3: ${vsFloor <= 3 ? 'met' : 'NOT MET'})`,
    );
    out(
      `  mailauth CPU/msg = ${(cpuPerMessage(result.mailauth) / cpuPerMessage(result.floor)).toFixed(1)}× the floor` +
        ` (RSS is the whole process's, sampled during each pass)`,
    );
    const coldTrust = result.cold.mailtrust;
    const coldPeer = result.cold.mailauth;
    if (coldTrust && coldPeer)
      out(
        `  cold start (first pass, before V8 has optimized either): mailtrust ${perSecond(coldTrust).toFixed(0)} msg/s,` +
          ` mailauth ${perSecond(coldPeer).toFixed(0)} msg/s (${(perSecond(coldTrust) / perSecond(coldPeer)).toFixed(2)}×)`,
      );
    out();
    out('DNS lookups per message (real DNS on 127.0.0.1, caching resolver):');
    await lookups(corpus);
    out();
    out(`streaming (createEvaluator, child process):`);
    await streaming(corpus, STREAM_MB);
    out();
    out('worker threads (createEvaluationPool, in-memory DNS per worker):');
    await workers(corpus, result.mailtrust);
  }
  out();
  out(
    `total ${((performance.now() - t0) / 1000).toFixed(1)} s; ${failures === 0 ? 'every result as expected' : `${failures} WRONG RESULTS`}`,
  );
  if (failures > 0) process.exitCode = 1;
}

await main();
