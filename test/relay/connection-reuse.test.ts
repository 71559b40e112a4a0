// Several deliveries over one SMTP session (RFC 5321 §3.3: a new transaction after the 250 to the final dot), and
// TLS session resumption for new connections, against real loopback MX hosts on 127.0.1.60–63. The outbox is the
// real SQLite store in a temporary directory. One worker delivers at a time, so the rows of one test reach their MX
// one after the other and the sessions they share can be counted at the MX.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Relay, type RelayOptions } from '../../src/relay/relay.js';
import { openStore, type Store, type SubmissionView } from '../../src/store/index.js';
import {
  dkimpyVerify,
  loopbackMx,
  relayConfig,
  silentLogger,
  startRelayWorld,
  waitFor,
  type RelayWorld,
} from './support/fixture.js';
import { startMxHost, type MxHost } from './support/mx-hosts.js';

const domains = {
  ...loopbackMx('reuse.example.net', '127.0.1.60'),
  ...loopbackMx('defer.example.net', '127.0.1.61'),
  ...loopbackMx('dropmid.example.net', '127.0.1.62'),
  ...loopbackMx('resume.example.net', '127.0.1.63'),
};

let world: RelayWorld;
let store: Store;
const hosts: MxHost[] = [];
const relays: Relay[] = [];

before(async () => {
  world = await startRelayWorld(domains);
  store = await openStore(`sqlite:${join(world.dir, 'outbox.db')}`);
});

after(async () => {
  for (const relay of relays) await relay.stop(1_000);
  await Promise.all(hosts.map((h) => h.close()));
  await store?.close();
  await world?.close();
});

/** Queues one send per text to `to`, then starts a one-worker relay; returns the submission ids in order. */
async function queueAndStart(to: string, texts: string[], options: RelayOptions = {}): Promise<string[]> {
  // The outbox is shared: the previous test's relay stops first, so only this one's worker (and cache) delivers.
  for (const running of relays.splice(0)) await running.stop(1_000);
  const config = relayConfig(world, { sendTo: [to], workers: 1 });
  const relay = Relay.open(
    config,
    { store, resolver: world.resolver, logger: silentLogger, now: Date.now },
    {
      pollMs: 50,
      ...options,
    },
  );
  relays.push(relay);
  const ids: string[] = [];
  for (const text of texts) {
    const result = await relay.intake.submitSend({ ip: '127.0.0.1', to: [to], subject: 'reuse', text });
    assert.ok(result.ok, JSON.stringify(result));
    ids.push(result.id);
  }
  relay.start();
  return ids;
}

function settled(id: string, done: (view: SubmissionView) => boolean): Promise<SubmissionView> {
  return waitFor(`submission ${id}`, async () => {
    const view = await store.getSubmission(id);
    return view && done(view) ? view : undefined;
  });
}

const delivered = (view: SubmissionView) => view.recipients.every((r) => r.status === 'delivered');

/** The messages the MX received for one submission (by its X-Submission-Id field). */
function receivedFor(host: MxHost, id: string) {
  return host.received.filter((m) => m.raw.toString('latin1').includes(`\r\nX-Submission-Id: ${id}\r\n`));
}

test('twelve rows to one MX share one session: each delivered once, with its own signed bytes', async () => {
  const host = await startMxHost('127.0.1.60', { kind: 'accept' });
  hosts.push(host);
  const texts = Array.from({ length: 12 }, (_, i) => `message number ${i} of twelve\n`);
  const ids = await queueAndStart('desk@reuse.example.net', texts);
  for (const id of ids) await settled(id, delivered);
  assert.equal(host.received.length, 12);
  assert.ok(host.connections < 12, `${host.connections} connections for 12 messages`);
  assert.equal(host.connections, 1, 'one worker, back-to-back rows: one session');
  for (const [i, id] of ids.entries()) {
    const copies = receivedFor(host, id);
    assert.equal(copies.length, 1, `submission ${i} arrived once`);
    const raw = copies[0]?.raw as Buffer;
    assert.ok(raw.toString('utf8').includes(`message number ${i} of twelve`), `submission ${i} has its own text`);
    assert.equal(copies[0]?.tls, true);
    assert.equal(dkimpyVerify(raw, world.keyRecord), true, `submission ${i}: the signed bytes, unchanged`);
    const view = await store.getSubmission(id);
    assert.equal(view?.recipients[0]?.attempts.length, 1, 'each row has its own attempt record');
  }
  // The idle session is ended after the cache's idle time (2 s): nothing stays open.
  await waitFor('the idle session to close', () => (host.openConnections === 0 ? true : undefined), 10_000);
});

