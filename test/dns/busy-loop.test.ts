/**
 * A reply that has arrived is never counted as a timeout, however busy the event loop is: 1,000 evaluations are
 * started in one synchronous loop against a DNS server in another process, with no retries and 500 ms per
 * attempt. The server answers each question in well under that; the loop is busy far longer (parsing and hashing
 * 1,000 messages before any reply is read), so a timer that started before its query was sent, or that is judged
 * before the sockets are read, turns answered questions into `temperror`.
 *
 * The resolver caches and shares questions in flight, as a service's does: the server sees a few dozen queries.
 * (Without the cache, 8,500 datagrams at once overflow the server socket's receive buffer and are really lost.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createResolver, evaluate, type Evaluation } from '../../src/core/index.js';
import { evaluationFixtures, type Fixture } from '../evaluation/streaming-fixtures.js';
import { startDnsServerProcess, type DnsServerProcess } from '../support/dns-server-process.js';

const EVALUATIONS = 1000;

let server: DnsServerProcess;
let messages: Fixture[];
let now: Date;

before(async () => {
  const built = await evaluationFixtures();
  messages = built.fixtures.filter((f) => f.name.startsWith('corpus '));
  now = built.corpus.now;
  server = await startDnsServerProcess(built.corpus.zone);
});
after(() => server.stop());

function timeouts(evaluation: Evaluation): string[] {
  return evaluation.dns.queries.filter((q) => q.outcome === 'timeout').map((q) => `${q.name}/${q.type} ${q.ms} ms`);
}

test(
  `${EVALUATIONS} evaluations started in one loop: no answered question times out`,
  { timeout: 120_000 },
  async () => {
    const resolver = createResolver({ servers: [server.address], retries: 0, timeoutMs: 500 });
    const pending: Promise<Evaluation>[] = [];
    for (let i = 0; i < EVALUATIONS; i++) {
      const message = messages[i % messages.length]!;
      pending.push(evaluate(message.raw, message.envelope, { resolver, now }));
    }
    const evaluations = await Promise.all(pending);
    const timedOut = evaluations.flatMap(timeouts);
    assert.deepEqual(timedOut.slice(0, 5), [], `${timedOut.length} queries timed out`);
    const temperror = evaluations.filter(
      (e) =>
        e.spf.result === 'temperror' || e.dmarc.result === 'temperror' || e.dkim.some((d) => d.result === 'temperror'),
    );
    assert.equal(temperror.length, 0);
    // Every evaluation asked its questions on the network (the trace is not empty).
    assert.ok(evaluations.every((e) => e.dns.queries.length > 0));
  },
);
