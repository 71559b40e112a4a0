// Leases (several workers, one outbox): a slow MX keeps an attempt running for several lease lengths; the worker
// renews its lease meanwhile, so a second worker sharing the outbox never takes the row in flight — one copy, one
// attempt. And a graceful stop returns the rows a worker holds. MX hosts on 127.0.1.20–21.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Relay } from '../../src/relay/relay.js';
import type { Store } from '../../src/store/types.js';
import { openFaultyStore, type FaultyStore } from '../support/faulty-store.js';
import { relayConfig, silentLogger, startRelayWorld, waitFor, type RelayWorld } from './support/fixture.js';
import { startMxHost, type MxHost } from './support/mx-hosts.js';

let world: RelayWorld;
let slow: MxHost;
let held: MxHost;
const relays: Relay[] = [];
const stores: FaultyStore[] = [];

before(async () => {
  world = await startRelayWorld({
    'slow.example.net': { MX: [[10, 'mx.slow.example.net']] },
    'mx.slow.example.net': { A: ['127.0.1.20'] },
    'held.example.net': { MX: [[10, 'mx.held.example.net']] },
    'mx.held.example.net': { A: ['127.0.1.21'] },
  });
  slow = await startMxHost('127.0.1.20', { kind: 'slow', ms: 2_500 });
  held = await startMxHost('127.0.1.21', { kind: 'stall' });
});

after(async () => {
  await Promise.all(relays.map((r) => r.stop(500)));
  await Promise.all(stores.map((s) => s.close()));
  await slow?.close();
  await held?.close();
  await world?.close();
});

async function newStore(): Promise<FaultyStore> {
  const store = await openFaultyStore();
  stores.push(store);
  return store;
}

function open(store: Store, lease: string): Relay {
  const config = relayConfig(world, { lease, sendTo: ['desk@slow.example.net', 'desk@held.example.net'] });
  const relay = Relay.open(
    config,
    { store, resolver: world.resolver, logger: silentLogger, now: Date.now },
    { pollMs: 50 },
  );
  relays.push(relay);
  return relay;
}

test('a lease renewed while a slow MX works: a second worker never takes the row, one copy is sent', async () => {
  const store = await newStore();
  const first = open(store, '600ms');
  const second = open(store, '600ms');
  const result = await first.intake.submitSend({
    ip: '127.0.0.1',
    to: ['desk@slow.example.net'],
    subject: 's',
    text: 't',
  });
  assert.ok(result.ok);
  first.start();
  second.start();
  const view = await waitFor('delivery', async () => {
    const v = await store.getSubmission(result.id);
    return v?.recipients[0]?.status === 'delivered' ? v : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.equal(view.recipients[0]?.attempts.length, 1);
  assert.equal(slow.received.length, 1);
  assert.equal(slow.dataAttempts, 1, 'no second session reached the end of DATA');
});

test('stop() gives an attempt its grace, then releases the rows this worker holds', async () => {
  const store = await newStore();
  const relay = open(store, '1h');
  const result = await relay.intake.submitSend({
    ip: '127.0.0.1',
    to: ['desk@held.example.net'],
    subject: 's',
    text: 't',
  });
  assert.ok(result.ok);
  relay.start();
  await waitFor('the held attempt', () => (held.stalled >= 1 ? true : undefined));
  const row = async () => (await store.recipients()).find((r) => r.submission_id === result.id);
  assert.equal((await row())?.lease_owner, relay.worker.id);
  const started = Date.now();
  await relay.stop(300);
  assert.ok(Date.now() - started < 3_000);
  const released = await row();
  assert.equal(released?.lease_owner, null, 'the lease was released');
  assert.equal(released?.status, 'queued');
  // The next claim takes it at once, without waiting an hour for the lease.
  const claimed = await store.claimDeliveries('another', Date.now(), 1_000, 10);
  assert.deepEqual(
    claimed.map((c) => c.submissionId),
    [result.id],
  );
});

test('a database that does not answer: posts get 503 store-unavailable, never an acknowledgement', async () => {
  const store = await newStore();
  const config = relayConfig(world, {
    sendTo: ['desk@slow.example.net'],
    rateLimit: { perIp: '100/min' },
    forms: [{ id: 'f', to: ['desk@slow.example.net'], fields: ['message'], captcha: 'none', tokens: ['t'.repeat(16)] }],
  });
  const relay = Relay.open(config, { store, resolver: world.resolver, logger: silentLogger, now: Date.now });
  store.inject({ method: '*', effect: 'unavailable' });
  const form = await relay.intake.submitForm({
    formId: 'f',
    ip: '127.0.0.1',
    token: 't'.repeat(16),
    fields: { message: 'x' },
  });
  assert.deepEqual(form.ok ? undefined : [form.status, form.code], [503, 'store-unavailable']);
  const send = await relay.intake.submitSend({
    ip: '127.0.0.1',
    to: ['desk@slow.example.net'],
    subject: 's',
    text: 't',
  });
  assert.deepEqual(send.ok ? undefined : [send.status, send.code], [503, 'store-unavailable']);
  assert.deepEqual(await store.submissions(), []);
});
