/** LookupTracker: each question once, the work counted, the critical-path depth; over the loopback DNS server. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LookupTracker } from '../../src/core/audit/index.js';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

let server: TestDnsServer;
before(async () => {
  server = await startTestDnsServer({
    records: zoneRecords({
      'a.example.net': { A: ['192.0.2.1'], TXT: ['one', 'two'] },
      'b.example.net': { A: ['192.0.2.2'] },
      'c.example.net': { A: ['192.0.2.3'] },
      'd.example.net': { A: ['192.0.2.4'] },
    }),
    rules: [{ name: 'down.example.net', action: 'timeout' }],
  });
});
after(() => server.close());

const fresh = () => createResolver({ servers: [server.address], timeoutMs: 200, retries: 0, cache: false });

describe('LookupTracker', () => {
  test('the same question asked by several checks goes out once', async () => {
    const tracker = new LookupTracker(fresh());
    const before = server.queries.length;
    const answers = await Promise.all([
      tracker.resolver.a('a.example.net'),
      tracker.resolver.a('A.example.net.'),
      tracker.resolver.a('a.example.net'),
    ]);
    assert.ok(answers.every((a) => a.ok && a.records[0] === '192.0.2.1'));
    assert.equal(server.queries.length - before, 1);
    assert.equal(tracker.queries, 1);
    assert.equal(tracker.answered, 1);
  });

  test('typed TXT and raw TXT queries share one question, with the strings of each record joined', async () => {
    const tracker = new LookupTracker(fresh());
    const raw = tracker.resolver as unknown as { query(name: string, type: 'TXT'): Promise<{ ok: boolean }> };
    const [typed, outcome] = await Promise.all([
      tracker.resolver.txt('a.example.net'),
      raw.query('a.example.net', 'TXT'),
    ]);
    assert.ok(typed.ok);
    assert.deepEqual([...typed.records].sort(), ['one', 'two']);
    assert.equal(outcome.ok, true);
    assert.equal(tracker.queries, 1);
  });

  test('depth: a chain counts each step, parallel lookups count once', async () => {
    const chain = new LookupTracker(fresh());
    await chain.fork(async () => {
      await chain.resolver.a('a.example.net');
      await chain.resolver.a('b.example.net');
      await chain.resolver.a('c.example.net');
    });
    assert.equal(chain.maxDepth, 3);

    const wide = new LookupTracker(fresh());
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => wide.fork(() => wide.resolver.a(`${n}.example.net`))));
    assert.equal(wide.maxDepth, 1);
    assert.equal(wide.queries, 4);
  });

  test('depth: work after a forked branch starts as deep as the branch went', async () => {
    const tracker = new LookupTracker(fresh());
    await tracker.fork(async () => {
      await Promise.all([
        tracker.fork(async () => {
          await tracker.resolver.a('a.example.net');
          await tracker.resolver.a('b.example.net');
        }),
        tracker.fork(() => tracker.resolver.a('c.example.net')),
      ]);
      await tracker.resolver.a('d.example.net');
    });
    assert.equal(tracker.maxDepth, 3);
  });

  test('depth: waiting for an answer another branch asked for counts that answer’s depth', async () => {
    const tracker = new LookupTracker(fresh());
    let issued!: () => void;
    const bIssued = new Promise<void>((resolve) => (issued = resolve));
    await Promise.all([
      tracker.fork(async () => {
        await tracker.resolver.a('a.example.net');
        const b = tracker.resolver.a('b.example.net'); // depth 2
        issued();
        await b;
      }),
      tracker.fork(async () => {
        await bIssued;
        await tracker.resolver.a('b.example.net'); // the same question: depth 2
        await tracker.resolver.a('c.example.net'); // depth 3
      }),
    ]);
    assert.equal(tracker.maxDepth, 3);
    assert.equal(tracker.queries, 3);
  });

  test('failures for now are counted apart from answers; progress is reported', async () => {
    const seen: { queries: number; pending: number }[] = [];
    const tracker = new LookupTracker(fresh(), (p) => seen.push(p));
    await Promise.all([tracker.resolver.a('down.example.net'), tracker.resolver.a('nothing.example.net')]);
    assert.equal(tracker.queries, 2);
    assert.equal(tracker.temporaryFailures, 1);
    assert.equal(tracker.answered, 1, 'NXDOMAIN is an answer');
    assert.equal(tracker.pending, 0);
    assert.deepEqual(seen.at(-1), { queries: 2, pending: 0 });
    assert.ok(seen.some((p) => p.pending === 2));
  });
});
