/**
 * Each area of the verdict alone, on hand-built results: the findings it emits (ids and details) and nothing else,
 * and the temporary failures it names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPolicy, parsePolicy } from '../../src/core/policy/index.js';
import type { AreaFindings } from '../../src/core/verdict/area-findings.js';
import { readAuthentication, senderFindings } from '../../src/core/verdict/authentication.js';
import { combineFindings } from '../../src/core/verdict/combine.js';
import { AreaFindings as Area } from '../../src/core/verdict/area-findings.js';
import { dkimFindings } from '../../src/core/verdict/dkim-findings.js';
import { dmarcFindings } from '../../src/core/verdict/dmarc-findings.js';
import { forwardingFindings } from '../../src/core/verdict/forwarding-findings.js';
import { headerFindings } from '../../src/core/verdict/header-findings.js';
import type { VerdictInput } from '../../src/core/verdict/index.js';
import { serverFindings } from '../../src/core/verdict/server-findings.js';
import { spfFindings } from '../../src/core/verdict/spf-findings.js';
import { goodMessage, message, sealedArc } from './fixtures.js';

const entries = (area: AreaFindings) => [...area.found];
const auth = (input: VerdictInput) => readAuthentication(input, defaultPolicy);

test('the good message: no area finds anything', () => {
  const input = goodMessage();
  const a = auth(input);
  for (const area of [
    senderFindings(a),
    spfFindings(input, a),
    dkimFindings(input, a),
    dmarcFindings(input, a),
    serverFindings(input, defaultPolicy, a),
    headerFindings(input.headers),
    forwardingFindings(input, a),
  ]) {
    assert.deepEqual(entries(area), []);
    assert.deepEqual(area.temporary, []);
  }
});

test('sender: DMARC fail → sender.spoofed with the policy; no DMARC and no pass → sender.unauthenticated', () => {
  const spoofed = message({ dmarc: { result: 'fail', domain: 'domain.com', policy: 'reject' } });
  assert.deepEqual(entries(senderFindings(auth(spoofed))), [['sender.spoofed', { result: 'dmarc', policy: 'reject' }]]);
  const bare = message({
    spf: { result: 'none', domain: 'domain.com', identity: 'mailfrom' },
    dkim: [],
    dmarc: { result: 'none', domain: 'domain.com', policy: 'none' },
  });
  assert.deepEqual(entries(senderFindings(auth(bare))), [['sender.unauthenticated', {}]]);
  // A temporary DNS failure leaves it unknown: no finding.
  const unknown = message({ ...bare, spf: { result: 'temperror', domain: 'domain.com', identity: 'mailfrom' } });
  assert.deepEqual(entries(senderFindings(auth(unknown))), []);
});

test('SPF: fail for the sender → spf.fail with the mechanism; a local temperror is temporary', () => {
  const failing = message({
    spf: { result: 'fail', domain: 'domain.com', identity: 'mailfrom', mechanism: '-all' },
    dkim: [],
  });
  const area = spfFindings(failing, auth(failing));
  assert.deepEqual(entries(area), [['spf.fail', { domain: 'domain.com', mechanism: '-all' }]]);
  const passingDkim = message({ spf: { result: 'fail', domain: 'domain.com', identity: 'mailfrom' } });
  assert.deepEqual(entries(spfFindings(passingDkim, auth(passingDkim))), [
    ['spf.ip-not-authorized', { domain: 'domain.com', result: 'dkim' }],
  ]);
  const temp = message({ spf: { result: 'temperror', domain: 'domain.com', identity: 'mailfrom' } });
  const tempArea = spfFindings(temp, auth(temp));
  assert.deepEqual(entries(tempArea), []);
  assert.deepEqual(tempArea.temporary, ['SPF record of domain.com']);
});

test('DKIM: a body changed after signing → dkim.fail only; a key that is not there → dkim.key-missing', () => {
  const broken = message({
    dkim: [
      {
        result: 'fail',
        domain: 'domain.com',
        selector: 's1',
        error: { code: 'dkim.body-hash', message: 'body hash mismatch' },
      },
    ],
  });
  assert.deepEqual(entries(dkimFindings(broken, auth(broken))), [
    ['dkim.fail', { domain: 'domain.com', selector: 's1', reason: 'the body was changed after signing' }],
  ]);
  const missing = message({
    dkim: [
      {
        result: 'permerror',
        domain: 'domain.com',
        selector: 's2',
        error: { code: 'dkim.key-missing', message: 'no key' },
        testing: true,
      },
    ],
  });
  assert.deepEqual(entries(dkimFindings(missing, auth(missing))), [
    ['dkim.key-missing', { domain: 'domain.com', selector: 's2' }],
    ['dkim.testing', { domain: 'domain.com', selector: 's2' }],
  ]);
  const none = message({ dkim: [] });
  assert.deepEqual(entries(dkimFindings(none, auth(none))), [['dkim.none', {}]]);
  const temp = message({ dkim: [{ result: 'temperror', domain: 'domain.com', selector: 's3' }] });
  const tempArea = dkimFindings(temp, auth(temp));
  assert.deepEqual(entries(tempArea), []);
  assert.deepEqual(tempArea.temporary, ['DKIM key s3._domainkey.domain.com']);
});

test('DMARC: no record → dmarc.none; p=none → dmarc.policy-none; a local temperror is temporary', () => {
  const none = message({ dmarc: { result: 'none', domain: 'domain.com', policy: 'none' } });
  assert.deepEqual(entries(dmarcFindings(none, auth(none))), [['dmarc.none', { domain: 'domain.com' }]]);
  const monitoring = message({ dmarc: { result: 'pass', domain: 'domain.com', policy: 'none' } });
  assert.deepEqual(entries(dmarcFindings(monitoring, auth(monitoring))), [
    ['dmarc.policy-none', { domain: 'domain.com' }],
  ]);
  const temp = message({ dmarc: { result: 'temperror', domain: 'domain.com', policy: 'none' } });
  const tempArea = dmarcFindings(temp, auth(temp));
  assert.deepEqual(entries(tempArea), []);
  assert.deepEqual(tempArea.temporary, ['DMARC record of domain.com']);
});

test('server: no PTR and a HELO that does not resolve; a PTR temperror is temporary', () => {
  const input = message({
    iprev: { result: 'permerror', names: [], ptrNames: [], findings: ['ptr.missing'] },
    helo: { result: 'fail', name: 'mail.domain.com', findings: ['helo.nxdomain'], addresses: [] },
  });
  assert.deepEqual(entries(serverFindings(input, defaultPolicy, auth(input))), [
    ['ptr.missing', {}],
    ['helo.nxdomain', { name: 'mail.domain.com', names: [] }],
  ]);
  const temp = message({
    iprev: { result: 'temperror', names: [], ptrNames: [], findings: [], dnsError: 'timeout' },
  });
  const tempArea = serverFindings(temp, defaultPolicy, auth(temp));
  assert.deepEqual(entries(tempArea), []);
  assert.deepEqual(tempArea.temporary, ['PTR of 1.2.3.4 (timeout)']);
});

test('server: a generic PTR name → ptr.generic with the reason in words', () => {
  const input = message({
    iprev: {
      result: 'pass',
      names: ['1-2-3-4.dyn.example.net'],
      ptrNames: ['1-2-3-4.dyn.example.net'],
      findings: [],
    },
    helo: { result: 'pass', name: 'mail.domain.com', findings: [], addresses: ['1.2.3.4'] },
  });
  const found = entries(serverFindings(input, defaultPolicy, auth(input)));
  assert.deepEqual(
    found.map(([id]) => id),
    ['ptr.generic', 'ptr.foreign-domain'],
  );
  assert.equal(found[0]![1].name, '1-2-3-4.dyn.example.net');
  assert.match(found[0]![1].reason ?? '', /1\.2\.3\.4/);
});

test('headers: each finding with its field, value and reason in words; a DNS error is temporary', () => {
  const area = headerFindings({
    result: 'fail',
    findings: ['headers.date-invalid'],
    details: [{ id: 'headers.date-invalid', field: 'date', value: 'yesterday', reason: 'syntax' }],
    dnsError: 'servfail',
  });
  assert.deepEqual(entries(area), [
    ['headers.date-invalid', { field: 'Date', value: 'yesterday', reason: 'it does not parse as RFC 5322' }],
  ]);
  assert.deepEqual(area.temporary, ['domains in the header (servfail)']);
  assert.deepEqual(entries(headerFindings(undefined)), []);
});

test('forwarding: a failed ARC chain → arc.fail with its code; trusted ARC → forward.arc-trusted', () => {
  const failed = message({
    arc: { result: 'fail', instances: 0, sets: [], error: { code: 'arc.structure', message: 'no ARC-Seal' } },
  });
  assert.deepEqual(entries(forwardingFindings(failed, auth(failed))), [['arc.fail', { reason: 'arc.structure' }]]);
  const sealed = message({
    spf: { result: 'fail', domain: 'lists.example.org', identity: 'mailfrom' },
    dkim: [],
    dmarc: { result: 'fail', domain: 'domain.com', policy: 'reject' },
    arc: sealedArc('lists.example.org'),
  });
  const policy = parsePolicy('{"trustedForwarders": ["lists.example.org"]}');
  assert.ok(policy.ok);
  const area = forwardingFindings(sealed, readAuthentication(sealed, policy.value));
  assert.deepEqual(entries(area), [
    ['forward.arc-trusted', { domain: 'lists.example.org', reason: 'it recorded dmarc=pass' }],
  ]);
});

test('combination: areas share one collector, the first detail of an id wins, temporary failures become one dns.temperror', () => {
  const input = message({
    spf: { result: 'softfail', domain: 'domain.com', identity: 'mailfrom' },
    dkim: [{ result: 'temperror', domain: 'domain.com', selector: 's3' }],
  });
  const a = auth(input);
  const collected = new Area();
  spfFindings(input, a, collected);
  collected.add('spf.softfail', { domain: 'other.example' });
  dkimFindings(input, a, collected);
  collected.temporary.push('PTR of 1.2.3.4');
  collected.add('ptr.missing');
  assert.deepEqual(entries(collected), [
    ['spf.softfail', { domain: 'domain.com' }],
    ['ptr.missing', {}],
  ]);
  const facts = { ip: '1.2.3.4', helo: 'mail.domain.com', fromDomain: 'domain.com', senderDomain: 'domain.com' };
  const verdict = combineFindings(collected, facts, defaultPolicy);
  assert.equal(verdict.verdict, 'low');
  assert.equal(verdict.retryable, true);
  assert.deepEqual(
    verdict.reasons.map((r) => [r.id, r.level]),
    [
      ['ptr.missing', 'low'],
      ['dns.temperror', 'low'],
      ['spf.softfail', 'info'],
    ],
  );
  assert.match(verdict.reasons.find((r) => r.id === 'spf.softfail')!.message, /domain\.com/);
  assert.match(
    verdict.reasons.find((r) => r.id === 'dns.temperror')!.message,
    /DKIM key s3\._domainkey\.domain\.com.*PTR of 1\.2\.3\.4/,
  );
  assert.deepEqual(combineFindings(new Area(), facts, defaultPolicy), {
    verdict: 'trusted',
    retryable: false,
    reasons: [],
  });
});
