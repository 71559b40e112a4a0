/** Forwarding (docs/trust-model.md): signals, trusted ARC records replacing local results, DKIM broken in transit. Pure. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuthResEntry } from '../../src/core/authres/index.js';
import {
  detectForwarding,
  forwardingHintsFromHeader,
  type ArcView,
  type ForwardingInput,
} from '../../src/core/forwarding/index.js';
import { defaultPolicy, parsePolicy, type Policy } from '../../src/core/policy/index.js';

const trusting = (...domains: string[]): Policy => {
  const parsed = parsePolicy(JSON.stringify({ trustedForwarders: domains }));
  assert.ok(parsed.ok);
  return parsed.value;
};

const entry = (method: string, result: string, props: [string, string, string][]): AuthResEntry => ({
  method,
  result,
  properties: props.map(([ptype, property, value]) => ({ ptype, property, value })),
});

const arcBy = (sealDomain: string, results: AuthResEntry[], result: ArcView['result'] = 'pass'): ArcView => ({
  result,
  instances: 1,
  sets: [{ instance: 1, sealDomain, authResults: { authservId: `mx.${sealDomain}`, results } }],
});

/** domain.com mail forwarded by forwarder.org, which added a footer. */
const forwarded = (arc?: ArcView): ForwardingInput => ({
  envelope: { helo: 'mx.forwarder.org', mailFrom: 'user@domain.com' },
  fromDomain: 'domain.com',
  spf: { result: 'fail', domain: 'domain.com', identity: 'mailfrom' },
  dkim: [{ result: 'fail', domain: 'domain.com', selector: 's1', error: { code: 'dkim.body-hash', message: 'x' } }],
  dmarc: { result: 'fail', domain: 'domain.com', policy: 'reject' },
  arc,
});

const recordedPass = [
  entry('spf', 'pass', [['smtp', 'mailfrom', 'user@domain.com']]),
  entry('dkim', 'pass', [
    ['header', 'd', 'domain.com'],
    ['header', 's', 's1'],
  ]),
  entry('dmarc', 'pass', [['header', 'from', 'domain.com']]),
];

