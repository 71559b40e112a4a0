// Nothing acknowledged is lost: `serve` (a child process, SQLite store) answers 202 and is killed with SIGKILL before
// delivery — once while the MX hosts are down (rows queued or deferred), once while an attempt is in flight (the MX
// holds the message without answering the final dot, so the row is leased). After a restart every recipient gets
// exactly one copy, with the Message-ID of the first composition. MX hosts on 127.0.1.40–42.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { FORM_TOKEN, configDocument, startRelayWorld, waitFor, type RelayWorld } from './support/fixture.js';
import { startMxHost, type MxHost } from './support/mx-hosts.js';

let world: RelayWorld;
let configPath: string;
let database: string;
const hosts: MxHost[] = [];
const children: ChildProcess[] = [];

before(async () => {
  world = await startRelayWorld({
    'down.example.net': { MX: [[10, 'mx.down.example.net']] },
    'mx.down.example.net': { A: ['127.0.1.40'] },
    'stall.example.net': { MX: [[10, 'mx.stall.example.net']] },
    'mx.stall.example.net': { A: ['127.0.1.41'] },
    'backup.example.net': { MX: [[10, 'mx.backup.example.net']] },
    'mx.backup.example.net': { A: ['127.0.1.42'] },
  });
  database = `sqlite:${join(world.dir, 'crash.db')}`;
  configPath = join(world.dir, 'crash.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      configDocument(
        world,
        {
          lease: '2s',
          sendTo: ['desk@stall.example.net'],
          forms: [
            {
              id: 'contact',
              to: ['desk@down.example.net'],
              copyTo: ['copy@backup.example.net'],
              fields: ['name', 'email', 'message'],
              replyToField: 'email',
              captcha: 'none',
              tokens: [FORM_TOKEN],
            },
          ],
        },
        { database, http: { listen: '127.0.0.1:0' } },
      ),
    ),
  );
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(hosts.map((h) => h.close()));
  await world?.close();
});

/** Starts `serve` and resolves with its HTTP base URL once it printed READY. */
function startServe(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'support', 'serve-child.js'), configPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve did not start in 20 s')), 20_000);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, base: `http://${match[1]}` });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test('killed with SIGKILL after 202 and before delivery: after restart, exactly one copy per recipient', async () => {
  const stall = await startMxHost('127.0.1.41', { kind: 'stall' });
  hosts.push(stall);
  const first = await startServe();

  // A: the MX hosts of the form's recipients are down; the rows are queued or deferred when the process dies.
  const form = await fetch(`${first.base}/f/contact`, {
    method: 'POST',
    headers: { 'x-form-token': FORM_TOKEN, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Jane', email: 'jane@visitor.example.org', message: 'Do not lose me.' }),
  });
  assert.equal(form.status, 202);
  const formId = ((await form.json()) as { id: string }).id;

  // B: an attempt in flight: the MX host has the whole message but has not answered the final dot.
  const send = await fetch(`${first.base}/api/v1/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: 'desk@stall.example.net', subject: 'in flight', text: 'Deliver me once.' }),
  });
  assert.equal(send.status, 202);
  const sendId = ((await send.json()) as { id: string }).id;
  await waitFor('the stalled attempt', () => (stall.stalled >= 1 ? true : undefined));
  await killed(first.child);
  await stall.close();

  const down = await startMxHost('127.0.1.40', { kind: 'accept' });
  const backup = await startMxHost('127.0.1.42', { kind: 'accept' });
  const stallNow = await startMxHost('127.0.1.41', { kind: 'accept' });
  hosts.push(down, backup, stallNow);
  const second = await startServe();

  const store = await openStore(database);
  try {
    for (const id of [formId, sendId])
      await waitFor(
        `submission ${id} delivered`,
        async () => {
          const view = await store.getSubmission(id);
          return view?.recipients.every((r) => r.status === 'delivered') ? view : undefined;
        },
        20_000,
      );
    const formView = await store.getSubmission(formId);
    const sendView = await store.getSubmission(sendId);
    // Give a duplicate the chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const count = (host: MxHost, messageId: string) =>
      host.received.filter((m) => m.raw.toString('latin1').includes(`Message-ID: ${messageId}`)).length;
    assert.equal(count(down, formView?.messageId as string), 1);
    assert.equal(count(backup, formView?.messageId as string), 1);
    assert.equal(count(stallNow, sendView?.messageId as string), 1);
    assert.equal(stall.received.length, 0, 'the stalled host never accepted its copy');
    assert.deepEqual(
      formView?.recipients.map((r) => [r.address, r.role, r.status]),
      [
        ['desk@down.example.net', 'to', 'delivered'],
        ['copy@backup.example.net', 'copy', 'delivered'],
      ],
    );
  } finally {
    await store.close();
  }

  // SIGTERM: the service stops cleanly and exits 0.
  const exit = new Promise<number | null>((resolve) => second.child.once('exit', (code) => resolve(code)));
  second.child.kill('SIGTERM');
  assert.equal(await exit, 0);
});
