/**
 * `npm run bench:audit`: the audit of a realistic sending domain — 3 sending addresses, an SPF record with
 * nested includes (two levels on one branch, an ESP's include on another), 2 DKIM selectors, DMARC and 3 MX hosts —
 * against the loopback test DNS server with 50 ms added to every query. It reports the questions asked, the wall
 * time and the critical-path depth, and compares with the same audit when every lookup waits for the one before
 * (one after another).
 *
 * The result is checked (the audit must pass every check of the realistic domain, both ways); time is never
 * asserted. Environment: BENCH_AUDIT_DELAY_MS (default 50), BENCH_AUDIT_ROUNDS (default 3).
 */
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  auditDomain,
  createResolver,
  defaultLimits,
  type AuditInput,
  type AuditReport,
  type DnsClient,
  type QueryOutcome,
  type QueryType,
  type Resolver,
} from '../src/core/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../test/support/dns-server.js';

const DELAY_MS = Number(process.env['BENCH_AUDIT_DELAY_MS'] ?? 50);
const ROUNDS = Number(process.env['BENCH_AUDIT_ROUNDS'] ?? 3);
const out = (line = '') => process.stdout.write(`${line}\n`);

function chunks(text: string): string[] {
  const list: string[] = [];
  for (let i = 0; i < text.length; i += 255) list.push(text.slice(i, i + 255));
  return list;
}

function zone() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
  const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  return zoneRecords({
    'bench-sender.com': {
      MX: [
        [10, 'mx1.bench-sender.com'],
        [20, 'mx2.bench-sender.com'],
        [30, 'o7.out.bench-sender.com'],
      ],
      TXT: ['v=spf1 mx include:_spf.bench-sender.com include:spf.esp-example.net -all'],
    },
    'mx1.bench-sender.com': { A: ['192.0.2.1'] },
    'mx2.bench-sender.com': { A: ['192.0.2.2'] },
    '1.2.0.192.in-addr.arpa': { PTR: ['mx1.bench-sender.com'] },
    '2.2.0.192.in-addr.arpa': { PTR: ['mx2.bench-sender.com'] },
    '_spf.bench-sender.com': { TXT: ['v=spf1 ip4:192.0.2.0/28 include:_spf2.bench-sender.com -all'] },
    '_spf2.bench-sender.com': { TXT: ['v=spf1 ip6:2001:db8:25::/48 -all'] },
    'spf.esp-example.net': { TXT: ['v=spf1 include:_netblocks.esp-example.net -all'] },
    '_netblocks.esp-example.net': { TXT: ['v=spf1 ip4:198.51.100.0/24 -all'] },
    '7.100.51.198.in-addr.arpa': { PTR: ['o7.out.bench-sender.com'] },
    'o7.out.bench-sender.com': { A: ['198.51.100.7'] },
    's1._domainkey.bench-sender.com': { TXT: [chunks(`v=DKIM1; k=rsa; p=${rsa.toString('base64')}`)] },
    's2._domainkey.bench-sender.com': {
      TXT: [`v=DKIM1; k=ed25519; p=${ed.subarray(ed.length - 32).toString('base64')}`],
    },
    '_dmarc.bench-sender.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@bench-sender.com'] },
  });
}

const input: AuditInput = {
  domain: 'bench-sender.com',
  ips: ['192.0.2.1', '192.0.2.2', '198.51.100.7'],
  selectors: ['s1', 's2'],
};

/** The same resolver, but each lookup starts only when the one before has answered: the checks one after another. */
function oneAfterAnother(inner: DnsClient): Resolver & { query(name: string, type: QueryType): Promise<QueryOutcome> } {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = chain.then(run);
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    txt: (name) => serial(() => inner.txt(name)),
    a: (name) => serial(() => inner.a(name)),
    aaaa: (name) => serial(() => inner.aaaa(name)),
    mx: (name) => serial(() => inner.mx(name)),
    ptr: (ip) => serial(() => inner.ptr(ip)),
    query: (name, type) => serial(() => inner.query(name, type)),
  };
}

interface Measured {
  wallMs: number;
  report: AuditReport;
  serverQueries: number;
}

async function measure(server: TestDnsServer, serialized: boolean): Promise<Measured> {
  // A fresh resolver each round: nothing cached from the round before.
  const resolver = createResolver({ servers: [server.address], timeoutMs: 5000, retries: 0 });
  const before = server.queries.length;
  const started = performance.now();
  const report = await auditDomain(
    {
      resolver: serialized ? oneAfterAnother(resolver) : resolver,
      now: () => new Date(),
      limits: { ...defaultLimits },
    },
    input,
  );
  const wallMs = performance.now() - started;
  return { wallMs, report, serverQueries: server.queries.length - before };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function problems(report: AuditReport): string[] {
  return report.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => `${c.id}: ${c.message}`);
}

const server = await startTestDnsServer({ records: zone(), rules: [{ name: /.*/, action: { delayMs: DELAY_MS } }] });
let failed = false;
try {
  out(
    `mailtrust audit benchmark: ${input.domain}, ${input.ips?.length} addresses, ${input.selectors?.length} selectors,`,
  );
  out(
    `SPF includes 2 deep, DMARC, 3 MX hosts; test DNS server on loopback with ${DELAY_MS} ms per query; ${ROUNDS} rounds`,
  );
  out();
  const rows: { name: string; runs: Measured[] }[] = [];
  for (const [name, serialized] of [
    ['parallel (mailtrust audit)', false],
    ['one after another', true],
  ] as const) {
    const runs: Measured[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await measure(server, serialized));
    rows.push({ name, runs });
    for (const run of runs) {
      const bad = problems(run.report);
      if (bad.length > 0 || run.report.result !== 'pass') {
        failed = true;
        out(`WRONG (${name}): expected every check to pass: ${bad.join('; ')}`);
      }
    }
  }
  out('| mode | questions | server queries | critical path | wall ms (median) | wall ms (min–max) |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const walls = row.runs.map((r) => r.wallMs);
    const first = row.runs[0]!;
    out(
      `| ${row.name} | ${first.report.dns.queries} | ${first.serverQueries} | ${first.report.dns.criticalPathDepth} | ${median(walls).toFixed(0)} | ${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)} |`,
    );
  }
  const parallel = median(rows[0]!.runs.map((r) => r.wallMs));
  const serial = median(rows[1]!.runs.map((r) => r.wallMs));
  const depth = rows[0]!.runs[0]!.report.dns.criticalPathDepth;
  const queries = rows[0]!.runs[0]!.report.dns.queries;
  out();
  out(
    `parallel: ${parallel.toFixed(0)} ms for ${queries} questions = critical path ${depth} × ${DELAY_MS} ms (${depth * DELAY_MS} ms) + ${(parallel - depth * DELAY_MS).toFixed(0)} ms`,
  );
  out(
    `one after another: ${serial.toFixed(0)} ms ≈ ${queries} × ${DELAY_MS} ms (${queries * DELAY_MS} ms); parallel is ${(serial / parallel).toFixed(1)}× faster`,
  );
  out(
    JSON.stringify({
      bench: 'audit',
      delayMs: DELAY_MS,
      queries,
      criticalPathDepth: depth,
      parallelWallMs: Math.round(parallel),
      sequentialWallMs: Math.round(serial),
      speedup: Number((serial / parallel).toFixed(2)),
    }),
  );
} finally {
  await server.close();
}
if (failed) process.exitCode = 1;
