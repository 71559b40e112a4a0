/** Reading the envelope back from Received and Return-Path fields (RFC 5321 §4.4). Pure. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { inferEnvelope, isInternalAddress, parseReceivedFrom, parseReturnPath } from '../../src/core/envelope/index.js';
import { parseMessage } from '../../src/core/message/index.js';

/** The Received forms of the common servers, with what each says (test/fixtures/received/forms.txt). */
const forms = readFileSync(new URL('../../../test/fixtures/received/forms.txt', import.meta.url), 'utf8')
  .split(/\n(?=# )/)
  .map((block) => block.trim())
  .filter((block) => block.startsWith('# ') && block.includes('\nReceived:'))
  .map((block) => {
    const lines = block.split('\n');
    const name = lines[0]!.slice(2);
    const expected = lines.find((l) => l.startsWith('=> '))!.slice(3);
    const field = lines
      .slice(
        1,
        lines.findIndex((l) => l.startsWith('=> ')),
      )
      .join('\r\n');
    return { name, field, expected };
  });

function describeFrom(value: string): string {
  const from = parseReceivedFrom(value);
  switch (from.kind) {
    case 'client':
      return `ip=${from.ip} helo=${from.helo ?? ''}${from.by ? ` by=${from.by}` : ''}`;
    case 'no-client':
      return `no-client${from.by ? ` by=${from.by}` : ''}`;
    case 'queue-stamp':
      return 'queue-stamp';
    case 'unparsable':
      return 'unparsable';
  }
}

test('the fixture file holds every server form', () => {
  const names = forms.map((f) => f.name.split(',')[0]);
  for (const server of ['postfix', 'sendmail', 'exim', 'qmail', 'exchange', 'lsmtp', 'gmail', 'microsoft 365'])
    assert.ok(names.includes(server), server);
});

for (const { name, field, expected } of forms) {
  test(`Received: ${name}`, () => {
    const value = field.replace(/^Received:/, '').replace(/\r\n[ \t]+/g, ' ');
    assert.equal(describeFrom(value), expected);
  });
}

test('Return-Path', () => {
  assert.equal(parseReturnPath('<alice@example.com>'), 'alice@example.com');
  assert.equal(parseReturnPath(' <> '), '');
  assert.equal(parseReturnPath('bounce@example.com'), 'bounce@example.com');
  assert.equal(parseReturnPath('garbage'), undefined);
});

test('internal addresses', () => {
  for (const ip of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '::1',
    'fd00::1',
    'fc00::1',
    'fe80::1',
    'febf::1',
    '::ffff:10.0.0.1',
  ])
    assert.equal(isInternalAddress(ip), true, ip);
  // By the address's bits, not its text: fc::1 is 00fc::1 and fe8::1 is 0fe8::1, neither local.
  for (const ip of ['192.0.2.10', '8.8.8.8', '172.32.0.1', '2001:db8::1', 'fc::1', 'fe8::1', 'fec0::1', '::2'])
    assert.equal(isInternalAddress(ip), false, ip);
});

function header(...fields: string[]) {
  const parsed = parseMessage([...fields, 'From: alice@example.com', '', 'hi', ''].join('\r\n'));
  assert.ok(parsed.ok);
  return parsed.value;
}

const FORGED_OLDER =
  'Received: from mail.example.com (mail.example.com [192.0.2.10]) by mx.example.net; Thu, 26 Nov 2026 05:59:00 +0000';

test('the newest Received is read, with its position and text', () => {
  const inferred = inferEnvelope(
    header(
      'Return-Path: <alice@example.com>',
      'Received: from mail.example.com (mail.example.com [192.0.2.10]) by mx.example.net with ESMTPS; Thu, 26 Nov 2026 06:00:01 +0000',
      'Received: from laptop (dsl-9.isp.example [198.51.100.9]) by mail.example.com with ESMTPSA; Thu, 26 Nov 2026 06:00:00 +0000',
    ),
  );
  assert.equal(inferred.mailFrom, 'alice@example.com');
  assert.ok(inferred.received.ok);
  assert.equal(inferred.received.ip, '192.0.2.10');
  assert.equal(inferred.received.helo, 'mail.example.com');
  assert.equal(inferred.received.field.index, 1);
  assert.match(inferred.received.field.text, /^from mail\.example\.com \(mail\.example\.com \[192\.0\.2\.10\]\) by mx/);
});

for (const [name, newest, problem] of [
  [
    'qmail bare address (once skipped: a spoof came out trusted)',
    'Received: from unknown (HELO x) (203.0.113.66) by mx.example.net with SMTP; 26 Nov 2026 06:00:00 -0000',
    'ok',
  ],
  [
    'an unreadable newest field',
    'Received: from x.example (EX01) by mx.example.net; 26 Nov 2026 06:00:00 -0000',
    'unparsable',
  ],
  [
    'an internal newest field',
    'Received: from localhost (localhost [127.0.0.1]) by mailbox.example.net with LMTP; Thu, 26 Nov 2026 06:00:02 +0000',
    'internal-client',
  ],
  [
    'a local submission',
    'Received: by mx.example.net (Postfix, from userid 1000) id 1; Thu, 26 Nov 2026 06:00:02 +0000',
    'no-client',
  ],
] as const) {
  test(`a field below the newest is never used: ${name}`, () => {
    const inferred = inferEnvelope(header(newest, FORGED_OLDER));
    if (problem === 'ok') {
      assert.ok(inferred.received.ok);
      assert.equal(inferred.received.ip, '203.0.113.66');
      assert.equal(inferred.received.helo, 'x');
      return;
    }
    assert.ok(!inferred.received.ok);
    assert.equal(inferred.received.problem, problem);
    assert.equal(inferred.received.field?.index, 1);
  });
}

test('receivedBy picks the newest field that host added, and says when none did', () => {
  const h = header(
    'Received: from localhost (localhost [127.0.0.1]) by mailbox.example.net with LMTP; Thu, 26 Nov 2026 06:00:02 +0000',
    'Received: from mail.example.com (mail.example.com [192.0.2.10]) by MX.example.net. with ESMTPS; Thu, 26 Nov 2026 06:00:01 +0000',
    'Received: from laptop (dsl-9.isp.example [198.51.100.9]) by mx.example.net with ESMTPSA; Thu, 26 Nov 2026 06:00:00 +0000',
  );
  const picked = inferEnvelope(h, { receivedBy: 'mx.example.net' });
  assert.ok(picked.received.ok);
  assert.equal(picked.received.ip, '192.0.2.10');
  assert.equal(picked.received.field.index, 2);
  const missing = inferEnvelope(h, { receivedBy: 'other.example' });
  assert.ok(!missing.received.ok);
  assert.equal(missing.received.problem, 'received-by-not-found');
  assert.deepEqual(missing.received.byHosts, ['mailbox.example.net', 'MX.example.net.', 'mx.example.net']);
});

test("qmail's queue stamp counts with the field below it", () => {
  const inferred = inferEnvelope(
    header(
      'Received: (qmail 12345 invoked from network); 26 Nov 2026 06:00:00 -0000',
      'Received: from unknown (HELO x.example) (203.0.113.66) by mx.example.net with SMTP; 26 Nov 2026 06:00:00 -0000',
      FORGED_OLDER,
    ),
  );
  assert.ok(inferred.received.ok);
  assert.equal(inferred.received.ip, '203.0.113.66');
  assert.equal(inferred.received.field.index, 2);
});

test('a message without Received or Return-Path infers nothing', () => {
  const parsed = parseMessage('From: a@example.com\r\n\r\nx\r\n');
  assert.ok(parsed.ok);
  assert.deepEqual(inferEnvelope(parsed.value), { received: { ok: false, problem: 'no-received', byHosts: [] } });
});

test('a long or hostile field stays bounded and never throws', () => {
  for (const value of [
    'from ' + '('.repeat(10_000),
    'from a ' + '(b) '.repeat(5_000) + 'by c',
    'from',
    '',
    'from [',
    'from a (b [1.2.3.4]',
  ]) {
    const from = parseReceivedFrom(value);
    assert.ok(['unparsable', 'no-client'].includes(from.kind), `${value.slice(0, 20)}: ${from.kind}`);
  }
});
