/**
 * The milter benchmark (`npm run bench:milter`; not a test): Postfix's `smtp-source` (20 sessions) sends the bench
 * corpus's size classes to a private Postfix instance (loopback 127.0.2.1) that relays to Postfix's `smtp-sink`,
 * once through mailtrust's milter and once without it, in one run. Reported:
 *
 * - messages/s of each (the time until `smtp-source` has every message accepted, then the queue drained to the
 *   sink before the next run), and their ratio (target: with the milter ≥ 80 % of Postfix alone);
 * - the milter's CPU per message (this process runs only the milter during the run) against `evaluate()` alone on
 *   the same messages with the same envelope and Postfix's Received field on top (target ≤ 1.5×). Both are
 *   measured warm (4,000 messages through the milter first), and neither is charged for making its input; the
 *   share of V8's helper threads (compiler, garbage collector) is reported;
 * - the floor under both figures, in the same run: Postfix with a milter that speaks the protocol exactly as
 *   mailtrust's does and judges nothing (milter-floor.ts) — its rate against Postfix alone, and its CPU per message,
 *   which is what receiving a message over the milter protocol costs this process before any evaluation.
 *
 * DNS is the corpus's zone in memory (zero latency), as in `npm run bench`. Every action is `tag`, so every message
 * is delivered in both runs. Needs root and Postfix (as the end-to-end test).
 * Options: --messages N (default 600), --rounds N (default 2; runs alternate without/with), --warmup N (messages
 * through the milter before measuring, default 4,000).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createResolver, evaluate, type Envelope } from '../src/core/index.js';
import { startMilter } from '../src/milter/index.js';
import { freePort, postfixUnavailable, startPostfix, type PostfixInstance } from '../test/milter/postfix-instance.js';
import { buildCorpus, referenceSizes, type CorpusMessage } from './corpus.js';
import { startFloorMilter } from './milter-floor.js';
import { helperThreadsMs } from './threads.js';

const run = promisify(execFile);
const HOST = '127.0.2.1';
const SESSIONS = 20;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

interface RunResult {
  messages: number;
  wallMs: number;
  /** CPU of this process (the milter) during the run. */
  cpuMs: number;
  /** Of which in the kernel (socket calls, and the loopback network work they carry out). */
  systemMs: number;
  /** Of which on threads other than the main one: V8's compiler and garbage collector helpers, libuv's pool. */
  helperMs: number;
}

async function queueEmpty(postfix: PostfixInstance): Promise<boolean> {
  const { stdout } = await run('/usr/sbin/postqueue', ['-c', join(postfix.dir, 'etc'), '-j']);
  return stdout.trim() === '';
}

