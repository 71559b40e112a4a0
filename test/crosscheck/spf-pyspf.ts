/**
 * Cross-check of mailtrust's SPF against pyspf (Debian python3-spf 2.0.14) on cases of our own: hand-written
 * ones and seeded random records over a fixed zone. Both evaluate over the same test DNS server on loopback.
 *
 *   npx tsc -p . && node dist/test/crosscheck/spf-pyspf.js [--random N] [--seed S] [--verbose]
 *
 * Needs /usr/bin/python3 with python3-spf (apt-get install -y python3-spf). Not part of `npm test`.
 * Prints agreement counts and every disagreement; exits 1 when any disagreement is not a known, documented one.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultLimits } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { checkSpf, type SpfResult } from '../../src/core/spf/index.js';
import { startTestDnsServer, zoneRecords, type ZoneShorthand } from '../support/dns-server.js';
import { seededRandom } from '../support/random.js';

interface Case {
  id: string;
  ip: string;
  mailFrom: string;
  helo: string;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const randomCount = option('--random', 400);
const verbose = args.includes('--verbose');

/** Repeatable: the same --seed draws the same records. */
const random = seededRandom(option('--seed', 7208));
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const zone: ZoneShorthand = {
  'example.test': {
    TXT: ['v=spf1 ip4:192.0.2.0/25 include:inc.example.test mx -all exp=exp.example.test'],
    MX: [
      [10, 'mx.example.test'],
      [20, 'mx2.example.test'],
    ],
  },
  'mx.example.test': { A: ['192.0.2.200'], AAAA: ['2001:db8::25'] },
  'mx2.example.test': { A: ['198.51.100.25'] },
  'inc.example.test': { TXT: ['v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:1::/48 ~all'] },
  'exp.example.test': { TXT: ['%{i} (%{c}) is not allowed for %{d} by %{o}; sender %{s} local %{l} helo %{h} v=%{v}'] },
  'host.example.test': { A: ['192.0.2.130', '198.51.100.7'], AAAA: ['2001:db8::130'] },
  'redir.example.test': { TXT: ['v=spf1 redirect=example.test'] },
  'redir2.example.test': { TXT: ['v=spf1 ip4:10.0.0.1 redirect=%{d2}'] },
  'neutral.example.test': { TXT: ['v=spf1 ?all'] },
  'softfail.example.test': { TXT: ['v=spf1 ~all'] },
  'plain.example.test': { TXT: ['v=spf1'] },
  'ptr.example.test': { TXT: ['v=spf1 ptr -all'] },
  'ptr2.example.test': { TXT: ['v=spf1 ptr:example.test ?all'] },
  '130.2.0.192.in-addr.arpa': { PTR: ['host.example.test', 'other.example.net'] },
  '7.100.51.198.in-addr.arpa': { PTR: ['host.example.test'] },
  'exists.example.test': { TXT: ['v=spf1 exists:%{ir}.%{l1r-}.list.example.test -all'] },
  '130.2.0.192.alice.list.example.test': { A: ['127.0.0.2'] },
  'multi.example.test': { TXT: ['v=spf1 -all', 'v=spf1 +all'] },
  'syntax.example.test': { TXT: ['v=spf1 ip4:192.0.2.0/33 -all'] },
  'unknownmod.example.test': { TXT: ['v=spf1 foo=bar ip4:192.0.2.130 -all'] },
  'void.example.test': { TXT: ['v=spf1 a:nx1.example.test a:nx2.example.test a:nx3.example.test ?all'] },
  'void2.example.test': { TXT: ['v=spf1 a:nx1.example.test a:nx2.example.test ?all'] },
  'loop.example.test': { TXT: ['v=spf1 include:loop.example.test -all'] },
  'incnone.example.test': { TXT: ['v=spf1 include:nothing.example.test -all'] },
  'servfail.example.test': { TXT: ['v=spf1 a:broken.example.test -all'] },
  'helo.example.test': { TXT: ['v=spf1 a -all'], A: ['192.0.2.50'] },
  'macro.example.test': { TXT: ['v=spf1 a:%{l}.hosts.example.test exists:%{d1r}.%{o}.x.example.test -all'] },
  'alice.hosts.example.test': { A: ['192.0.2.77'] },
  'dual.example.test': { TXT: ['v=spf1 a:host.example.test/24//64 -all'] },
  'mxcidr.example.test': { TXT: ['v=spf1 mx:example.test/30//126 -all'] },
  'expdots.example.test': { TXT: ['v=spf1 -all exp=%{d2}.exp2.example.test.'] },
  'example.test.exp2.example.test': { TXT: ['Go away from %{d} (%{D1})'] },
  'upper.example.test': { TXT: ['v=spf1 -all exp=u.example.test'] },
  'u.example.test': { TXT: ['see http://x.example/?l=%{L}&o=%{O}'] },
};