describe('detectForwarding', () => {
  test('trusted first sealer: its recorded results replace the local ones', () => {
    const result = detectForwarding(forwarded(arcBy('forwarder.org', recordedPass)), trusting('forwarder.org'));
    assert.deepEqual(result.findings, ['forward.arc-trusted', 'forward.dkim-broken']);
    assert.equal(result.trustedSealer, 'forwarder.org');
    const view = result.authentication;
    assert.equal(view.source, 'arc');
    assert.deepEqual(view.dmarc, { result: 'pass', policy: 'reject', source: 'arc' });
    assert.deepEqual(view.spf, {
      result: 'pass',
      domain: 'domain.com',
      identity: 'mailfrom',
      aligned: true,
      source: 'arc',
    });
    assert.deepEqual(view.dkim, [
      { result: 'pass', domain: 'domain.com', selector: 's1', aligned: true, source: 'arc' },
    ]);
    assert.deepEqual(result.brokenSignatures, [{ domain: 'domain.com', selector: 's1', code: 'dkim.body-hash' }]);
  });

  test('a trusted org domain covers its sub-domain sealers; other sealers are not trusted', () => {
    assert.ok(
      detectForwarding(
        forwarded(arcBy('lists.forwarder.org', recordedPass)),
        trusting('forwarder.org'),
      ).findings.includes('forward.arc-trusted'),
    );
    const other = detectForwarding(forwarded(arcBy('evil-forwarder.org', recordedPass)), trusting('forwarder.org'));
    assert.ok(!other.findings.includes('forward.arc-trusted'));
    assert.equal(other.authentication.source, 'local');
    assert.deepEqual(other.signals[0], { kind: 'arc', instances: 1, sealDomain: 'evil-forwarder.org' });
  });

  test('only the first instance counts (RFC 8617: i=1 is the first forwarder)', () => {
    const arc: ArcView = {
      result: 'pass',
      instances: 2,
      sets: [
        { instance: 1, sealDomain: 'unknown.net', authResults: { authservId: 'u', results: recordedPass } },
        { instance: 2, sealDomain: 'forwarder.org', authResults: { authservId: 'f', results: recordedPass } },
      ],
    };
    const result = detectForwarding(forwarded(arc), trusting('forwarder.org'));
    assert.equal(result.authentication.source, 'local');
    assert.ok(!result.findings.includes('forward.arc-trusted'));
  });

  test('a chain that does not validate is not trusted; a temperror of a trusted sealer is reported', () => {
    const failed = detectForwarding(forwarded(arcBy('forwarder.org', recordedPass, 'fail')), trusting('forwarder.org'));
    assert.equal(failed.authentication.source, 'local');
    assert.equal(failed.trustedChainTemperror, false);
    const temporary = detectForwarding(
      forwarded(arcBy('forwarder.org', recordedPass, 'temperror')),
      trusting('forwarder.org'),
    );
    assert.equal(temporary.trustedChainTemperror, true);
    assert.equal(
      detectForwarding(forwarded(arcBy('forwarder.org', recordedPass, 'temperror')), defaultPolicy)
        .trustedChainTemperror,
      false,
    );
  });

  test('a recorded DMARC result for another From domain does not count; recorded aligned DKIM still does', () => {
    const results = [
      entry('dkim', 'pass', [['header', 'd', 'mail.domain.com']]),
      entry('dmarc', 'fail', [['header', 'from', 'other.example']]),
    ];
    const view = detectForwarding(forwarded(arcBy('forwarder.org', results)), trusting('forwarder.org')).authentication;
    assert.deepEqual(view.dmarc, { result: 'pass', policy: 'reject', source: 'arc' });
    assert.equal(view.spf, undefined, 'the local SPF judged the forwarder, and nothing was recorded');
  });

  test('a recorded failure stays a failure', () => {
    const results = [
      entry('dmarc', 'fail', [['header', 'from', 'domain.com']]),
      entry('dkim', 'fail', [['header', 'd', 'domain.com']]),
    ];
    const view = detectForwarding(forwarded(arcBy('forwarder.org', results)), trusting('forwarder.org')).authentication;
    assert.equal(view.dmarc.result, 'fail');
    assert.deepEqual(
      view.dkim.map((d) => `${d.domain}:${d.result}`),
      ['domain.com:fail'],
    );
  });

  test('signals: SRS reverse-path, envelope mismatch, caller hints; forward.detected needs an aligned DKIM pass', () => {
    const srs = detectForwarding(
      {
        envelope: { helo: 'mx.forwarder.org', mailFrom: '<SRS0=abcd=XY=domain.com=user@forwarder.org>' },
        fromDomain: 'domain.com',
        spf: { result: 'pass', domain: 'forwarder.org', identity: 'mailfrom' },
        dkim: [{ result: 'pass', domain: 'domain.com', selector: 's1' }],
      },
      defaultPolicy,
    );
    assert.deepEqual(srs.signals, [{ kind: 'srs', mailFrom: '<SRS0=abcd=XY=domain.com=user@forwarder.org>' }]);
    assert.deepEqual(srs.findings, ['forward.detected']);

    const classic = detectForwarding(
      { ...forwarded(), dkim: [{ result: 'pass', domain: 'domain.com', selector: 's1' }] },
      defaultPolicy,
    );
    assert.deepEqual(classic.signals, [{ kind: 'envelope', identity: 'helo', domain: 'mx.forwarder.org' }]);
    assert.deepEqual(classic.findings, ['forward.detected']);

    const hinted = detectForwarding(
      {
        envelope: { helo: 'mail.domain.com', mailFrom: 'user@domain.com' },
        fromDomain: 'domain.com',
        spf: { result: 'pass', domain: 'domain.com', identity: 'mailfrom' },
        dkim: [{ result: 'pass', domain: 'domain.com', selector: 's1' }],
        forwardingHints: [{ source: 'resent-from', detail: 'support@yourdomain.com' }],
      },
      defaultPolicy,
    );
    assert.deepEqual(hinted.findings, ['forward.detected']);
  });

  test('no signal: a direct message is not forwarded, even with SPF softfail', () => {
    const direct = detectForwarding(
      {
        envelope: { helo: 'mail.domain.com', mailFrom: 'user@domain.com' },
        fromDomain: 'domain.com',
        spf: { result: 'softfail', domain: 'domain.com', identity: 'mailfrom' },
        dkim: [
          { result: 'fail', domain: 'domain.com', selector: 's1', error: { code: 'dkim.signature', message: 'x' } },
        ],
      },
      defaultPolicy,
    );
    assert.equal(direct.seen, false);
    assert.deepEqual(direct.findings, []);
    assert.deepEqual(direct.brokenSignatures, []);
  });

  test('forward.dkim-broken only for aligned signatures failing with body-hash or signature', () => {
    const input = forwarded();
    const unaligned = detectForwarding(
      {
        ...input,
        dkim: [
          { result: 'fail', domain: 'esp.example', selector: 'k', error: { code: 'dkim.body-hash', message: 'x' } },
        ],
      },
      defaultPolicy,
    );
    assert.deepEqual(unaligned.findings, []);
    const keyMissing = detectForwarding(
      {
        ...input,
        dkim: [
          {
            result: 'permerror',
            domain: 'domain.com',
            selector: 's1',
            error: { code: 'dkim.key-missing', message: 'x' },
          },
        ],
      },
      defaultPolicy,
    );
    assert.deepEqual(keyMissing.findings, []);
    assert.deepEqual(detectForwarding(input, defaultPolicy).findings, ['forward.dkim-broken']);
  });
});

describe('forwardingHintsFromHeader', () => {
  test('resent and forwarding fields, and Received for another recipient', () => {
    const hints = forwardingHintsFromHeader(
      [
        {
          name: 'Received',
          value:
            'from mx.domain.com by mx.forwarder.org with ESMTP id 1 for <support@yourdomain.com>; Mon, 1 Jan 2024 00:00:00 +0000',
        },
        { name: 'Received', value: 'from a by b for <help@sub.zendesk.example>; Mon, 1 Jan 2024' },
        { name: 'Resent-From', value: ' support@yourdomain.com ' },
        { name: 'Subject', value: 'for <nobody@example.com>' },
      ],
      ['<Help@sub.zendesk.example>'],
    );
    assert.deepEqual(hints, [
      { source: 'received', detail: 'support@yourdomain.com' },
      { source: 'resent-from', detail: 'support@yourdomain.com' },
    ]);
  });

  test('without envelope recipients Received fields are not judged', () => {
    assert.deepEqual(forwardingHintsFromHeader([{ name: 'received', value: 'by x for <a@b.example>; date' }]), []);
  });

  test('bounded work on a hostile header', () => {
    const fields = Array.from({ length: 10_000 }, () => ({ name: 'Received', value: 'by x for <a@b.example>; d' }));
    assert.equal(forwardingHintsFromHeader(fields, ['c@d.example']).length, 50);
  });
});
