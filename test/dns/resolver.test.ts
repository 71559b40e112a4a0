/** The DNS layer over real UDP and TCP to the loopback test server (docs/dns.md). */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

const longTxt = ['a'.repeat(255), 'b'.repeat(255), 'c'.repeat(255), 'd'.repeat(255), 'e'.repeat(200)];

const records = zoneRecords({
  'example.com': {
    TXT: ['v=spf1 ip4:192.0.2.1 -all'],
    A: ['192.0.2.1'],
    AAAA: ['2001:db8:0:0:0:0:0:1'],
    MX: [
      [20, 'mx2.example.com'],
      [10, 'mx1.example.com'],
    ],
  },
  'long.example.com': { TXT: [longTxt] },
  'alias.example.com': { CNAME: 'example.com' },
  'deep.sub.example.com': { A: ['192.0.2.9'] },
  '1.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
  '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa': { PTR: ['v6.example.com'] },
  'short.example.com': { A: ['192.0.2.7'], ttl: 5 },
  'xn--bcher-kva.example': { A: ['192.0.2.8'] },
  'slow.example.com': { A: ['192.0.2.10'] },
});

/** A UDP port on loopback where nothing answers (a dead server). */
async function deadPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('DNS resolver over loopback', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({ records, negativeTtl: 30 });
  });
  after(() => server.close());

  const fresh = (extra: Parameters<typeof createResolver>[0] = {}) =>
    createResolver({ servers: [server.address], timeoutMs: 300, retries: 0, ...extra });

  test('answers TXT, A, AAAA, MX (sorted) and PTR', async () => {
    const resolver = fresh();
    assert.deepEqual(await resolver.txt('example.com'), { ok: true, records: ['v=spf1 ip4:192.0.2.1 -all'], ttl: 300 });
    assert.deepEqual(await resolver.a('example.com'), { ok: true, records: ['192.0.2.1'], ttl: 300 });
    assert.deepEqual(await resolver.aaaa('example.com'), { ok: true, records: ['2001:db8::1'], ttl: 300 });
    const mx = await resolver.mx('example.com');
    assert.ok(mx.ok);
    assert.deepEqual(
      mx.records.map((r) => r.exchange),
      ['mx1.example.com', 'mx2.example.com'],
    );
    assert.deepEqual(await resolver.ptr('192.0.2.1'), { ok: true, records: ['mail.example.com'], ttl: 300 });
    assert.deepEqual(await resolver.ptr('2001:db8::1'), { ok: true, records: ['v6.example.com'], ttl: 300 });
  });

  test('keeps NXDOMAIN, NODATA and empty non-terminals apart', async () => {
    const resolver = fresh();
    assert.deepEqual(await resolver.a('missing.example.com'), { ok: false, kind: 'nxdomain' });
    assert.deepEqual(await resolver.mx('alias.example.com'), await resolver.mx('example.com'));
    assert.deepEqual(await resolver.txt('deep.sub.example.com'), { ok: false, kind: 'nodata' });
    // sub.example.com has no records but a child: it exists (RFC 8020), so NODATA, not NXDOMAIN.
    assert.deepEqual(await resolver.a('sub.example.com'), { ok: false, kind: 'nodata' });
  });

  test('follows CNAME chains in the answer', async () => {
    assert.deepEqual(await fresh().a('alias.example.com'), { ok: true, records: ['192.0.2.1'], ttl: 300 });
  });

  test('reports SERVFAIL, REFUSED and timeout as distinct kinds', async () => {
    server.setRules([
      { name: 'servfail.example.com', action: 'servfail' },
      { name: 'refused.example.com', action: 'refused' },
      { name: 'timeout.example.com', action: 'timeout' },
    ]);
    try {
      const resolver = fresh();
      assert.deepEqual(await resolver.a('servfail.example.com'), { ok: false, kind: 'servfail' });
      assert.deepEqual(await resolver.a('refused.example.com'), { ok: false, kind: 'refused' });
      assert.deepEqual(await resolver.a('timeout.example.com'), { ok: false, kind: 'timeout' });
    } finally {
      server.setRules([]);
    }
  });

  test('retries over TCP when the UDP answer is truncated', async () => {
    const before = server.queries.length;
    const answer = await fresh().txt('long.example.com');
    assert.deepEqual(answer, { ok: true, records: [longTxt.join('')], ttl: 300 });
    const log = server.queries.slice(before);
    assert.deepEqual(
      log.map((q) => q.transport),
      ['udp', 'tcp'],
    );
    assert.ok(log[0]!.edns, 'the UDP query carries an EDNS0 OPT record');
  });

  test('forced truncation of a small answer also goes to TCP', async () => {
    server.setRules([{ name: 'example.com', type: 'A', action: 'truncate' }]);
    try {
      const before = server.queries.length;
      assert.deepEqual(await fresh().a('example.com'), { ok: true, records: ['192.0.2.1'], ttl: 300 });
      assert.deepEqual(
        server.queries.slice(before).map((q) => q.transport),
        ['udp', 'tcp'],
      );
    } finally {
      server.setRules([]);
    }
  });

  test('caches answers until their TTL runs out', async () => {
    let now = 1_000_000;
    const resolver = fresh({ clock: () => now });
    const count = () => server.queries.filter((q) => q.name === 'short.example.com').length;
    const start = count();
    assert.equal((await resolver.a('short.example.com')).ok, true);
    now += 4_000;
    const cached = await resolver.a('short.example.com');
    assert.equal(count(), start + 1, 'the second lookup within the TTL is served from cache');
    assert.ok(cached.ok && cached.ttl <= 1, `the cached TTL counts down (got ${cached.ok ? cached.ttl : '-'})`);
    now += 2_000;
    await resolver.a('short.example.com');
    assert.equal(count(), start + 2, 'after the TTL the query goes out again');
  });

  test("answers from the cache share one frozen record list: no caller can change another caller's answer", async () => {
    const resolver = fresh();
    const first = await resolver.mx('example.com');
    const second = await resolver.mx('example.com');
    assert.ok(first.ok && second.ok);
    assert.equal(second.records, first.records, 'the cached answer reuses the typed records');
    assert.ok(Object.isFrozen(first.records) && Object.isFrozen(first.records[0]));
    assert.throws(() => first.records.push({ priority: 0, exchange: 'evil.example' }), TypeError);
    assert.throws(() => {
      (first.records[0] as { exchange: string }).exchange = 'evil.example';
    }, TypeError);
    assert.deepEqual((await resolver.mx('example.com')).ok && second.records.map((r) => r.exchange), [
      'mx1.example.com',
      'mx2.example.com',
    ]);
  });

  test('caches negative answers for the SOA negative TTL (RFC 2308)', async () => {
    let now = 5_000_000;
    const resolver = fresh({ clock: () => now });
    const count = () => server.queries.filter((q) => q.name === 'nothing.example.com').length;
    const start = count();
    assert.deepEqual(await resolver.a('nothing.example.com'), { ok: false, kind: 'nxdomain' });
    now += 29_000;
    assert.deepEqual(await resolver.a('nothing.example.com'), { ok: false, kind: 'nxdomain' });
    assert.equal(count(), start + 1);
    now += 2_000;
    await resolver.a('nothing.example.com');
    assert.equal(count(), start + 2);
  });

  test('does not cache timeouts or SERVFAIL', async () => {
    server.setRules([{ name: 'flaky.example.com', action: 'servfail' }]);
    const resolver = fresh();
    assert.deepEqual(await resolver.a('flaky.example.com'), { ok: false, kind: 'servfail' });
    server.setRules([]);
    server.setRecords([...records, ...zoneRecords({ 'flaky.example.com': { A: ['192.0.2.77'] } })]);
    try {
      assert.deepEqual(await resolver.a('flaky.example.com'), { ok: true, records: ['192.0.2.77'], ttl: 300 });
    } finally {
      server.setRecords(records);
    }
  });

  test('merges identical queries in flight into one exchange', async () => {
    server.setRules([{ name: 'slow.example.com', action: { delayMs: 100 } }]);
    try {
      const resolver = fresh();
      const start = server.queries.filter((q) => q.name === 'slow.example.com').length;
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => resolver.a('slow.example.com')));
      for (const answer of answers) assert.deepEqual(answer, { ok: true, records: ['192.0.2.10'], ttl: 300 });
      assert.equal(server.queries.filter((q) => q.name === 'slow.example.com').length, start + 1);
    } finally {
      server.setRules([]);
    }
  });

  test('retries a server that timed out once', async () => {
    const count = () => server.queries.filter((q) => q.name === 'retry.example.com').length;
    server.setRecords([...records, ...zoneRecords({ 'retry.example.com': { A: ['192.0.2.99'] } })]);
    server.setRules([{ name: 'retry.example.com', action: 'timeout' }]);
    const start = count();
    const resolver = createResolver({ servers: [server.address], timeoutMs: 200, retries: 1, cache: false });
    const pending = resolver.a('retry.example.com');
    // The first attempt goes unanswered; lift the rule so the retry round is answered.
    while (count() === start) await new Promise((resolve) => setTimeout(resolve, 5));
    server.setRules([]);
    try {
      assert.deepEqual(await pending, { ok: true, records: ['192.0.2.99'], ttl: 300 });
      assert.equal(count(), start + 2);
    } finally {
      server.setRecords(records);
    }
  });

  test('moves on to the next server when one is dead', async () => {
    const dead = await deadPort();
    const resolver = createResolver({ servers: [`127.0.0.1:${dead}`, server.address], timeoutMs: 200, retries: 0 });
    assert.deepEqual(await resolver.a('example.com'), { ok: true, records: ['192.0.2.1'], ttl: 300 });
  });

  test('all servers dead is a timeout', async () => {
    const dead = await deadPort();
    const resolver = createResolver({ servers: [`127.0.0.1:${dead}`], timeoutMs: 100, retries: 1 });
    assert.deepEqual(await resolver.txt('example.com'), { ok: false, kind: 'timeout' });
  });

  test('garbage and wrong-ID answers do not crash; the next server is asked', async () => {
    const other = await startTestDnsServer({ records, rules: [{ name: /.*/, action: 'garbage' }] });
    const wrongId = await startTestDnsServer({ records, rules: [{ name: /.*/, action: 'wrong-id' }] });
    try {
      const onlyGarbage = createResolver({ servers: [other.address], timeoutMs: 200, retries: 0 });
      assert.deepEqual(await onlyGarbage.a('example.com'), { ok: false, kind: 'servfail' });
      const onlyWrongId = createResolver({ servers: [wrongId.address], timeoutMs: 100, retries: 0 });
      assert.deepEqual(await onlyWrongId.a('example.com'), { ok: false, kind: 'timeout' });
      const mixed = createResolver({ servers: [other.address, server.address], timeoutMs: 200, retries: 0 });
      assert.deepEqual(await mixed.a('example.com'), { ok: true, records: ['192.0.2.1'], ttl: 300 });
    } finally {
      await other.close();
      await wrongId.close();
    }
  });

  test('names that cannot exist are NXDOMAIN without a query', async () => {
    const resolver = fresh();
    const before = server.queries.length;
    assert.deepEqual(await resolver.a(`${'a'.repeat(64)}.example.com`), { ok: false, kind: 'nxdomain' });
    assert.deepEqual(await resolver.a(`${'abcdefghi.'.repeat(26)}com`), { ok: false, kind: 'nxdomain' });
    assert.deepEqual(await resolver.a('a..example.com'), { ok: false, kind: 'nxdomain' });
    assert.equal(server.queries.length, before);
  });

  test('non-ASCII names are sent as A-labels (IDNA)', async () => {
    assert.deepEqual(await fresh().a('Bücher.example'), { ok: true, records: ['192.0.2.8'], ttl: 300 });
    assert.equal(server.queries.at(-1)?.name, 'xn--bcher-kva.example');
  });

  test('records a trace of every query', async () => {
    const resolver = fresh().withTrace();
    await resolver.txt('example.com');
    await resolver.txt('example.com');
    await resolver.a('missing.example.com');
    const trace = resolver.trace!.entries;
    assert.equal(trace.length, 3);
    assert.deepEqual(
      trace.map((e) => [e.name, e.type, e.outcome, e.source]),
      [
        ['example.com', 'TXT', 'ok', 'network'],
        ['example.com', 'TXT', 'ok', 'cache'],
        ['missing.example.com', 'A', 'nxdomain', 'network'],
      ],
    );
    assert.deepEqual(trace[0]!.records, ['"v=spf1 ip4:192.0.2.1 -all"']);
    assert.equal(trace[2]!.ttl, 30);
  });

  test('a zone overlays the network: zone records first, the rest from the server', async () => {
    const resolver = createResolver({
      servers: [server.address],
      timeoutMs: 300,
      retries: 0,
      zone: zoneRecords({ 'example.com': { TXT: ['v=spf1 include:_spf.example.net ~all'] } }),
    });
    assert.deepEqual(await resolver.txt('example.com'), {
      ok: true,
      records: ['v=spf1 include:_spf.example.net ~all'],
      ttl: 300,
    });
    assert.deepEqual(await resolver.a('example.com'), { ok: true, records: ['192.0.2.1'], ttl: 300 });
  });
});
