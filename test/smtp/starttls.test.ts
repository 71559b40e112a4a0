// STARTTLS on the test address (RFC 3207) with a self-signed certificate made here with openssl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../server/serve-process.js';
import { LineClient, TEST_DOMAIN, run, startHarness, swaks, type Harness } from './harness.js';

let h: Harness;
let plain: Harness;
before(async () => {
  const dir = tempDir();
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=mx.test.example',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  assert.equal(made.code, 0, made.stderr);
  h = await startHarness({ smtp: { tls: { cert, key } } });
  plain = await startHarness();
});
after(async () => {
  await h.close();
  await plain.close();
});

test('with smtp.tls: STARTTLS is offered and a message sent over TLS is stored', async () => {
  const r = await swaks(h.smtpPort, [
    '--tls',
    '--to',
    `tls@${TEST_DOMAIN}`,
    '--from',
    'alice@sender.test.example',
    '--header',
    'Subject: over tls',
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /STARTTLS/);
  // swaks marks the lines of the encrypted part of the session with ~> and <~.
  assert.match(r.stdout, /<~ {2}250 2\.6\.0 stored as/);
  assert.ok((await h.store.messages()).some((m) => m.subject === 'over tls'));
});

test('without smtp.tls: STARTTLS is neither offered nor accepted', async () => {
  const client = await LineClient.open(plain.smtpPort);
  await client.reply();
  assert.doesNotMatch(await client.command('EHLO c.test.example'), /STARTTLS/);
  assert.match(await client.command('STARTTLS'), /^5\d\d /);
  client.end();
});
