/**
 * `npm run bench:pages`: the report page of a test address with one untrusted message whose evaluation made 50
 * DNS queries — its weight (HTML, CSS and JS bytes, plain and gzipped) and the server's time to answer it:
 * rendering alone (the views to a string) and the whole route (`GET /r/{localPart}` through the Hono app, the
 * message read from a SQLite store in memory).
 *
 * The page is checked (it must show the verdict and every section); time is never asserted.
 * Environment: BENCH_PAGES_ROUNDS (default 500).
 */
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { createResolver, evaluate, type TraceEntry } from '../src/core/index.js';
import { createHttpApp } from '../src/http/app.js';
import { ICON_ASSET, SCRIPT_ASSET, STYLESHEET_ASSET } from '../src/http/views/assets.js';
import { TestReportPage } from '../src/http/views/message-page.js';
import { validateConfig } from '../src/server/config.js';
import { createMetrics } from '../src/server/metrics.js';
import { newId, openStore } from '../src/store/index.js';
import { buildMessage, loadFixture, zoneRecords } from '../test/evaluation/fixture-format.js';

const ROUNDS = Number(process.env['BENCH_PAGES_ROUNDS'] ?? 500);
const QUERIES = 50;
const out = (line = '') => process.stdout.write(`${line}\n`);

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return `median ${at(0.5).toFixed(2)} ms · p95 ${at(0.95).toFixed(2)} ms · mean ${mean.toFixed(2)} ms`;
}

async function main(): Promise<void> {
  const fixture = loadFixture('spoofed-from-spf-fail-no-dkim');
  const resolver = createResolver({ zone: zoneRecords(fixture) });
  const raw = await buildMessage(fixture, resolver);
  const evaluated = await evaluate(raw, fixture.envelope, { resolver, now: fixture.now });
  // Pad the trace to 50 queries with entries like the real ones (a long SPF include chain looks like this).
  const real = evaluated.dns.queries;
  const queries: TraceEntry[] = [];
  for (let i = 0; queries.length < QUERIES; i++) {
    const base = real[i % real.length]!;
    queries.push(i < real.length ? base : { ...base, name: `_spf${i}.${base.name}`, ms: (i * 7) % 40 });
  }
  const evaluation = { ...evaluated, dns: { queries } };

  const config = validateConfig({
    logLevel: 'silent',
    smtp: { listen: '127.0.0.1:2525', testDomain: 'check.example.test' },
  });
  if (!config.ok) throw new Error(config.message);
  const store = await openStore('sqlite::memory:');
  const metrics = createMetrics();
  const app = createHttpApp({
    config: config.config,
    store,
    resolver,
    evaluateOptions: { resolver },
    logger: pino({ level: 'silent' }),
    registry: metrics.registry,
    metrics,
    now: Date.now,
  });
  const now = Date.now();
  await store.saveMessage({
    id: newId(now),
    receivedAt: now,
    source: 'smtp',
    localPart: 't-bench',
    envelope: fixture.envelope,
    evaluation,
    raw,
    size: raw.length,
    subject: 'Quarterly report',
  });
  const [stored] = await store.listTestMessages('t-bench');
  if (!stored) throw new Error('the message was not stored');

  const renderOnce = () =>
    `<!doctype html>${String(
      TestReportPage({
        localPart: 't-bench',
        address: 't-bench@check.example.test',
        messages: [stored],
        selected: stored,
      }),
    )}`;
  const html = renderOnce();
  const response = await app.request('/r/t-bench');
  const served = await response.text();
  if (response.status !== 200 || !served.includes('data-verdict="untrusted"'))
    throw new Error('the report page does not show the verdict');
  for (const key of ['ptr', 'helo', 'spf', 'dkim', 'dmarc', 'headers', 'forwarding'])
    if (!served.includes(`data-section="${key}"`)) throw new Error(`the report page lacks the ${key} section`);
  const rows = (served.match(/<tr>/g) ?? []).length;
  if (rows !== QUERIES + 1) throw new Error(`expected ${QUERIES} DNS rows, found ${rows - 1}`);

  const bytes = (text: string) => Buffer.byteLength(text);
  const gz = (text: string) => gzipSync(text).length;
  out(`report page, 1 untrusted message, ${QUERIES} DNS queries (${ROUNDS} rounds)`);
  out(`  HTML ${bytes(served)} B (gzip ${gz(served)} B)`);
  out(`  CSS  ${STYLESHEET_ASSET.bytes} B (gzip ${gz(STYLESHEET_ASSET.body)} B)`);
  out(`  JS   ${SCRIPT_ASSET.bytes} B (gzip ${gz(SCRIPT_ASSET.body)} B)`);
  out(`  icon ${ICON_ASSET.bytes} B`);
  const total = bytes(served) + STYLESHEET_ASSET.bytes + SCRIPT_ASSET.bytes;
  const totalGz = gz(served) + gz(STYLESHEET_ASSET.body) + gz(SCRIPT_ASSET.body);
  out(`  HTML+CSS+JS ${total} B (gzip ${totalGz} B)`);

  for (let i = 0; i < 50; i++) renderOnce();
  const render: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    renderOnce();
    render.push(performance.now() - t0);
  }
  out(`  render only (views → string, ${bytes(html)} B): ${stats(render)}`);

  for (let i = 0; i < 50; i++) await (await app.request('/r/t-bench')).text();
  const route: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await (await app.request('/r/t-bench')).text();
    route.push(performance.now() - t0);
  }
  out(`  GET /r/{localPart} (store read + render): ${stats(route)}`);
  await store.close();
}

await main();
