/**
 * The envelope is checked once where an evaluation receives it: `checkEnvelope()` gives an error result with a
 * stable code; `evaluate()` and `createEvaluator()` refuse the same envelopes with an `InvalidEnvelopeError`
 * carrying that code, and never turn them into a verdict.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkEnvelope,
  createEvaluator,
  createResolver,
  evaluate,
  InvalidEnvelopeError,
  type Envelope,
} from '../../src/core/index.js';

const message = 'From: a@example.com\r\nSubject: x\r\n\r\nhello\r\n';
const resolver = () => createResolver({ zone: [] });

const refused: [string, unknown, string][] = [
  ['no ip', { helo: 'mail.example.com' }, 'envelope.missing-ip'],
  ['an empty ip', { ip: '' }, 'envelope.missing-ip'],
  ['not an envelope', null, 'envelope.missing-ip'],
  ['a number', { ip: 3221225985 }, 'envelope.invalid-ip'],
  ['a host name', { ip: 'mail.example.com' }, 'envelope.invalid-ip'],
  ['an IPv6 zone index', { ip: 'fe80::1%eth0' }, 'envelope.invalid-ip'],
  ['an IPv4 octet above 255', { ip: '192.0.2.300' }, 'envelope.invalid-ip'],
  ['a bracketed literal', { ip: '[192.0.2.1]' }, 'envelope.invalid-ip'],
  ['a HELO that is not a string', { ip: '192.0.2.1', helo: 7 }, 'envelope.invalid-helo'],
  ['a MAIL FROM that is not a string', { ip: '192.0.2.1', mailFrom: {} }, 'envelope.invalid-mail-from'],
  ['RCPT TO not a list of strings', { ip: '192.0.2.1', rcptTo: 'b@example.org' }, 'envelope.invalid-rcpt-to'],
];

for (const [what, envelope, code] of refused) {
  test(`${what}: an error result, and evaluate() refuses it with ${code}`, async () => {
    const checked = checkEnvelope(envelope);
    assert.equal(checked.ok, false);
    assert.equal(!checked.ok && checked.error.code, code);
    assert.ok(!checked.ok && checked.error.message.length > 0);
    await assert.rejects(evaluate(message, envelope as Envelope, { resolver: resolver() }), (error: unknown) => {
      assert.ok(error instanceof InvalidEnvelopeError);
      assert.ok(error instanceof TypeError);
      assert.equal(error.code, code);
      return true;
    });
    assert.throws(() => createEvaluator(envelope as Envelope, { resolver: resolver() }), InvalidEnvelopeError);
  });
}

test('valid addresses pass, parsed once (IPv4-mapped IPv6 is IPv4)', async () => {
  for (const [ip, family] of [
    ['192.0.2.1', 4],
    ['2001:db8::1', 6],
    ['::ffff:192.0.2.1', 4],
  ] as const) {
    const checked = checkEnvelope({ ip, helo: 'mail.example.com', mailFrom: '<>', rcptTo: ['b@example.org'] });
    assert.ok(checked.ok, ip);
    assert.equal(checked.value.ip.family, family, ip);
    const evaluation = await evaluate(message, { ip }, { resolver: resolver() });
    assert.equal(evaluation.envelope.ip, ip);
  }
});