test('a 451 for one message in a shared session defers that row alone; the session goes on', async () => {
  const host = await startMxHost('127.0.1.61', { kind: 'defer-marked', marker: 'PLEASE-DEFER' });
  hosts.push(host);
  const texts = Array.from({ length: 6 }, (_, i) => (i === 2 ? 'PLEASE-DEFER this one\n' : `fine ${i}\n`));
  const ids = await queueAndStart('desk@defer.example.net', texts);
  for (const [i, id] of ids.entries()) if (i !== 2) await settled(id, delivered);
  const deferred = await settled(ids[2] as string, (v) => (v.recipients[0]?.attempts.length ?? 0) >= 1);
  const row = deferred.recipients[0];
  assert.equal(row?.status, 'deferred');
  assert.ok(
    row?.attempts.every((a) => a.reply.startsWith('451 ')),
    JSON.stringify(row?.attempts),
  );
  assert.ok(row?.nextAttemptAt !== undefined);
  for (const [i, id] of ids.entries()) assert.equal(receivedFor(host, id).length, i === 2 ? 0 : 1);
  // The refused transaction was reset (RSET) and the session kept for the next rows.
  assert.ok(host.connections < 6, `${host.connections} connections for 6 messages`);
});

test('a connection dropped mid-transaction fails only the row in flight, which is retried on schedule', async () => {
  const host = await startMxHost('127.0.1.62', { kind: 'drop-marked', marker: 'DROP-ON-ME', times: 1 });
  hosts.push(host);
  const texts = Array.from({ length: 6 }, (_, i) => (i === 3 ? 'DROP-ON-ME\n' : `steady ${i}\n`));
  const ids = await queueAndStart('desk@dropmid.example.net', texts);
  const views = [];
  for (const id of ids) views.push(await settled(id, delivered));
  for (const [i, view] of views.entries()) {
    const attempts = view.recipients[0]?.attempts ?? [];
    if (i === 3) {
      assert.equal(attempts.length, 2, JSON.stringify(attempts));
      assert.doesNotMatch(attempts[0]?.reply ?? '', /^250/);
      assert.match(attempts[1]?.reply ?? '', /^250/);
      // The retry schedule's first back-off (300 ms, less 10 % jitter), not an immediate resend.
      assert.ok((attempts[1]?.at as number) - (attempts[0]?.at as number) >= 270);
    } else {
      assert.equal(attempts.length, 1, `row ${i} was not touched by the drop`);
    }
    assert.equal(receivedFor(host, ids[i] as string).length, 1, `row ${i} delivered once`);
  }
  assert.ok(host.connections >= 2, 'the dropped session was replaced');
  assert.ok(host.connections < 6, `${host.connections} connections for 6 messages`);
});

test('a new connection to an MX seen before resumes its TLS session', async () => {
  const host = await startMxHost('127.0.1.63', { kind: 'accept' });
  hosts.push(host);
  // No session is kept idle, so every delivery opens a connection of its own.
  const texts = Array.from({ length: 4 }, (_, i) => `resume ${i}\n`);
  const ids = await queueAndStart('desk@resume.example.net', texts, { connectionCache: { idlePerHost: 0 } });
  for (const id of ids) await settled(id, delivered);
  assert.equal(host.connections, 4);
  assert.equal(host.tlsHandshakes, 4);
  assert.ok(host.tlsResumed >= 1, `${host.tlsResumed} of 4 handshakes resumed`);
  assert.ok(host.received.every((m) => m.tls));
});