// Targets for random records.
const randomTargets = ['host.example.test', 'mx.example.test', 'example.test', 'nx.example.test', 'inc.example.test'];
const ips = [
  '192.0.2.130',
  '192.0.2.1',
  '192.0.2.200',
  '198.51.100.7',
  '198.51.100.25',
  '203.0.113.9',
  '2001:db8::130',
  '2001:db8::25',
  '2001:db8:1::5',
  '::ffff:192.0.2.130',
  '10.9.8.7',
];

function randomTerm(): string {
  const q = pick(['', '', '', '-', '~', '?', '+']);
  switch (pick(['ip4', 'ip6', 'a', 'mx', 'include', 'exists', 'ptr', 'all', 'a', 'ip4'])) {
    case 'ip4':
      return `${q}ip4:${pick(['192.0.2.0', '192.0.2.128', '198.51.100.0', '203.0.113.9', '10.0.0.0'])}${pick(['', '/24', '/25', '/8', '/32', '/0'])}`;
    case 'ip6':
      return `${q}ip6:${pick(['2001:db8::', '2001:db8::130', '2001:db8:1::', '::ffff:192.0.2.130'])}${pick(['', '/32', '/64', '/128', '/48'])}`;
    case 'a':
      return `${q}a${pick(['', `:${pick(randomTargets)}`, ':%{d}', ':%{l}.hosts.example.test'])}${pick(['', '/24', '//64', '/25//48'])}`;
    case 'mx':
      return `${q}mx${pick(['', `:${pick(randomTargets)}`])}${pick(['', '/24', '//64'])}`;
    case 'include':
      return `${q}include:${pick(['inc.example.test', 'neutral.example.test', 'softfail.example.test', 'nothing.example.test', 'example.test', 'redir.example.test'])}`;
    case 'exists':
      return `${q}exists:${pick(['%{ir}.%{l1r-}.list.example.test', 'host.example.test', '%{i}.nx.example.test', '%{d}'])}`;
    case 'ptr':
      return `${q}ptr${pick(['', ':example.test', ':example.net'])}`;
    default:
      return `${q}all`;
  }
}

function randomRecord(i: number): string {
  const terms = Array.from({ length: 1 + Math.floor(random() * 6) }, randomTerm);
  if (random() < 0.2)
    terms.push(
      `redirect=${pick(['example.test', 'neutral.example.test', 'redir.example.test', 'nothing.example.test'])}`,
    );
  if (random() < 0.3) terms.push('exp=exp.example.test');
  if (i % 50 === 0) terms.push('-all');
  return `v=spf1 ${terms.join(' ')}`;
}

const cases: Case[] = [];
const hand: [string, string, string][] = [
  ['192.0.2.5', 'a@example.test', 'mail.example.test'],
  ['192.0.2.200', 'a@example.test', 'mail.example.test'],
  ['198.51.100.25', 'a@example.test', 'mail.example.test'],
  ['203.0.113.9', 'a@example.test', 'mail.example.test'],
  ['2001:db8::25', 'a@example.test', 'mail.example.test'],
  ['2001:db8:1::1', 'a@example.test', 'mail.example.test'],
  ['198.51.100.99', 'bob@example.test', 'helo.example.test'],
  ['2001:db8:ffff::1', 'carol@example.test', 'helo.example.test'],
  ['192.0.2.5', 'a@redir.example.test', 'x.example.test'],
  ['192.0.2.250', 'a@redir.example.test', 'x.example.test'],
  ['10.0.0.1', 'a@redir2.example.test', 'x.example.test'],
  ['10.0.0.2', 'a@redir2.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@neutral.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@softfail.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@plain.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@nothing.example.test', 'x.example.test'],
  ['192.0.2.130', 'a@ptr.example.test', 'x.example.test'],
  ['198.51.100.7', 'a@ptr.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@ptr.example.test', 'x.example.test'],
  ['192.0.2.130', 'a@ptr2.example.test', 'x.example.test'],
  ['192.0.2.130', 'alice@exists.example.test', 'x.example.test'],
  ['192.0.2.130', 'bob@exists.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@multi.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@syntax.example.test', 'x.example.test'],
  ['192.0.2.130', 'a@unknownmod.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@void.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@void2.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@loop.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@incnone.example.test', 'x.example.test'],
  ['192.0.2.1', 'a@servfail.example.test', 'x.example.test'],
  ['192.0.2.50', '', 'helo.example.test'],
  ['192.0.2.51', '', 'helo.example.test'],
  ['192.0.2.51', '<>', 'helo.example.test'],
  ['192.0.2.77', 'alice@macro.example.test', 'x.example.test'],
  ['192.0.2.78', 'alice@macro.example.test', 'x.example.test'],
  ['192.0.2.1', 'alice@dual.example.test', 'x.example.test'],
  ['2001:db8::1', 'alice@dual.example.test', 'x.example.test'],
  ['2001:db9::1', 'alice@dual.example.test', 'x.example.test'],
  ['192.0.2.201', 'a@mxcidr.example.test', 'x.example.test'],
  ['192.0.2.205', 'a@mxcidr.example.test', 'x.example.test'],
  ['2001:db8::26', 'a@mxcidr.example.test', 'x.example.test'],
  ['::ffff:192.0.2.5', 'a@example.test', 'x.example.test'],
  ['192.0.2.1', 'a@expdots.example.test', 'x.example.test'],
  ['192.0.2.1', '~jack&jill=up@upper.example.test', 'x.example.test'],
  ['192.0.2.1', '@example.test', 'x.example.test'],
  ['192.0.2.1', 'a@[192.0.2.1]', 'x.example.test'],
  ['192.0.2.1', '', 'singlelabel'],
];
hand.forEach(([ip, mailFrom, helo], i) => cases.push({ id: `hand-${i + 1}`, ip, mailFrom, helo }));

