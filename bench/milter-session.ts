/**
 * The milter session driven without sockets (`npm run bench:milter-session`; not a test): the packets Postfix sends
 * for one message per connection — OPTNEG, CONNECT and HELO with their macros, MAIL, RCPT, one packet per header
 * field, EOH, the body in chunks of at most 65,535 bytes, EOM, QUIT — are fed straight into the milter's connection
 * pump (the listener's own reader, decoder, session and reply batching), on the bench corpus (one message per size
 * class, chosen as `npm run bench:milter` chooses them), and the CPU per message is set beside `evaluate()` alone
 * on the same messages, with the same envelope and the same warm resolver, in the same process. Both contenders
 * run alternately (round by round), so that a busy machine weighs on both alike.
 *
 * Options: --messages N per round (default 600, in the corpus's size shares), --rounds N (default 3), --warmup N
 * (messages per contender before measuring, default 4,000),
 * --only session|evaluate (one contender, for a CPU profile: `node --cpu-prof dist/bench/milter-session.js`).
 */
import { performance } from 'node:perf_hooks';
import { createResolver, evaluate, type Envelope } from '../src/core/index.js';
import { encodeCommand, MILTER_CHUNK_SIZE, type MilterCommand } from '../src/milter/codec.js';
import { MilterConnection } from '../src/milter/connection.js';
import type { SessionSettings } from '../src/milter/session.js';
import { mtaView, POSTFIX_OFFER } from '../test/milter/mta-client.js';
import { buildCorpus, referenceSizes, type CorpusMessage } from './corpus.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

/** The message's packets as Postfix sends them on one connection (its own Received field first). */
function packetsOf(message: CorpusMessage, envelope: Envelope): Buffer[] {
  const view = mtaView(message.raw);
  const commands: MilterCommand[] = [
    { kind: 'optneg', ...POSTFIX_OFFER },
    {
      kind: 'macro',
      stage: 'C',
      macros: [
        ['j', 'mx.bench.test'],
        ['{daemon_name}', 'mx.bench.test'],
        ['{client_addr}', envelope.ip],
        ['{client_name}', 'localhost'],
        ['_', `localhost [${envelope.ip}]`],
      ],
    },
    { kind: 'connect', hostname: 'localhost', family: 'inet', port: 40_000, address: envelope.ip },
    { kind: 'macro', stage: 'H', macros: [] },
    { kind: 'helo', name: envelope.helo ?? '' },
    { kind: 'macro', stage: 'M', macros: [['{mail_addr}', envelope.mailFrom ?? '']] },
    { kind: 'mail', args: [`<${envelope.mailFrom ?? ''}>`] },
    { kind: 'macro', stage: 'R', macros: [] },
    ...(envelope.rcptTo ?? []).map((r): MilterCommand => ({ kind: 'rcpt', args: [`<${r}>`] })),
    { kind: 'macro', stage: 'T', macros: [['i', '4ABCDEF123']] },
    {
      kind: 'header',
      name: 'Received',
      value: ` from ${envelope.helo} (localhost [${envelope.ip}])\n\tby mx.bench.test (Postfix) with ESMTP id 4ABCDEF123\n\tfor <${envelope.rcptTo?.[0]}>; Sun,  6 Dec 2026 01:00:00 +0000 (UTC)`,
    },
    ...view.headers.map(([name, value]): MilterCommand => ({ kind: 'header', name, value })),
    { kind: 'eoh' },
  ];
  for (let at = 0; at < view.body.length; at += MILTER_CHUNK_SIZE)
    commands.push({ kind: 'body', chunk: view.body.subarray(at, at + MILTER_CHUNK_SIZE) });
  commands.push({ kind: 'macro', stage: 'E', macros: [['i', '4ABCDEF123']] });
  commands.push({ kind: 'eom', chunk: new Uint8Array(0) });
  commands.push({ kind: 'quit' });
  return commands.map(encodeCommand);
}

