/**
 * One evaluation's memo over a resolver (dns/memo.ts) and `lookup()` (dns/lookup.ts), over real UDP to the
 * loopback test server: each question asked once, answers known at once when the resolver knows them, and
 * answers that have arrived given without a promise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createResolver } from '../../src/core/dns/index.js';
import { lookup } from '../../src/core/dns/lookup.js';
import { memoizeResolver } from '../../src/core/dns/memo.js';
import type { DnsAnswer, Resolver } from '../../src/core/dns/types.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

const records = zoneRecords({
  'example.com': { TXT: ['v=spf1 -all'], A: ['192.0.2.1'], MX: [[10, 'mx.example.com']] },
  '1.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
});

describe('memoizeResolver() and lookup()', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({ records, negativeTtl: 30 });
  });
  after(() => server.close());

  const asked = (name: string, type: string) => server.queries.filter((q) => q.name === name && q.type === type).length;

  test('a question is asked once, however it is asked; once arrived, the answer is known at once', async () => {
    const memo = memoizeResolver(createResolver({ servers: [server.address], timeoutMs: 500, cache: false }));
    const before = asked('example.com', 'TXT');
    const first = lookup(memo, 'txt', 'example.com');
    assert.ok(first instanceof Promise, 'nothing is known yet: the lookup is on its way');
    assert.equal(memo.known?.('txt', 'Example.COM.'), undefined, 'still on its way');
    const [a, b] = await Promise.all([first, memo.txt('example.com')]);
    assert.deepEqual(a, b);
    assert.ok(a.ok && a.records[0] === 'v=spf1 -all');
    const later = lookup(memo, 'txt', 'example.com');
    assert.ok(!(later instanceof Promise), 'an answer that has arrived is given as it is');
    assert.deepEqual(later, a);
    assert.deepEqual(await memo.txt('example.com'), a);
    assert.equal(asked('example.com', 'TXT'), before + 1, 'one query on the wire');
  });

  test('answers in the cache are known without waiting, for every kind of lookup', async () => {
    // A clock that stands still: the cached TTL does not count down between the two readings.
    const client = createResolver({ servers: [server.address], timeoutMs: 500, cache: true, clock: () => 1_000_000 });
    const questions: [keyof Resolver & ('txt' | 'a' | 'aaaa' | 'mx' | 'ptr'), string][] = [
      ['txt', 'example.com'],
      ['a', 'example.com'],
      ['aaaa', 'example.com'],
      ['mx', 'example.com'],
      ['ptr', '192.0.2.1'],
      ['a', 'missing.example.com'],
    ];
    const expected: DnsAnswer<unknown>[] = [];
    for (const [kind, name] of questions) expected.push(await client[kind](name));
    const memo = memoizeResolver(client);
    questions.forEach(([kind, name], i) => {
      const answer = lookup(memo, kind, name);
      assert.ok(!(answer instanceof Promise), `${kind} ${name} is known`);
      assert.deepEqual(answer, expected[i], `${kind} ${name}`);
    });
    assert.deepEqual(expected[5], { ok: false, kind: 'nxdomain' });
    assert.equal(client.known('ptr', 'not an address')?.ok, false, 'no reverse name: nxdomain, no query');
  });

  test('a resolver without known() is waited on, and a thenable it returns becomes a promise', async () => {
    const answer: DnsAnswer<string> = { ok: true, records: ['192.0.2.5'], ttl: 60 };
    const thenable = { then: (done: (value: DnsAnswer<string>) => void) => done(answer) };
    const plain = {
      txt: () => thenable,
      a: () => thenable,
      aaaa: () => thenable,
      mx: () => thenable,
      ptr: () => thenable,
    } as unknown as Resolver;
    const result = lookup(plain, 'a', 'example.com');
    assert.ok(result instanceof Promise);
    assert.deepEqual(await result, answer);
  });
});