/** One run: every size class through smtp-source (one after another), then waits for the queue to drain. */
async function sendAll(postfix: PostfixInstance, files: { path: string; count: number }[]): Promise<RunResult> {
  const cpu0 = process.cpuUsage();
  const helpers0 = helperThreadsMs();
  const t0 = performance.now();
  let messages = 0;
  for (const { path, count } of files.filter((f) => f.count > 0)) {
    await run(
      '/usr/sbin/smtp-source',
      [
        '-s',
        String(SESSIONS),
        '-m',
        String(count),
        '-f',
        'bench@example.com',
        '-t',
        'inbox@recipient.example',
        '-M',
        'mail.example.com',
        '-F',
        path,
        `${postfix.host}:${postfix.port}`,
      ],
      { timeout: 600_000 },
    );
    messages += count;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  for (let i = 0; i < 1200 && !(await queueEmpty(postfix)); i++) await new Promise((r) => setTimeout(r, 100));
  const helperMs = helperThreadsMs() - helpers0;
  return { messages, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, systemMs: cpu.system / 1000, helperMs };
}

async function main(): Promise<void> {
  const unavailable = postfixUnavailable();
  if (unavailable) {
    console.error(`bench:milter cannot run: ${unavailable}`);
    process.exit(69);
  }
  const total = option('--messages', 600);
  const rounds = option('--rounds', 2);
  const warmup = option('--warmup', 4000);
  console.log(`building the corpus (${referenceSizes.length} size classes, RSA 2048)…`);
  const corpus = await buildCorpus({ count: 40, seed: 7 });
  const resolver = createResolver({ zone: corpus.zone });

  // One message per size class (without ARC, the common case), sent in the corpus's shares.
  const dir = process.env['TMPDIR'] ?? '/tmp';
  const byClass: CorpusMessage[] = referenceSizes.map(
    (size) =>
      corpus.messages
        .filter((m) => !m.arc)
        .sort((a, b) => Math.abs(a.bodyBytes - size.bytes) - Math.abs(b.bodyBytes - size.bytes))[0]!,
  );
  const files = byClass.map((m, k) => {
    const path = join(dir, `mailtrust-bench-milter-${process.pid}-${k}.eml`);
    writeFileSync(path, Buffer.from(m.raw).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    return { path, count: Math.round(referenceSizes[k]!.share * total), message: m };
  });

  let seenEnvelope: Envelope | undefined;
  /** Per message: MAIL FROM to the end-of-message reply, as the milter saw it. */
  const milterMs: number[] = [];
  const milter = await startMilter({
    milter: { listen: { host: HOST, port: 0 }, history: false },
    actions: { untrusted: 'tag', low: 'tag', temperror: 'tag' },
    hostname: 'mx.bench.test',
    evaluate: { resolver },
    clock: () => corpus.now,
    events: {
      messageDone: (o) => {
        seenEnvelope ??= o.evaluation?.envelope;
        milterMs.push(o.ms);
      },
    },
  });
  const sinkPort = await freePort(HOST);
  const sink: ChildProcess = spawn('/usr/sbin/smtp-sink', ['-u', 'postfix', `${HOST}:${sinkPort}`, '256'], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 500));
  const postfix = await startPostfix({
    host: HOST,
    relay: { host: HOST, port: sinkPort },
    mainCf: `smtpd_milters =\nmilter_default_action = tempfail\nmilter_protocol = 6\n`,
  });
  const floor = await startFloorMilter(HOST);
  const milterOn = { smtpd_milters: `inet:${HOST}:${milter.address.port}` };
  const milterOff = { smtpd_milters: '' };
  const floorOn = { smtpd_milters: `inet:${HOST}:${floor.port}` };
  const alone: RunResult[] = [];
  const withMilter: RunResult[] = [];
  const withFloor: RunResult[] = [];
  try {
    // A warm-up through the milter, not counted: V8 takes a few thousand messages to finish compiling the engine
    // and the milter (driven without sockets, the milter's CPU per message falls from 1.0 ms over the first 600
    // to 0.17 ms after 4,000, its compiler threads' share from 0.4 ms to nothing). evaluate() below runs on the
    // code compiled by then; without this the milter's runs would carry the whole compile bill.
    await postfix.reconfigure(milterOn);
    await sendAll(
      postfix,
      files.map((f, k) => ({ path: f.path, count: Math.round(referenceSizes[k]!.share * warmup) })),
    );
    for (let round = 0; round < rounds; round++) {
      await postfix.reconfigure(milterOff);
      alone.push(await sendAll(postfix, files));
      await postfix.reconfigure(milterOn);
      withMilter.push(await sendAll(postfix, files));
      await postfix.reconfigure(floorOn);
      withFloor.push(await sendAll(postfix, files));
    }
  } finally {
    await postfix.stop();
    sink.kill('SIGTERM');
    await milter.close(1000);
    await floor.close();
    for (const f of files) rmSync(f.path, { force: true });
  }

  // evaluate() alone: the same messages, in the same shares, with the envelope the milter saw and the field
  // Postfix puts on top (its Received, which the milter is sent too). Each message is made once, before the
  // clock starts: the milter is not charged for making its input either.
  const envelope = seenEnvelope ?? { ip: HOST, helo: 'mail.example.com', mailFrom: 'bench@example.com' };
  const received =
    `Received: from mail.example.com (localhost [${envelope.ip}])\r\n\tby mx.bench.test (Postfix) with ESMTP id ` +
    `4ABCDEF123\r\n\tfor <inbox@recipient.example>; Sun,  6 Dec 2026 01:00:00 +0000 (UTC)\r\n`;
  const raws = files.map((f) => Buffer.concat([Buffer.from(received, 'latin1'), Buffer.from(f.message.raw)]));
  const options = { resolver, now: corpus.now, authservId: 'mx.bench.test' };
  for (const raw of raws) for (let i = 0; i < 40; i++) await evaluate(raw, envelope, options); // its own paths warm
  const cpu0 = process.cpuUsage();
  let evaluated = 0;
  for (let round = 0; round < rounds; round++)
    for (let k = 0; k < files.length; k++)
      for (let i = 0; i < files[k]!.count; i++) {
        await evaluate(raws[k]!, envelope, options);
        evaluated++;
      }
  const cpu = process.cpuUsage(cpu0);
  const evaluateCpu = (cpu.user + cpu.system) / 1000 / evaluated;

  const sum = (runs: RunResult[]) =>
    runs.reduce(
      (a, r) => ({
        messages: a.messages + r.messages,
        wallMs: a.wallMs + r.wallMs,
        cpuMs: a.cpuMs + r.cpuMs,
        systemMs: a.systemMs + r.systemMs,
        helperMs: a.helperMs + r.helperMs,
      }),
      { messages: 0, wallMs: 0, cpuMs: 0, systemMs: 0, helperMs: 0 },
    );
  const a = sum(alone);
  const m = sum(withMilter);
  const rateAlone = (a.messages / a.wallMs) * 1000;
  const rateMilter = (m.messages / m.wallMs) * 1000;
  const milterCpu = m.cpuMs / m.messages;
  const f = sum(withFloor);
  const rateFloor = (f.messages / f.wallMs) * 1000;
  const floorCpu = f.cpuMs / f.messages;
  console.log(
    `corpus: ${files.map((f) => `${f.count}× ${(f.message.raw.length / 1024).toFixed(0)} KB`).join(', ')} per run; ` +
      `${rounds} runs each; smtp-source ${SESSIONS} sessions, one message per connection`,
  );
  console.log(`envelope seen by the milter: ${JSON.stringify(envelope)}`);
  console.log(`Postfix alone:        ${rateAlone.toFixed(1)} messages/s`);
  console.log(`Postfix + milter:     ${rateMilter.toFixed(1)} messages/s`);
  console.log(`ratio:                ${((rateMilter / rateAlone) * 100).toFixed(1)} % (target ≥ 80 %)`);
  const sorted = [...milterMs].sort((x, y) => x - y);
  console.log(
    `milter time MAIL→reply: median ${sorted[Math.floor(sorted.length / 2)]} ms, ` +
      `p90 ${sorted[Math.floor(sorted.length * 0.9)]} ms (${sorted.length} messages)`,
  );
  console.log(
    `milter CPU/message:   ${milterCpu.toFixed(3)} ms (of which system ${(m.systemMs / m.messages).toFixed(3)} ms; ` +
      `on V8's helper threads ${(m.helperMs / m.messages).toFixed(3)} ms)`,
  );
  console.log(`evaluate() CPU/msg:   ${evaluateCpu.toFixed(3)} ms`);
  console.log(`CPU ratio:            ${(milterCpu / evaluateCpu).toFixed(2)}× (target ≤ 1.5×)`);
  console.log('floor (a milter that receives every message as this one does and judges nothing):');
  console.log(
    `  Postfix + floor:    ${rateFloor.toFixed(1)} messages/s = ${((rateFloor / rateAlone) * 100).toFixed(1)} % of Postfix alone`,
  );
  console.log(
    `  floor CPU/message:  ${floorCpu.toFixed(3)} ms (system ${(f.systemMs / f.messages).toFixed(3)} ms) = ` +
      `${(floorCpu / evaluateCpu).toFixed(2)}× evaluate()`,
  );
  console.log(
    `  milter above floor: ${(milterCpu - floorCpu).toFixed(3)} ms/message = ` +
      `${((milterCpu - floorCpu) / evaluateCpu).toFixed(2)}× evaluate()`,
  );
}

await main();
