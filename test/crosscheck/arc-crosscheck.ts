/**
 * ARC cross-check against dkimpy's arc_verify / arc_sign (Debian python3-dkim 1.1.4), both ways:
 *   1. mailtrust seals chains of 1–4 hops (folded and one-line output) → dkimpy and mailtrust validate: pass;
 *   2. mixed chains: dkimpy and mailtrust seal alternate hops → both validate: pass;
 *   3. every chain mutated eight ways (body, signed header, AAR, cv, a set dropped, …) → both validate and must
 *      agree (dkimpy's "no verdict" on a chain stamped cv=fail counts as fail, as in SOURCES.md).
 * Keys are served to mailtrust by the test DNS server over loopback; dkimpy gets the same records.
 *
 * Run: apt-get install -y python3-dkim python3-authres; npx tsc -p . && node dist/test/crosscheck/arc-crosscheck.js
 * Exits 0 when everything agrees, 1 otherwise (with the disagreements listed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prependArcSet, sealArc, verifyArc, type ArcResult } from '../../src/core/arc/index.js';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords } from '../support/dns-server.js';
import { txtZone } from '../arc/fixtures.js';
import { makeSealer, type Sealer } from '../arc/hops.js';

const here = dirname(fileURLToPath(import.meta.url));
const helper = [join(here, 'arc_dkimpy.py'), join(here, '../../../test/crosscheck/arc_dkimpy.py')].find(existsSync);
const python = '/usr/bin/python3';

type Task = Record<string, unknown>;
function dkimpy<T>(tasks: Task[]): T[] {
  if (!helper) throw new Error('arc_dkimpy.py not found');
  const run = spawnSync(python, [helper], { input: JSON.stringify(tasks), maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`dkimpy helper failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as T[];
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const bytesOf = (s: string): Uint8Array => Buffer.from(s, 'latin1');

const sealers: Sealer[] = [
  makeSealer('lists.example.org', 'arc'),
  makeSealer('relay.example.net', 'r2048'),
  makeSealer('gw.example.com', 'k1024', 1024),
  makeSealer('fwd.example', 'big', 3072),
];
const dns: Record<string, string> = {};
for (const s of sealers) dns[s.keyName] = s.record;

const bodies = [
  'Hello world.\r\n',
  'Line one  with  spaces \t\r\n\r\n\r\nTrailing blank lines\r\n\r\n\r\n',
  '',
  'No final line break',
  'caf\u00e9 8-bit \u00ff\r\n.\r\n',
];
function message(n: number): Uint8Array {
  return bytesOf(
    `From: Alice <alice@origin.example>\r\nTo: list@lists.example.org\r\nSubject: Test ${n}\r\n` +
      `Date: Thu, 14 Jan 2015 15:00:01 -0800\r\nMessage-ID: <${n}@origin.example>\r\nMIME-Version: 1.0\r\n\r\n` +
      (bodies[n % bodies.length] ?? ''),
  );
}

const mutations: [string, (m: string) => string | undefined][] = [
  ['body changed', (m) => `${m}appended\r\n`],
  ['subject changed', (m) => m.replace(/Subject: Test/, 'Subject: Tezt')],
  ['oldest AAR changed', (m) => replaceLast(m, 'spf=pass', 'spf=fail')],
  [
    'newest seal cv changed',
    (m) => m.replace(/cv=(pass|none)/, (_all, cv: string) => `cv=${cv === 'pass' ? 'none' : 'pass'}`),
  ],
  ['newest set dropped', (m) => dropSet(m, 0)],
  ['oldest set dropped', (m) => dropSet(m, -1)],
  [
    'newest seal b= damaged',
    (m) => m.replace(/(ARC-Seal:[^]*?b=)([A-Za-z0-9+/])/, (_a, p: string, c: string) => `${p}${c === 'A' ? 'B' : 'A'}`),
  ],
  ['From added', (m) => `From: Mallory <m@evil.example>\r\n${m}`],
];

function replaceLast(m: string, from: string, to: string): string | undefined {
  const at = m.lastIndexOf(from);
  return at < 0 ? undefined : m.slice(0, at) + to + m.slice(at + from.length);
}

/** Drops one whole ARC set (newest = 0, oldest = -1): the three fields with that i=. */
function dropSet(m: string, which: number): string | undefined {
  const lines = m.split(/\r\n(?![ \t])/);
  const instances = [...new Set(lines.flatMap((l) => (/^arc-seal:/i.test(l) ? [/\bi=(\d+)/.exec(l)?.[1]] : [])))];
  const target = which === 0 ? instances[0] : instances[instances.length - 1];
  if (target === undefined || instances.length < 2) return undefined;
  const keep = lines.filter((l) => !(/^arc-/i.test(l) && new RegExp(`(^|[:;]\\s*)i=${target};`).test(l)));
  return keep.join('\r\n');
}

