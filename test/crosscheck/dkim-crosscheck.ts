/**
 * DKIM cross-check against dkimpy (Debian python3-dkim 1.1.4), both ways:
 *   1. body canonicalization: mailtrust's body hash = SHA-256 of dkimpy's canonical body, random bodies;
 *   2. mailtrust signs → dkimpy and mailtrust verify (must pass);
 *   3. dkimpy signs → mailtrust and dkimpy verify (must pass);
 *   4. every signed message mutated ten ways → both verify; they must agree (pass or not).
 * Keys are served to mailtrust by the test DNS server over loopback; dkimpy gets the same records.
 *
 * Run: apt-get install -y python3-dkim python3-nacl; npx tsc -p . && node dist/test/crosscheck/dkim-crosscheck.js
 * Exits 0 when everything agrees, 1 otherwise (with the disagreements listed).
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { hashBody } from '../../src/core/dkim/body-hash.js';
import { prependHeader, signDkim } from '../../src/core/dkim/sign.js';
import { verifyDkim } from '../../src/core/dkim/verify.js';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords } from '../support/dns-server.js';
import { seededRandom } from '../support/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const helper = [join(here, 'dkim-dkimpy.py'), join(here, '../../../test/crosscheck/dkim-dkimpy.py')].find(existsSync);
const python = '/usr/bin/python3';

type Task = Record<string, unknown>;
function dkimpy<T>(tasks: Task[]): T[] {
  if (!helper) throw new Error('dkim-dkimpy.py not found');
  const run = spawnSync(python, [helper], { input: JSON.stringify(tasks), maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`dkimpy helper failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as T[];
}

const random = seededRandom(8463);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
// Messages are handled as latin1 strings: one character per byte, so 8-bit bodies stay byte-exact.
const b64 = (s: string | Uint8Array) =>
  Buffer.from(typeof s === 'string' ? Buffer.from(s, 'latin1') : s).toString('base64');

function randomBody(): string {
  const pieces = ['word', 'x', ' ', '  ', '\t', '\r\n', '\r\n', '\r\n\r\n', 'caf\u00e9', '.', '=20', 'line  end \t'];
  let out = '';
  const n = Math.floor(random() * 60);
  for (let i = 0; i < n; i++) out += pick(pieces);
  return out;
}

function randomMessage(i: number): string {
  const headers = [
    `From: Sender ${i} <sender${i}@example.com>`,
    `To: rcpt@example.net`,
    pick([`Subject: test ${i}`, `Subject:  spaced\t subject ${i} `, `Subject: folded\r\n\tsubject ${i}`]),
    `Date: Thu, 01 Jan 2026 00:00:${String(i % 60).padStart(2, '0')} +0000`,
    `Message-ID: <${i}@example.com>`,
  ];
  if (random() < 0.5) headers.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8');
  let body = randomBody();
  if (random() < 0.8 && !body.endsWith('\r\n')) body += '\r\n';
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

const mutations: [string, (m: string) => string][] = [
  ['append body line', (m) => m + 'tampered\r\n'],
  ['change subject', (m) => m.replace(/Subject:([^\r]*)/, 'Subject:$1 changed')],
  ['header whitespace', (m) => m.replace(/Subject: ?/, 'Subject:   ').replace(/(Subject:[^\r]*)/, '$1  ')],
  [
    'body whitespace',
    (m) =>
      m.replace(/\r\n\r\n([\s\S]*)$/, (_, b: string) => '\r\n\r\n' + b.replace(/ /g, '  ').replace(/\r\n/g, ' \t\r\n')),
  ],
  ['trailing blank lines', (m) => m + '\r\n\r\n\r\n'],
  ['unsigned header added', (m) => 'X-Added: yes\r\n' + m],
  ['second From added', (m) => 'From: Mallory <m@example.org>\r\n' + m],
  ['header name case', (m) => m.replace('Subject:', 'SUBJECT:').replace('To:', 'to:')],
  ['header refolded', (m) => m.replace('To: rcpt@example.net', 'To:\r\n rcpt@example.net')],
  ['body emptied', (m) => m.slice(0, m.indexOf('\r\n\r\n') + 4)],
];

async function main(): Promise<void> {
  const failures: string[] = [];
  const counts: Record<string, { agree: number; total: number }> = {};
  const count = (bucket: string, agree: boolean, detail: string) => {
    const c = (counts[bucket] ??= { agree: 0, total: 0 });
    c.total++;
    if (agree) c.agree++;
    else failures.push(`${bucket}: ${detail}`);
  };

  // 1. Body canonicalization.
  const bodies: string[] = [
    '',
    '\r\n',
    '\r\n\r\n',
    ' ',
    '  \r\n',
    'abc',
    'abc  ',
    'a\rb',
    'x\r\n \t \r\n',
    '\tx\r\n\r\n y',
  ];
  for (let i = 0; i < 500; i++) bodies.push(randomBody());
  // Larger bodies, so that the word-at-a-time scan for SP pairs runs over many aligned words.
  for (let i = 0; i < 100; i++) {
    let big = '';
    while (big.length < 1000 + i * 40) big += randomBody();
    bodies.push(big);
  }
  const canonical = dkimpy<{ canonical: string }>(
    bodies.flatMap((body) => (['simple', 'relaxed'] as const).map((canon) => ({ op: 'body', body: b64(body), canon }))),
  );
  bodies.forEach((body, i) => {
    (['simple', 'relaxed'] as const).forEach((canon, j) => {
      const theirs = createHash('sha256')
        .update(Buffer.from(canonical[i * 2 + j]!.canonical, 'base64'))
        .digest('base64');
      const ours = hashBody(Buffer.from(body, 'latin1'), canon).hash.toString('base64');
      count('body canonicalization', ours === theirs, `${canon} ${JSON.stringify(body)}`);
    });
  });

  // Keys and DNS.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const rsaPem = rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
  const edSeed = ed.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('base64');
  const dns = {
    'rsa._domainkey.example.com': `v=DKIM1; k=rsa; p=${rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`,
    'ed._domainkey.example.com': `v=DKIM1; k=ed25519; p=${ed.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64')}`,
  };
  const split = (v: string) =>
    Array.from({ length: Math.ceil(v.length / 255) }, (_, i) => v.slice(i * 255, i * 255 + 255));
  const server = await startTestDnsServer({
    records: zoneRecords(Object.fromEntries(Object.entries(dns).map(([n, v]) => [n, { TXT: [split(v)] }]))),
  });
  const ctx: CheckContext = {
    resolver: createResolver({ servers: [server.address], timeoutMs: 1000, retries: 1 }),
    now: () => new Date(),
    limits: { ...defaultLimits },
  };
  const ourPass = async (m: string) => (await verifyDkim(ctx, Buffer.from(m, 'latin1')))[0]?.result === 'pass';

  // 2./3. Sign both ways.
  const signedByUs: { id: string; msg: string }[] = [];
  const signTasks: Task[] = [];
  const taskIds: string[] = [];
  for (let i = 0; i < 40; i++) {
    const msg = randomMessage(i);
    for (const alg of ['rsa-sha256', 'ed25519-sha256'] as const)
      for (const canon of ['simple/simple', 'simple/relaxed', 'relaxed/simple', 'relaxed/relaxed'] as const) {
        const selector = alg === 'rsa-sha256' ? 'rsa' : 'ed';
        const id = `msg${i} ${alg} ${canon}`;
        const r = signDkim(Buffer.from(msg, 'latin1'), {
          domain: 'example.com',
          selector,
          privateKey: alg === 'rsa-sha256' ? rsa.privateKey : ed.privateKey,
          canonicalization: canon,
          now: new Date(),
        });
        if (!r.ok) throw new Error(`${id}: ${r.error.message}`);
        signedByUs.push({
          id,
          msg: Buffer.from(prependHeader(Buffer.from(msg, 'latin1'), r.field)).toString('latin1'),
        });
        signTasks.push({
          op: 'sign',
          msg: b64(msg),
          domain: 'example.com',
          selector,
          key: alg === 'rsa-sha256' ? rsaPem : edSeed,
          alg,
          canon,
          headers: ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type'],
        });
        taskIds.push(id);
      }
  }
  const signedByDkimpy = dkimpy<{ header: string }>(signTasks).map((r, k) => ({
    id: taskIds[k]!,
    msg: r.header + Buffer.from(signTasks[k]!['msg'] as string, 'base64').toString('latin1'),
  }));

  const verifyTheirs = (msgs: string[]) =>
    dkimpy<{ pass: boolean; error: string }>(msgs.map((m) => ({ op: 'verify', msg: b64(m), dns })));

  for (const [label, set] of [
    ['mailtrust signs', signedByUs],
    ['dkimpy signs', signedByDkimpy],
  ] as const) {
    const theirs = verifyTheirs(set.map((s) => s.msg));
    for (const [k, s] of set.entries()) {
      const ours = await ourPass(s.msg);
      count(`${label}: dkimpy verifies`, theirs[k]!.pass, `${s.id} ${theirs[k]!.error}`);
      count(`${label}: mailtrust verifies`, ours, s.id);
    }
    // 4. Mutations.
    const mutated = set.flatMap((s) =>
      mutations.map(([name, f]) => ({ id: `${s.id} / ${name}`, name, msg: f(s.msg) })),
    );
    const theirMutated = verifyTheirs(mutated.map((m) => m.msg));
    for (const [k, m] of mutated.entries()) {
      const ours = await ourPass(m.msg);
      const them = theirMutated[k]!.pass;
      count(
        `${label}: mutated, both agree`,
        ours === them,
        `${m.id}: mailtrust ${ours}, dkimpy ${them} ${theirMutated[k]!.error}`,
      );
      const c = (counts[`${label}: mutated, still pass`] ??= { agree: 0, total: 0 });
      c.total++;
      if (ours && them) c.agree++;
    }
  }
  await server.close();

  for (const [bucket, c] of Object.entries(counts)) console.log(`${bucket.padEnd(44)} ${c.agree}/${c.total}`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} disagreements:`);
    for (const f of failures.slice(0, 40)) console.log(`  ${f}`);
    process.exitCode = 1;
  }
}

await main();
