// Nothing acknowledged is lost: 20 SMTP clients send while `mailtrust serve` is killed with SIGKILL; after a
// restart on the same SQLite file every message that got a 250 is in the store, and the database opens cleanly.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { LineClient } from '../smtp/harness.js';
import { startServe, tempDir } from './serve-process.js';

const children: { kill: (signal: NodeJS.Signals) => boolean }[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

const zone = new URL('../../../examples/example.zone', import.meta.url).pathname;
const toml = `database = "sqlite:./kill.db"\nzone = "${zone}"\n[smtp]\ntestDomain = "check.localhost"\nlisten = "127.0.0.1:0"\nmaxSessions = 50\n[http]\nlisten = "127.0.0.1:0"\n`;

/** One client: sends messages one after another until the connection dies; returns the ids acknowledged. */
async function sender(port: number, n: number, acked: string[]): Promise<void> {
  let client: LineClient;
  try {
    client = await LineClient.open(port);
  } catch {
    return;
  }
  try {
    if (!/^220/.test(await client.reply())) return;
    await client.command(`EHLO client${n}.example.com`);
    for (let i = 0; ; i++) {
      if (!/^250/.test(await client.command('MAIL FROM:<alice@example.com>'))) return;
      if (!/^250/.test(await client.command(`RCPT TO:<kill${n}@check.localhost>`))) return;
      if (!/^354/.test(await client.command('DATA'))) return;
      const reply = await client.command(`Subject: client ${n} message ${i}\r\n\r\n${'body line\r\n'.repeat(20)}.`);
      const id = /^250 2\.6\.0 stored as (\w+)/.exec(reply)?.[1];
      if (!id) return;
      acked.push(id);
    }
  } catch {
    // The server died mid-command: whatever was not acknowledged may be lost.
  } finally {
    client.end();
  }
}

test('SIGKILL while 20 clients send: every acknowledged message is stored after restart', async () => {
  const dir = tempDir();
  const first = await startServe(dir, toml);
  children.push(first.child);
  const acked: string[] = [];
  const senders = Array.from({ length: 20 }, (_, n) => sender(first.ports['smtp']!, n, acked));
  await new Promise((resolve) => setTimeout(resolve, 2500));
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, 'SIGKILL');
  await Promise.all(senders);
  assert.ok(acked.length >= 20, `only ${acked.length} messages were acknowledged before the kill`);

  // The service starts again on the same file (the store recovers from its journal) …
  const second = await startServe(dir, toml);
  children.push(second.child);
  const health = await fetch(`http://127.0.0.1:${second.ports['http']!}/healthz`);
  assert.equal(health.status, 200);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);

  // … and holds every message that got a 250.
  const store = await openStore(`sqlite:${join(dir, 'kill.db')}`);
  try {
    const missing: string[] = [];
    for (const id of acked) if (!(await store.getMessage(id))) missing.push(id);
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged messages are missing`);
  } finally {
    await store.close();
  }
});
