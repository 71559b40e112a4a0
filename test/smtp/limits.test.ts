// Bounds of the test address: sessions, PROXY only from trusted peers, load from Postfix's smtp-source.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineClient, TEST_DOMAIN, run, startHarness, type Harness } from './harness.js';

describe('maxSessions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ smtp: { maxSessions: 2 } });
  });
  after(async () => {
    await h.close();
  });

  test('a session over the limit gets 421 4.3.2 and is closed; a freed slot takes the next one', async () => {
    const a = await LineClient.open(h.smtpPort);
    const b = await LineClient.open(h.smtpPort);
    assert.match(await a.reply(), /^220/);
    assert.match(await b.reply(), /^220/);
    const c = await LineClient.open(h.smtpPort);
    assert.match(await c.reply(), /^421 4\.3\.2 /);
    assert.equal(await c.reply(), '(closed)');
    a.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const d = await LineClient.open(h.smtpPort);
    assert.match(await d.reply(), /^220/);
    b.end();
    d.end();
  });
});

describe('proxyProtocol', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ smtp: { proxyProtocol: true } });
  });
  after(async () => {
    await h.close();
  });

  test("a trusted peer's PROXY header names the client; anyone else is closed at once", async () => {
    const trusted = await LineClient.open(h.smtpPort);
    trusted.write('PROXY TCP4 192.0.2.99 127.0.0.1 40000 25\r\n');
    assert.match(await trusted.reply(), /^220/);
    await trusted.command('EHLO mail.sender.test.example');
    await trusted.command('MAIL FROM:<alice@sender.test.example>');
    await trusted.command(`RCPT TO:<proxied@${TEST_DOMAIN}>`);
    await trusted.command('DATA');
    assert.match(await trusted.command('Subject: proxied\r\n\r\nhi\r\n.'), /^250 2\.6\.0/);
    trusted.end();
    assert.equal((await h.store.messages()).find((m) => m.subject === 'proxied')?.envelope.ip, '192.0.2.99');

    const outsider = await LineClient.open(h.smtpPort, '127.0.0.2');
    outsider.write('PROXY TCP4 192.0.2.98 127.0.0.1 40000 25\r\n');
    assert.equal(await outsider.reply(), '(closed)');
  });
});

describe('load from smtp-source', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('20 sessions, 200 messages: every one answered 250 and stored', async () => {
    const r = await run(
      'smtp-source',
      [
        '-s',
        '20',
        '-m',
        '200',
        '-l',
        '2000',
        '-f',
        'alice@sender.test.example',
        '-t',
        `load@${TEST_DOMAIN}`,
        '-M',
        'client.sender.test.example',
        `127.0.0.1:${h.smtpPort}`,
      ],
      undefined,
      120_000,
    );
    assert.equal(r.code, 0, r.stderr);
    // smtp-source stops at the first reply it does not expect, so exit 0 means 200 × 250.
    assert.equal((await h.store.messages()).filter((m) => m.localPart === 'load').length, 200);
  });
});