/** The message evaluate() is given: what the milter rebuilds (Postfix's Received field on top, CRLF line ends). */
function rawOf(message: CorpusMessage, envelope: Envelope): Buffer {
  const received =
    `Received: from ${envelope.helo} (localhost [${envelope.ip}])\r\n\tby mx.bench.test (Postfix) with ESMTP id ` +
    `4ABCDEF123\r\n\tfor <${envelope.rcptTo?.[0]}>; Sun,  6 Dec 2026 01:00:00 +0000 (UTC)\r\n`;
  return Buffer.concat([Buffer.from(received, 'latin1'), Buffer.from(message.raw)]);
}

async function main(): Promise<void> {
  const total = Number(option('--messages', '600'));
  const rounds = Number(option('--rounds', '3'));
  const only = option('--only', '');
  const warmup = Number(option('--warmup', '4000'));
  const corpus = await buildCorpus({ count: 40 });
  const resolver = createResolver({ zone: corpus.zone });
  // The envelope of `npm run bench:milter`: smtp-source on loopback.
  const envelope: Envelope = {
    ip: '127.0.0.1',
    helo: 'mail.example.com',
    mailFrom: 'bench@example.com',
    rcptTo: ['inbox@recipient.example'],
  };
  const classes = referenceSizes.map((size) => {
    const message = corpus.messages
      .filter((m) => !m.arc)
      .sort((a, b) => Math.abs(a.bodyBytes - size.bytes) - Math.abs(b.bodyBytes - size.bytes))[0]!;
    return {
      count: Math.round(size.share * total),
      packets: packetsOf(message, envelope),
      raw: rawOf(message, envelope),
    };
  });

  const settings: SessionSettings = {
    authservId: 'mx.bench.test',
    actions: { untrusted: 'tag', low: 'tag', temperror: 'tag' },
    resolver,
    evaluateOptions: {},
    timeBudgetMs: 20_000,
    progressIntervalMs: 10_000,
    clock: () => corpus.now,
  };
  let replyBytes = 0;
  /** One connection, one message: every packet in, every reply out; resolves when the session has closed. */
  const oneSession = (packets: readonly Buffer[]) =>
    new Promise<void>((resolve) => {
      const connection = new MilterConnection(settings, {
        writable: true,
        write: (bytes) => {
          replyBytes += bytes.length;
        },
        close: (how) => {
          if (how === 'destroy') throw new Error('the session ended the connection (a protocol error)');
          resolve();
        },
      });
      for (const packet of packets) connection.receive(packet);
    });
  const oneEvaluate = (raw: Buffer) =>
    evaluate(raw, envelope, { resolver, now: corpus.now, authservId: 'mx.bench.test' });

  // Warm-up: V8 takes a few thousand messages to finish compiling the engine and the milter.
  for (let i = 0; i < warmup; i++) {
    const c = classes[i % classes.length]!;
    if (only !== 'evaluate') await oneSession(c.packets);
    if (only !== 'session') await oneEvaluate(c.raw);
  }

  const cpuOf = async (run: () => Promise<void>) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    const cpu = process.cpuUsage(cpu0);
    return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - t0 };
  };
  let sessionMs = 0;
  let evaluateMs = 0;
  let messages = 0;
  for (let round = 0; round < rounds; round++) {
    if (only !== 'evaluate')
      sessionMs += (
        await cpuOf(async () => {
          for (const c of classes) for (let i = 0; i < c.count; i++) await oneSession(c.packets);
        })
      ).cpuMs;
    if (only !== 'session')
      evaluateMs += (
        await cpuOf(async () => {
          for (const c of classes) for (let i = 0; i < c.count; i++) await oneEvaluate(c.raw);
        })
      ).cpuMs;
    messages += classes.reduce((n, c) => n + c.count, 0);
  }
  console.log(
    `${messages} messages per contender (${classes.map((c) => `${c.count}× ${(c.raw.length / 1024).toFixed(0)} KB`).join(', ')} per round, ${rounds} rounds)`,
  );
  if (only !== 'evaluate')
    console.log(`milter session CPU/message: ${(sessionMs / messages).toFixed(3)} ms (${replyBytes} reply bytes)`);
  if (only !== 'session') console.log(`evaluate() CPU/message:     ${(evaluateMs / messages).toFixed(3)} ms`);
  if (only === '') console.log(`ratio:                      ${(sessionMs / evaluateMs).toFixed(2)}×`);
}

await main();