async function main(): Promise<void> {
  const server = await startTestDnsServer({ records: zoneRecords(txtZone(dns)) });
  const ctx: CheckContext = {
    resolver: createResolver({ servers: [server.address], timeoutMs: 500, retries: 1 }),
    now: () => new Date(),
    limits: { ...defaultLimits },
  };
  const t = Math.floor(Date.now() / 1000) - 60;
  const problems: string[] = [];
  let agreements = 0;

  /** One hop by mailtrust: validate, then seal with that status. */
  const mailtrustHop = async (m: Uint8Array, sealer: Sealer, fold: boolean): Promise<Uint8Array> => {
    const status: ArcResult = await verifyArc(ctx, m);
    const sealed = sealArc(m, {
      domain: sealer.domain,
      selector: sealer.selector,
      privateKey: sealer.privateKey,
      authservId: `mx.${sealer.domain}`,
      authResults: `spf=pass smtp.mailfrom=alice@origin.example; dkim=pass header.d=origin.example; arc=${status.result}`,
      now: new Date(t * 1000),
      fold,
    });
    if (!sealed.ok) throw new Error(`mailtrust could not seal: ${sealed.error.message}`);
    return prependArcSet(m, sealed.value);
  };
  /** One hop by dkimpy: it reads cv from the Authentication-Results field we stamp (as its docs ask). */
  const dkimpyHop = async (m: Uint8Array, sealer: Sealer): Promise<Uint8Array> => {
    const status = await verifyArc(ctx, m);
    const srv = `mx.${sealer.domain}`;
    const stamped = bytesOf(
      `Authentication-Results: ${srv}; arc=${status.result}; spf=pass smtp.mailfrom=alice@origin.example\r\n${text(m)}`,
    );
    const [answer] = dkimpy<{ fields?: string[]; error?: string }>([
      {
        op: 'seal',
        msg: b64(stamped),
        domain: sealer.domain,
        selector: sealer.selector,
        key: sealer.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
        srv_id: srv,
        headers: ['from', 'to', 'subject', 'date', 'message-id'],
        t,
      },
    ]);
    if (!answer?.fields || answer.fields.length !== 3)
      throw new Error(`dkimpy could not seal: ${answer?.error ?? 'no fields'}`);
    // dkimpy returns AS, AMS, AAR; the stamped Authentication-Results stays below them, as an MTA would leave it.
    return bytesOf(answer.fields.join('') + text(stamped));
  };

  const chains: { label: string; message: Uint8Array }[] = [];
  for (let n = 0; n < 20; n++) {
    const hops = 1 + (n % 4);
    const mixed = n >= 10;
    let m = message(n);
    const path: string[] = [];
    for (let h = 0; h < hops; h++) {
      const sealer = sealers[(n + h) % sealers.length] as Sealer;
      if (mixed && h % 2 === 1) {
        m = await dkimpyHop(m, sealer);
        path.push(`dkimpy@${sealer.domain}`);
      } else {
        m = await mailtrustHop(m, sealer, (n + h) % 2 === 0);
        path.push(`mailtrust@${sealer.domain}`);
      }
    }
    chains.push({ label: `#${n} ${path.join(' → ')}`, message: m });
  }

  const cases: { label: string; message: Uint8Array; expectPass: boolean }[] = [];
  for (const chain of chains) {
    cases.push({ ...chain, expectPass: true });
    for (const [name, mutate] of mutations) {
      const mutated = mutate(text(chain.message));
      if (mutated !== undefined)
        cases.push({ label: `${chain.label} / ${name}`, message: bytesOf(mutated), expectPass: false });
    }
  }
  const theirs = dkimpy<{ cv: string | null; reason: string }>(
    cases.map((c) => ({ op: 'verify', msg: b64(c.message), dns })),
  );
  for (const [k, c] of cases.entries()) {
    const ours = await verifyArc(ctx, c.message);
    const their = theirs[k]?.cv ?? 'fail';
    if (c.expectPass && (ours.result !== 'pass' || their !== 'pass'))
      problems.push(
        `${c.label}: expected pass, mailtrust ${ours.result} (${ours.error?.message ?? ''}), dkimpy ${their} (${theirs[k]?.reason ?? ''})`,
      );
    else if (ours.result !== their)
      problems.push(
        `${c.label}: mailtrust ${ours.result} (${ours.error?.message ?? ''}) ≠ dkimpy ${their} (${theirs[k]?.reason ?? ''})`,
      );
    else agreements++;
  }
  await server.close();
  console.log(`ARC cross-check: ${cases.length} messages (${chains.length} chains + mutations), ${agreements} agree`);
  for (const p of problems) console.log(`DISAGREE ${p}`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
