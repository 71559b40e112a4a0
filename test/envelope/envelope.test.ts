/** Reading the envelope back from Received and Return-Path fields (RFC 5321 §4.4). Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inferEnvelope, isInternalAddress, parseReceivedFrom, parseReturnPath } from '../../src/core/envelope/index.js';
import { parseMessage } from '../../src/core/message/index.js';

const received: [string, string, { helo?: string; ip?: string }][] = [
  [
    'postfix',
    'from mail.example.com (mail.example.com [192.0.2.10]) by mx.example.net (Postfix) with ESMTPS id 4Xyz; Thu, 26 Nov 2026 06:00:00 +0000',
    { helo: 'mail.example.com', ip: '192.0.2.10' },
  ],
  [
    'postfix, unknown rDNS',
    'from hello.example (unknown [198.51.100.7]) by mx.example.net (Postfix) with ESMTP id 1; Thu, 26 Nov 2026 06:00:00 +0000',
    { helo: 'hello.example', ip: '198.51.100.7' },
  ],
  [
    'gmail',
    'from mail.example.com (mail.example.com. [192.0.2.10])\r\n        by mx.google.com with ESMTPS id x; Thu, 26 Nov 2026 06:00:00 -0800 (PST)',
    { helo: 'mail.example.com', ip: '192.0.2.10' },
  ],
  [
    'exim',
    'from rdns.example.com ([192.0.2.10] helo=mail.example.com) by mx.example.net with esmtps (Exim 4.96) id 1; Thu, 26 Nov 2026 06:00:00 +0000',
    { helo: 'mail.example.com', ip: '192.0.2.10' },
  ],
  [
    'literal',
    'from [192.0.2.10] by mx.example.net; Thu, 26 Nov 2026 06:00:00 +0000',
    { helo: '[192.0.2.10]', ip: '192.0.2.10' },
  ],
  [
    'ipv6',
    'from mail.example.com (mail.example.com [IPv6:2001:DB8:0::10]) by mx.example.net; Thu, 26 Nov 2026 06:00:00 +0000',
    { helo: 'mail.example.com', ip: '2001:db8::10' },
  ],
  ['no from clause', 'by mx.example.net with LMTP id 1; Thu, 26 Nov 2026 06:00:00 +0000', {}],
];

for (const [name, value, expected] of received) {
  test(`Received: ${name}`, () => {
    assert.deepEqual(parseReceivedFrom(value.replace(/\r\n\s+/g, ' ')), expected);
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
    'fe80::1',
    '::ffff:10.0.0.1',
  ])
    assert.equal(isInternalAddress(ip), true, ip);
  for (const ip of ['192.0.2.10', '8.8.8.8', '172.32.0.1', '2001:db8::1'])
    assert.equal(isInternalAddress(ip), false, ip);
});

test('the newest outside hop is used; internal hops are skipped and counted', () => {
  const message = [
    'Return-Path: <alice@example.com>',
    'Received: from localhost (localhost [127.0.0.1]) by mailbox.example.net with LMTP; Thu, 26 Nov 2026 06:00:02 +0000',
    'Received: from mail.example.com (mail.example.com [192.0.2.10]) by mx.example.net with ESMTPS; Thu, 26 Nov 2026 06:00:01 +0000',
    'Received: from laptop (dsl-9.isp.example [198.51.100.9]) by mail.example.com with ESMTPSA; Thu, 26 Nov 2026 06:00:00 +0000',
    'From: alice@example.com',
    '',
    'hi',
    '',
  ].join('\r\n');
  const parsed = parseMessage(message);
  assert.ok(parsed.ok);
  assert.deepEqual(inferEnvelope(parsed.value), {
    ip: '192.0.2.10',
    helo: 'mail.example.com',
    mailFrom: 'alice@example.com',
    receivedIndex: 2,
    skippedInternal: 1,
  });
});

test('a message without Received or Return-Path infers nothing', () => {
  const parsed = parseMessage('From: a@example.com\r\n\r\nx\r\n');
  assert.ok(parsed.ok);
  assert.deepEqual(inferEnvelope(parsed.value), { skippedInternal: 0 });
});
