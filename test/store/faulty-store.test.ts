// The fault-injecting wrapper the faces' suites use (test/support/faulty-store.ts): its faults do what they say,
// and everything else reaches the real SQLite store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openFaultyStore, type FaultyStore } from '../support/faulty-store.js';
import { newId } from '../../src/store/ids.js';
import type { NewMessage } from '../../src/store/types.js';
import { evaluations, message as storedForm } from './messages-fixture.js';

let counter = 0;
/** A message with a real evaluation and its own id (ids sort by the order made). */
async function newMessage(extra: Partial<NewMessage>): Promise<NewMessage> {
  const { pass } = await evaluations();
  return storedForm(newId(Date.now() + counter++), pass, extra);
}

let store: FaultyStore;
before(async () => {
  store = await openFaultyStore();
});
after(async () => {
  await store.close();
});

test('without faults every call reaches the database', async () => {
  const message = await newMessage({ subject: 'plain' });
  await store.saveMessage(message);
  assert.equal((await store.getMessage(message.id))?.subject, 'plain');
  assert.deepEqual(
    (await store.messages()).map((m) => m.id),
    [message.id],
  );
  assert.equal(await store.ping(), true);
});

test('nth: only that call from now fails, with StoreUnavailableError, and nothing is committed', async () => {
  const heal = store.inject({ method: 'saveMessage', effect: 'unavailable', nth: 2 });
  const first = await newMessage({ subject: 'first' });
  const second = await newMessage({ subject: 'second' });
  const third = await newMessage({ subject: 'third' });
  await store.saveMessage(first);
  await assert.rejects(store.saveMessage(second), { name: 'StoreUnavailableError' });
  await store.saveMessage(third);
  heal();
  const subjects = (await store.messages()).map((m) => m.subject);
  assert.ok(subjects.includes('first') && subjects.includes('third'));
  assert.ok(!subjects.includes('second'));
});

test("'*': every method fails, ping answers false; a later rule wins; heal() ends them all", async () => {
  store.inject({ method: '*', effect: 'unavailable' });
  await assert.rejects(store.listMessages({}), { name: 'StoreUnavailableError' });
  await assert.rejects(store.hitRateLimit('k', 1, 1000, Date.now()), { name: 'StoreUnavailableError' });
  assert.equal(await store.ping(), false);
  store.inject({ method: 'ping', effect: 'hang' });
  const hung = await Promise.race([
    store.ping(),
    new Promise((resolve) => setTimeout(() => resolve('still waiting'), 200)),
  ]);
  assert.equal(hung, 'still waiting');
  store.heal();
  assert.equal(await store.ping(), true);
});

test('delay: the call waits, then is committed', async () => {
  const heal = store.inject({ method: 'saveMessage', effect: { delayMs: 300 } });
  const message = await newMessage({ subject: 'slow' });
  const started = performance.now();
  const before = store.calls('saveMessage');
  await store.saveMessage(message);
  heal();
  assert.ok(performance.now() - started >= 290, 'the save waited for its delay');
  assert.equal(store.calls('saveMessage'), before + 1);
  assert.equal((await store.getMessage(message.id))?.subject, 'slow');
});
