// The MX route (RFC 5321 §5.1, RFC 7505) over real DNS, and the retry schedule's numbers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createResolver, type DnsClient } from '../../src/core/index.js';
import { isLocalAddress, routeMail, shuffleEqualPreferences } from '../../src/relay/mx.js';
import { backoffDelay, nextAttempt } from '../../src/relay/retry-schedule.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

let dns: TestDnsServer;
let resolver: DnsClient;
before(async () => {
  dns = await startTestDnsServer({
    records: zoneRecords({
      'multi.test': {
        MX: [
          [20, 'c.multi.test'],
          [10, 'a.multi.test'],
          [10, 'b.multi.test'],
        ],
      },
      'a.multi.test': { A: ['198.51.100.1'] },
      'b.multi.test': { A: ['198.51.100.2'] },
      'c.multi.test': { A: ['198.51.100.3'], AAAA: ['2001:db8::3'] },
      'implicit.test': { A: ['198.51.100.9'] },
      'nomx-noaddr.test': { TXT: ['v=spf1 -all'] },
      'nullmx.test': { MX: [[0, '.']] },
      'private.test': { MX: [[10, 'mx.private.test']] },
      'mx.private.test': { A: ['10.1.2.3', '127.0.0.1'] },
      'servfail.test': { MX: [[10, 'mx.servfail.test']] },
    }),
    rules: [{ name: 'servfail.test', type: 'MX', action: 'servfail' }],
  });
  resolver = createResolver({ servers: [dns.address], timeoutMs: 300, retries: 0, cache: false });
});
after(() => dns.close());

test('MX hosts in preference order; equal preferences in both orders over many lookups', async () => {
  const firsts = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const route = await routeMail(resolver, 'multi.test', { allowLocal: false });
    assert.ok(route.ok);
    assert.deepEqual(
      route.addresses.map((a) => a.preference),
      [10, 10, 20, 20],
    );
    assert.deepEqual(
      route.addresses.slice(2).map((a) => a.ip),
      ['198.51.100.3', '2001:db8::3'],
    );
    firsts.add(route.addresses[0]?.mx as string);
  }
  assert.deepEqual([...firsts].sort(), ['a.multi.test', 'b.multi.test']);
});

test('the shuffle is uniform within a preference and never crosses preferences', () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    const out = shuffleEqualPreferences(
      [
        { preference: 1, n: 'a' },
        { preference: 1, n: 'b' },
        { preference: 1, n: 'c' },
        { preference: 2, n: 'z' },
      ],
      Math.random,
    );
    assert.equal(out[3]?.n, 'z');
    const key = out.map((o) => o.n).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  for (const n of counts.values()) assert.ok(n > 800 && n < 1200, `uneven: ${[...counts.entries()].join(' ')}`);
});

test('no MX records: the domain itself (implicit MX); neither MX nor address: permanent', async () => {
  const route = await routeMail(resolver, 'implicit.test', { allowLocal: false });
  assert.deepEqual(route, {
    ok: true,
    implicit: true,
    addresses: [{ mx: 'implicit.test', preference: 0, ip: '198.51.100.9' }],
  });
  const none = await routeMail(resolver, 'nomx-noaddr.test', { allowLocal: false });
  assert.equal(none.ok, false);
  assert.equal(!none.ok && none.permanent, true);
});

test('null MX and NXDOMAIN are permanent, SERVFAIL temporary', async () => {
  const nullMx = await routeMail(resolver, 'nullmx.test', { allowLocal: true });
  assert.ok(!nullMx.ok && nullMx.permanent);
  assert.match(!nullMx.ok ? nullMx.reply : '', /^556 5\.1\.10 /);
  const nx = await routeMail(resolver, 'does-not-exist.test', { allowLocal: true });
  assert.ok(!nx.ok && nx.permanent);
  assert.match(!nx.ok ? nx.reply : '', /NXDOMAIN/);
  const servfail = await routeMail(resolver, 'servfail.test', { allowLocal: true });
  assert.ok(!servfail.ok && !servfail.permanent);
});

test('loopback and private MX addresses are refused unless allowLocalMx', async () => {
  const refused = await routeMail(resolver, 'private.test', { allowLocal: false });
  assert.ok(!refused.ok && refused.permanent);
  assert.match(!refused.ok ? refused.reply : '', /allowLocalMx/);
  const allowed = await routeMail(resolver, 'private.test', { allowLocal: true });
  assert.ok(allowed.ok);
  assert.deepEqual(
    allowed.addresses.map((a) => a.ip),
    ['10.1.2.3', '127.0.0.1'],
  );
  for (const ip of [
    '127.0.1.5',
    '10.0.0.1',
    '192.168.1.1',
    '172.16.0.1',
    '169.254.1.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:10.0.0.1',
    '0.0.0.0',
  ])
    assert.equal(isLocalAddress(ip), true, ip);
  for (const ip of ['198.51.100.1', '8.8.8.8', '2001:db8::1']) assert.equal(isLocalAddress(ip), false, ip);
});

test('backoff doubles from the minimal to the maximal delay (Postfix defaults: 5, 10, 20, 40, 66 min)', () => {
  const schedule = { minimalBackoffMs: 300_000, maximalBackoffMs: 3_960_000, lifetimeMs: 5 * 86_400_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 50, 5000].map((n) => backoffDelay(schedule, n) / 60_000),
    [5, 10, 20, 40, 66, 66, 66, 66],
  );
});

test('jitter stays within ±10 %, the last retry falls at the end of the lifetime, then the row expires', () => {
  const schedule = { minimalBackoffMs: 1_000, maximalBackoffMs: 8_000, lifetimeMs: 60_000 };
  for (const r of [0, 0.5, 0.999]) {
    const decision = nextAttempt(schedule, 0, 10_000, 1, () => r);
    assert.equal(decision.kind, 'retry');
    const delay = decision.kind === 'retry' ? decision.at - 10_000 : 0;
    assert.ok(delay >= 900 && delay <= 1_100, String(delay));
  }
  assert.deepEqual(
    nextAttempt(schedule, 0, 59_000, 9, () => 0.5),
    { kind: 'retry', at: 60_000 },
  );
  assert.deepEqual(
    nextAttempt(schedule, 0, 60_000, 10, () => 0.5),
    { kind: 'expired' },
  );
  // Attempts over the default five days: about 110, as Postfix's schedule makes.
  const defaults = { minimalBackoffMs: 300_000, maximalBackoffMs: 3_960_000, lifetimeMs: 5 * 86_400_000 };
  let now = 0;
  let attempts = 1;
  for (;;) {
    const d = nextAttempt(defaults, 0, now, attempts, () => 0.5);
    if (d.kind === 'expired') break;
    now = d.at;
    attempts++;
  }
  assert.ok(attempts > 100 && attempts < 120, String(attempts));
});
