// The composed message: RFC 5322 header, RFC 2047 / 2045 encodings, a DKIM signature dkimpy verifies, and the core's
// evaluate() calling it trusted with the relay's own envelope in a zone set up the way docs/relay.md says.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evaluate, parseMessage } from '../../src/core/index.js';
import { composeMessage, type SenderIdentity } from '../../src/relay/compose.js';
import { composeFailureNotice, statusCode } from '../../src/relay/failure-notice.js';
import { encodeQuotedPrintable, encodeWords, formatDateTime } from '../../src/relay/mime.js';
import { checkReadiness } from '../../src/relay/readiness.js';
import {
  RELAY_HOST,
  RELAY_IP,
  SELECTOR,
  dkimpyVerify,
  relayConfig,
  startRelayWorld,
  type RelayWorld,
} from './support/fixture.js';

let world: RelayWorld;
let sender: SenderIdentity;
before(async () => {
  world = await startRelayWorld({ 'helpdesk.example.net': { MX: [[10, 'mx.helpdesk.example.net']] } });
  sender = {
    from: `forms@${RELAY_HOST}`,
    hostname: RELAY_HOST,
    dkim: { domain: RELAY_HOST, selector: SELECTOR, privateKey: world.privateKey },
  };
});
after(() => world.close());

/** Decodes RFC 2047 B-encoded words (the only kind the relay writes). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\r?\n?[ \t]+=\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

function headerFields(raw: Uint8Array): { name: string; value: string }[] {
  const parsed = parseMessage(raw);
  assert.ok(parsed.ok);
  const text = Buffer.from(raw).toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  return head
    .split(/\r\n(?![ \t])/)
    .map((line) => ({ name: line.slice(0, line.indexOf(':')), value: line.slice(line.indexOf(':') + 1).trim() }));
}

const content = {
  id: '01JTESTSUBMISSION00000000',
  createdAt: Date.parse('2026-12-05T12:00:00Z'),
  displayName: 'Jane Doe via contact',
  replyTo: 'jane@visitor.example.org',
  to: ['support@helpdesk.example.net'],
  subject: 'Contact: hello',
  text: 'name: Jane Doe\nmessage:\nline one\nline two\n',
};

test('the message has From (own domain), Reply-To, To, Subject, Date, Message-ID and MIME fields', () => {
  const result = composeMessage(content, sender);
  assert.ok(result.ok);
  const fields = headerFields(result.raw);
  const byName = (n: string) => fields.filter((f) => f.name.toLowerCase() === n.toLowerCase()).map((f) => f.value);
  assert.deepEqual(byName('From'), [`"Jane Doe via contact" <forms@${RELAY_HOST}>`]);
  assert.deepEqual(byName('Reply-To'), ['jane@visitor.example.org']);
  assert.deepEqual(byName('To'), ['support@helpdesk.example.net']);
  assert.deepEqual(byName('Subject'), ['Contact: hello']);
  assert.deepEqual(byName('Date'), ['Sat, 05 Dec 2026 12:00:00 +0000']);
  assert.deepEqual(byName('Message-ID'), [`<01jtestsubmission00000000@${RELAY_HOST}>`]);
  assert.equal(result.messageId, `<01jtestsubmission00000000@${RELAY_HOST}>`);
  assert.deepEqual(byName('Content-Type'), ['text/plain; charset=utf-8']);
  assert.equal(byName('DKIM-Signature').length, 1);
  assert.equal(fields[0]?.name, 'DKIM-Signature');
});

test('dkimpy verifies the signature, and a changed byte breaks it', () => {
  const result = composeMessage({ ...content, text: 'Grüße aus Köln — ça va?\n' + 'x'.repeat(300) }, sender);
  assert.ok(result.ok);
  assert.equal(dkimpyVerify(result.raw, world.keyRecord), true);
  const tampered = Buffer.from(result.raw);
  tampered[tampered.length - 5] = 0x41;
  assert.equal(dkimpyVerify(tampered, world.keyRecord), false);
});

test("evaluate() with the relay's own envelope calls the composed message trusted", async () => {
  const result = composeMessage({ ...content, createdAt: Date.now() }, sender);
  assert.ok(result.ok);
  const evaluation = await evaluate(
    result.raw,
    { ip: RELAY_IP, helo: RELAY_HOST, mailFrom: `bounces@${RELAY_HOST}`, rcptTo: ['support@helpdesk.example.net'] },
    { resolver: world.resolver, now: new Date() },
  );
  assert.equal(evaluation.spf.result, 'pass');
  assert.equal(evaluation.dkim[0]?.result, 'pass');
  assert.equal(evaluation.dmarc.result, 'pass');
  assert.equal(evaluation.verdict, 'trusted', JSON.stringify(evaluation.reasons));
});

test('readiness passes for the relay setup of the test zone, and names the fix for a wrong key', async () => {
  const config = relayConfig(world, { publicIp: RELAY_IP });
  const report = await checkReadiness(world.resolver, config, world.privateKey, Date.now);
  const failing = report.checks.filter((c) => c.status === 'fail');
  assert.deepEqual(failing, []);
  assert.equal(report.checks.find((c) => c.id === 'relay.dkim-key-match')?.status, 'pass');
  const { generateKeyPairSync } = await import('node:crypto');
  const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  const wrong = await checkReadiness(world.resolver, config, other, Date.now);
  const keyCheck = wrong.checks.find((c) => c.id === 'relay.dkim-key-match');
  assert.equal(keyCheck?.status, 'fail');
  assert.match(
    keyCheck?.remedy ?? '',
    /^replace the record by TXT s1\._domainkey\.relay\.example\.com "v=DKIM1; k=rsa; p=/,
  );
  assert.equal(wrong.result, 'fail');
});

test('non-ASCII names and subjects become encoded-words that decode to the same text', () => {
  const result = composeMessage(
    { ...content, displayName: 'Zoë Ångström via contact', subject: 'Contact: 日本語のテスト '.repeat(5) },
    sender,
  );
  assert.ok(result.ok);
  const fields = headerFields(result.raw);
  const from = fields.find((f) => f.name === 'From')?.value ?? '';
  assert.match(from, /^=\?UTF-8\?B\?/);
  assert.equal(decodeWords(from.replace(/ <forms@.*$/, '')), 'Zoë Ångström via contact');
  const subject = fields.find((f) => f.name === 'Subject')?.value ?? '';
  assert.equal(decodeWords(subject), 'Contact: 日本語のテスト '.repeat(5));
  for (const line of Buffer.from(result.raw).toString('latin1').split('\r\n')) assert.ok(line.length <= 998);
  for (const word of subject.match(/=\?[^?]+\?B\?[^?]*\?=/g) ?? []) assert.ok(word.length <= 75, word);
});

test('text that looks like an encoded-word stays literal: no hidden CRLF or extra field after decoding', () => {
  const trick = `=?UTF-8?B?${Buffer.from('x\r\nBcc: victim@evil.test').toString('base64')}?=`;
  const result = composeMessage({ ...content, displayName: `${trick} via contact`, subject: trick }, sender);
  assert.ok(result.ok);
  const fields = headerFields(result.raw);
  assert.equal(fields.filter((f) => /^bcc$/i.test(f.name)).length, 0);
  const from = fields.find((f) => f.name === 'From')?.value ?? '';
  // The visitor's text is itself encoded, so a reader decodes it back to the literal "=?UTF-8?B?…?=".
  assert.equal(decodeWords(from.replace(/ <forms@.*$/, '')), `${trick} via contact`);
  assert.equal(decodeWords(fields.find((f) => f.name === 'Subject')?.value ?? ''), trick);
});

test('quoted-printable keeps lines within 76 characters and decodes back to the UTF-8 text', () => {
  const text = `${'€'.repeat(40)} trailing space \r\n${'a'.repeat(200)}\r\n=equals= and tab\t\r\n`;
  const encoded = encodeQuotedPrintable(text);
  for (const line of encoded.split('\r\n')) {
    assert.ok(line.length <= 76, line);
    assert.ok(!/[ \t]$/.test(line), `white space at a line end: ${JSON.stringify(line)}`);
  }
  const decoded = Buffer.from(
    encoded
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
  assert.equal(decoded, text);
});

test('encodeWords never splits a UTF-8 sequence, and formatDateTime is RFC 5322', () => {
  const text = '😀'.repeat(50);
  assert.equal(decodeWords(encodeWords(text)), text);
  for (const word of encodeWords(text).split('\r\n '))
    assert.doesNotThrow(() =>
      new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(word.slice(10, -2), 'base64')),
    );
  assert.equal(formatDateTime(Date.parse('2026-01-02T03:04:05Z')), 'Fri, 02 Jan 2026 03:04:05 +0000');
});

test('the failure notice is multipart/report with a delivery-status part, signed, and dkimpy verifies it', () => {
  const original = composeMessage(content, sender);
  assert.ok(original.ok);
  const notice = composeFailureNotice(
    {
      id: '01JNOTICE0000000000000000',
      now: Date.parse('2026-12-05T13:00:00Z'),
      bounceTo: 'postmaster@ops.example.net',
      recipient: 'support@helpdesk.example.net',
      arrivedAt: content.createdAt,
      remoteMta: 'mx.helpdesk.example.net',
      reply: '550 5.1.1 no such user\u0007 here',
      expired: false,
      original: original.raw,
    },
    sender,
  );
  assert.ok(notice.ok);
  const text = Buffer.from(notice.raw).toString('latin1');
  assert.match(text, /Content-Type: multipart\/report; report-type=delivery-status;/);
  assert.match(text, /\r\nContent-Type: message\/delivery-status\r\n\r\nReporting-MTA: dns; relay\.example\.com\r\n/);
  assert.match(
    text,
    /\r\nFinal-Recipient: rfc822; support@helpdesk\.example\.net\r\nAction: failed\r\nStatus: 5\.1\.1\r\n/,
  );
  assert.match(text, /\r\nDiagnostic-Code: smtp; 550 5\.1\.1 no such user here\r\n/);
  assert.match(text, /\r\nContent-Type: text\/rfc822-headers\r\n\r\nDKIM-Signature: /);
  assert.match(text, /\r\nTo: postmaster@ops\.example\.net\r\n/);
  assert.doesNotMatch(text, /^To: .*jane@visitor/m);
  assert.equal(dkimpyVerify(notice.raw, world.keyRecord), true);
  assert.equal(statusCode('451 4.7.1 greylisted', true), '5.4.7');
  assert.equal(statusCode('connection refused', false), '5.0.0');
});