for (let i = 0; i < randomCount; i++) {
  const name = `r${i}.example.test`;
  zone[name] = { TXT: [randomRecord(i)] };
  for (let j = 0; j < 2; j++)
    cases.push({
      id: `random-${i}.${j}`,
      ip: pick(ips),
      mailFrom: `${pick(['alice', 'bob', 'x-y'])}@${name}`,
      helo: 'helo.example.test',
    });
}

const server = await startTestDnsServer({
  records: zoneRecords(zone),
  rules: [{ name: 'broken.example.test', action: 'servfail' }],
});
try {
  const ctx = {
    resolver: createResolver({ servers: [server.address], timeoutMs: 2000, retries: 0 }),
    now: () => new Date(),
    limits: { ...defaultLimits },
  };
  const ours: SpfResult[] = [];
  for (const c of cases) ours.push(await checkSpf(ctx, { ip: c.ip, mailFrom: c.mailFrom, helo: c.helo }));

  const script = fileURLToPath(new URL('../../../test/crosscheck/spf_pyspf.py', import.meta.url));
  // Asynchronous: the DNS server lives in this process and must keep answering while pyspf runs.
  const py = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(JSON.stringify({ port: server.port, cases }));
  });
  if (py.status !== 0) {
    console.error(`pyspf run failed (is python3-spf installed?):\n${py.stderr}`);
    process.exit(2);
  }
  const theirs = JSON.parse(py.stdout) as { result: string; explanation: string | null; detail: string | null }[];
  let resultAgree = 0;
  let knownVoid = 0;
  let explanationAgree = 0;
  let explanationCompared = 0;
  const disagreements: string[] = [];
  cases.forEach((c, i) => {
    const a = ours[i]!;
    const b = theirs[i]!;
    if (a.result === b.result) resultAgree++;
    else if (
      b.result === 'permerror' &&
      /Void lookup limit/.test(b.detail ?? '') &&
      a.voidLookups <= ctx.limits.spfVoidLookups
    )
      // Known, documented difference: pyspf counts every query that comes back empty as a void lookup (the
      // address lookups of MX hosts and PTR names, include targets); mailtrust counts the terms whose lookup
      // returns nothing, as RFC 7208 §4.6.4 words it ("the number of terms for which DNS queries return...").
      knownVoid++;
    else
      disagreements.push(
        `${c.id}: ip ${c.ip} from ${JSON.stringify(c.mailFrom)} helo ${c.helo}: mailtrust ${a.result} (${a.error?.message ?? a.mechanism ?? ''}), pyspf ${b.result}${
          zone[c.mailFrom.split('@')[1] ?? '']?.TXT
            ? `\n    record: ${JSON.stringify(zone[c.mailFrom.split('@')[1] ?? '']?.TXT)}`
            : ''
        }`,
      );
    if (a.result === 'fail' && b.result === 'fail') {
      explanationCompared++;
      if ((a.explanation ?? null) === b.explanation) explanationAgree++;
      else
        disagreements.push(
          `${c.id}: explanation: mailtrust ${JSON.stringify(a.explanation)}, pyspf ${JSON.stringify(b.explanation)}`,
        );
    }
    if (verbose) console.log(`${c.id}: ${a.result} / ${b.result}`);
  });
  console.log(
    `results agree: ${resultAgree} of ${cases.length} (${hand.length} hand-written, ${cases.length - hand.length} random, seed ${option('--seed', 7208)})`,
  );
  console.log(`known difference (void lookups counted per query by pyspf, per term here): ${knownVoid}`);
  console.log(`explanations agree: ${explanationAgree} of ${explanationCompared} fail results`);
  for (const d of disagreements) console.log(`DIFF ${d}`);
  process.exitCode = disagreements.length === 0 ? 0 : 1;
} finally {
  await server.close();
}
