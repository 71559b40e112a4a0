// The SMTP session of the test address with real clients (swaks, raw sockets) and real DNS on loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineClient, TEST_DOMAIN, startHarness, swaks, type Harness } from './harness.js';

const message = (subject: string) =>
  `From: Alice <alice@sender.test.example>\r\nTo: x@${TEST_DOMAIN}\r\nSubject: ${subject}\r\nDate: Thu, 15 Jan 2026 11:55:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}@sender.test.example>\r\n\r\nHello.\r\n`;

describe('SMTP test address', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ smtp: { maxMessageBytes: 200_000, maxRecipients: 100, socketTimeout: '3s' } });
  });
  after(async () => {
    await h.close();
  });

  test('any local part at the test domain: 250 after the message is stored, with the real envelope', async () => {
    const r = await swaks(h.smtpPort, [
      '--to',
      `Anything.Goes@${TEST_DOMAIN}`,
      '--from',
      'alice@sender.test.example',
      '--ehlo',
      'client.sender.test.example',
      '--data',
      message('first'),
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /<- {2}250 2\.6\.0 stored as [0-9A-Z]{26}: verdict \w+/);
    const stored = (await h.store.messages()).find((m) => m.subject === 'first');
    assert.ok(stored, 'stored');
    assert.equal(stored.localPart, 'anything.goes');
    assert.equal(stored.source, 'smtp');
    assert.equal(stored.envelope.ip, '127.0.0.1');
    assert.equal(stored.envelope.helo, 'client.sender.test.example');
    assert.equal(stored.envelope.mailFrom, 'alice@sender.test.example');
    assert.deepEqual(stored.envelope.rcptTo, [`Anything.Goes@${TEST_DOMAIN}`]);
    assert.ok(Buffer.from(stored.raw!).toString('latin1').startsWith(message('first')));
    assert.equal(stored.from, 'Alice <alice@sender.test.example>');
    assert.equal(stored.evaluation.iprev.result !== undefined, true);
  });

  test('another domain is refused with 550 5.7.1 (never an open relay)', async () => {
    const before = (await h.store.messages()).length;
    const r = await swaks(h.smtpPort, ['--to', 'victim@elsewhere.example', '--from', 'a@sender.test.example']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /<\*\* 550 5\.7\.1 relay access denied/);
    assert.equal((await h.store.messages()).length, before);
  });

  test('XCLIENT from a trusted peer sets the client address and HELO', async () => {
    const r = await swaks(h.smtpPort, [
      '--to',
      `xc@${TEST_DOMAIN}`,
      '--from',
      'alice@sender.test.example',
      '--ehlo',
      'mail.sender.test.example',
      '--xclient',
      'ADDR=192.0.2.77 NAME=[UNAVAILABLE] HELO=mail.sender.test.example',
      '--data',
      message('xclient'),
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const stored = (await h.store.messages()).find((m) => m.subject === 'xclient');
    assert.equal(stored?.envelope.ip, '192.0.2.77');
    assert.equal(stored?.envelope.helo, 'mail.sender.test.example');
    assert.match(stored?.evaluation.authenticationResults ?? '', /iprev=\w+ policy\.iprev=192\.0\.2\.77/);
  });

  test('XFORWARD from a trusted peer (Postfix smtp_send_xforward_command) sets the client address and HELO', async () => {
    const client = await LineClient.open(h.smtpPort);
    assert.match(await client.reply(), /^220 /);
    assert.match(await client.command('EHLO postfix.relay.test.example'), /XFORWARD/);
    assert.match(
      await client.command('XFORWARD NAME=mail.sender.test.example ADDR=192.0.2.78 HELO=mail.sender.test.example'),
      /^250/,
    );
    assert.match(await client.command('MAIL FROM:<alice@sender.test.example>'), /^250/);
    assert.match(await client.command(`RCPT TO:<xf@${TEST_DOMAIN}>`), /^250/);
    assert.match(await client.command('DATA'), /^354/);
    assert.match(await client.command(`${message('xforward')}.`), /^250 2\.6\.0/);
    client.end();
    const stored = (await h.store.messages()).find((m) => m.subject === 'xforward');
    assert.equal(stored?.envelope.ip, '192.0.2.78');
    assert.equal(stored?.envelope.helo, 'mail.sender.test.example');
  });

  test('XCLIENT from any other peer: 550 5.7.0, not advertised, and the session goes on', async () => {
    const client = await LineClient.open(h.smtpPort, '127.0.0.2');
    assert.match(await client.reply(), /^220 /);
    const ehlo = await client.command('EHLO outsider.test.example');
    assert.match(ehlo, /^250/);
    assert.doesNotMatch(ehlo, /XCLIENT/);
    assert.match(await client.command('XCLIENT ADDR=192.0.2.1'), /^550 5\.7\.0 /);
    assert.match(await client.command('XFORWARD ADDR=192.0.2.1'), /^550 5\.7\.0 /);
    assert.match(await client.command('MAIL FROM:<a@sender.test.example>'), /^250/);
    assert.match(await client.command(`RCPT TO:<still@${TEST_DOMAIN}>`), /^250/);
    assert.match(await client.command('DATA'), /^354/);
    assert.match(await client.command(`${message('outsider')}.`), /^250 2\.6\.0/);
    client.end();
    const stored = (await h.store.messages()).find((m) => m.subject === 'outsider');
    assert.equal(stored?.envelope.ip, '127.0.0.2');
  });

  test('a store that fails: 451 4.3.0 and nothing acknowledged', async () => {
    h.store.inject({ method: '*', effect: 'unavailable' });
    try {
      const r = await swaks(h.smtpPort, [
        '--to',
        `down@${TEST_DOMAIN}`,
        '--from',
        'a@sender.test.example',
        '--data',
        message('down'),
      ]);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout, /<\*\* 451 4\.3\.0 /);
      assert.doesNotMatch(r.stdout, /<- {2}250 2\.6\.0/);
    } finally {
      h.store.heal();
    }
    assert.equal((await h.store.messages()).filter((m) => m.subject === 'down').length, 0);
  });

  test('over the size limit: 552 5.3.4, nothing stored, the session goes on', async () => {
    const client = await LineClient.open(h.smtpPort);
    await client.reply();
    const ehlo = await client.command('EHLO big.test.example');
    assert.match(ehlo, /SIZE 200000/);
    await client.command('MAIL FROM:<a@sender.test.example>');
    await client.command(`RCPT TO:<big@${TEST_DOMAIN}>`);
    assert.match(await client.command('DATA'), /^354/);
    const line = 'x'.repeat(998) + '\r\n';
    client.write(`Subject: big\r\n\r\n${line.repeat(300)}`);
    assert.match(await client.command('.'), /^552 5\.3\.4 /);
    assert.match(await client.command('NOOP'), /^250/);
    client.end();
    assert.equal((await h.store.messages()).filter((m) => m.subject === 'big').length, 0);
  });

  test('1,000 recipients: the first maxRecipients are taken, the rest get 452 4.5.3, one message stored', async () => {
    const client = await LineClient.open(h.smtpPort);
    await client.reply();
    await client.command('EHLO many.test.example');
    await client.command('MAIL FROM:<a@sender.test.example>');
    // Pipelined (RFC 2920): all RCPTs at once, then the replies.
    let batch = '';
    for (let i = 0; i < 1000; i++) batch += `RCPT TO:<r${i}@${TEST_DOMAIN}>\r\n`;
    client.write(batch);
    const codes: string[] = [];
    for (let i = 0; i < 1000; i++) codes.push((await client.reply()).slice(0, 9));
    assert.equal(codes.filter((c) => c.startsWith('250')).length, 100);
    assert.equal(codes.filter((c) => c === '452 4.5.3').length, 900);
    assert.match(await client.command('DATA'), /^354/);
    assert.match(await client.command(`${message('many')}.`), /^250 2\.6\.0/);
    client.end();
    // One row per distinct test local part (each is its own test address).
    assert.equal((await h.store.messages()).filter((m) => m.subject === 'many').length, 100);
  });

  test('garbage commands and a 1 MB line end the session cleanly; the server goes on', async () => {
    const client = await LineClient.open(h.smtpPort);
    await client.reply();
    assert.match(await client.command('HELLO?'), /^500 /);
    assert.match(await client.command('\u0001\u0002\u0003'), /^500 /);
    assert.match(await client.command('RCPT TO:<x@y>'), /^503 /);
    client.write(`${'A'.repeat(1024 * 1024)}\r\n`);
    const reply = await client.reply();
    assert.ok(reply === '(closed)' || /^[45]\d\d /.test(reply), reply);
    client.end();
    const next = await LineClient.open(h.smtpPort);
    assert.match(await next.reply(), /^220 /);
    assert.match(await next.command('NOOP'), /^250/);
    next.end();
  });

  test('a client that stops in the middle of DATA: nothing stored', async () => {
    const before = (await h.store.messages()).length;
    const client = await LineClient.open(h.smtpPort);
    await client.reply();
    await client.command('EHLO half.test.example');
    await client.command('MAIL FROM:<a@sender.test.example>');
    await client.command(`RCPT TO:<half@${TEST_DOMAIN}>`);
    assert.match(await client.command('DATA'), /^354/);
    client.write('Subject: half\r\n\r\nthe first line of a message that never ends\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.end();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await h.store.messages()).length, before);
    assert.equal((await h.store.messages()).filter((m) => m.subject === 'half').length, 0);
  });

  test('RFC 2920 pipelining: MAIL, RCPT and DATA in one write, the message after 354', async () => {
    const client = await LineClient.open(h.smtpPort);
    await client.reply();
    await client.command('EHLO pipe.test.example');
    for (let i = 0; i < 3; i++) {
      client.write(`MAIL FROM:<a@sender.test.example>\r\nRCPT TO:<pipe${i}@${TEST_DOMAIN}>\r\nDATA\r\n`);
      assert.match(await client.reply(), /^250 /);
      assert.match(await client.reply(), /^250 /);
      assert.match(await client.reply(), /^354 /);
      assert.match(await client.command(`${message(`pipe ${i}`)}.`), /^250 2\.6\.0/);
    }
    assert.match(await client.command('QUIT'), /^221/);
    for (let i = 0; i < 3; i++)
      assert.equal((await h.store.messages()).filter((m) => m.subject === `pipe ${i}`).length, 1);
  });

  test('pipelining abuse (messages sent before 354): every 250 is a stored message, the session ends by timeout', async () => {
    const client = await LineClient.open(h.smtpPort);
    await client.reply();
    await client.command('EHLO abuse.test.example');
    let batch = '';
    for (let i = 0; i < 5; i++) {
      batch += `MAIL FROM:<a@sender.test.example>\r\nRCPT TO:<abuse${i}@${TEST_DOMAIN}>\r\nDATA\r\n`;
      batch += `${message(`abuse ${i}`)}.\r\n`;
    }
    client.write(`${batch}QUIT\r\n`);
    const replies: string[] = [];
    for (;;) {
      const reply = await client.reply(10_000);
      replies.push(reply);
      if (reply === '(closed)') break;
    }
    const stored = replies.filter((r) => r.startsWith('250 2.6.0')).length;
    assert.ok(stored >= 1, replies.join('\n'));
    const ids = replies.flatMap((r) => /stored as (\w+)/.exec(r)?.[1] ?? []);
    for (const id of ids)
      assert.ok(
        (await h.store.messages()).some((m) => m.id === id),
        `acknowledged ${id} is stored`,
      );
    // Whatever smtp-server made of the rest, the connection ended (221 or the idle timeout's 421), not hung.
    assert.ok(
      replies.some((r) => /^(221|421) /.test(r)),
      replies.join('\n'),
    );
  });
});

describe('SMTP with DNS timing out', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ rules: [{ name: /./, action: 'timeout' }], top: {} });
  });
  after(async () => {
    await h.close();
  });

  test('the evaluation is stored with temperror and retryable; the session ends cleanly', async () => {
    const r = await swaks(
      h.smtpPort,
      [
        '--to',
        `slow@${TEST_DOMAIN}`,
        '--from',
        'alice@sender.test.example',
        '--ehlo',
        'mail.sender.test.example',
        '--data',
        message('slow'),
      ],
      60_000,
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /<- {2}221/);
    const stored = (await h.store.messages()).find((m) => m.subject === 'slow');
    assert.ok(stored);
    assert.equal(stored.evaluation.retryable, true);
    assert.equal(stored.evaluation.spf.result, 'temperror');
    assert.ok(stored.reasons.includes('dns.temperror'));
  });
});
