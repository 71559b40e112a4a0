/** Combinations of the trust model (docs/trust-model.md), and invariants over many inputs. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPolicy, parsePolicy, type Policy } from '../../src/core/policy/index.js';
import { decideVerdict, type VerdictInput } from '../../src/core/verdict/index.js';
import { goodMessage, message, sealedArc } from './fixtures.js';

const policy = (json: object): Policy => {
  const parsed = parsePolicy(JSON.stringify(json));
  assert.ok(parsed.ok);
  return parsed.value;
};
const ids = (input: VerdictInput, p: Policy = defaultPolicy) => decideVerdict(input, p).reasons.map((r) => r.id);

test('Gmail-style sending: provider HELO/PTR, the From domain MX at the same provider → trusted', () => {
  const gmail = message({
    envelope: { ip: '209.85.221.41', helo: 'mail-wr1-f41.google.com', mailFrom: 'alice@gmail.com' },
    fromDomain: 'gmail.com',
    iprev: { result: 'pass', names: ['mail-wr1-f41.google.com'], ptrNames: ['mail-wr1-f41.google.com'], findings: [] },
    helo: { result: 'pass', name: 'mail-wr1-f41.google.com', findings: [], addresses: ['209.85.221.41'] },
    spf: { result: 'pass', domain: 'gmail.com', identity: 'mailfrom' },
    dkim: [{ result: 'pass', domain: 'gmail.com', selector: '20230601' }],
    dmarc: { result: 'pass', domain: 'gmail.com', policy: 'none' },
    senderMxHosts: ['gmail-smtp-in.l.google.com'],
  });
  const verdict = decideVerdict(gmail, defaultPolicy);
  assert.equal(verdict.verdict, 'trusted', JSON.stringify(verdict.reasons));
  assert.deepEqual(ids(gmail), ['helo.not-mx', 'dmarc.policy-none']);
  // Without the MX hosts the provider's names are foreign to gmail.com.
  assert.equal(decideVerdict({ ...gmail, senderMxHosts: undefined }, defaultPolicy).verdict, 'low');
});

test('a list message re-sealed with trusted ARC, DKIM intact and SPF of the list → trusted', () => {
  const list = message({
    envelope: { ip: '5.6.7.8', helo: 'mail.lists.example.org', mailFrom: 'bounces+x@lists.example.org' },
    iprev: { result: 'pass', names: ['mail.lists.example.org'], ptrNames: ['mail.lists.example.org'], findings: [] },
    helo: { result: 'pass', name: 'mail.lists.example.org', findings: [], addresses: ['5.6.7.8'] },
    spf: { result: 'pass', domain: 'lists.example.org', identity: 'mailfrom' },
    arc: sealedArc('lists.example.org'),
    senderMxHosts: undefined,
  });
  assert.deepEqual(ids(list), ['forward.detected']);
  assert.deepEqual(ids(list, policy({ trustedForwarders: ['lists.example.org'] })), ['forward.arc-trusted']);
  assert.equal(decideVerdict(list, defaultPolicy).verdict, 'trusted');
});

test('ARC temperror of a trusted forwarder → retryable; of an untrusted one → not a DNS reason', () => {
  const input = message({
    arc: {
      result: 'temperror',
      instances: 1,
      sets: [{ instance: 1, sealDomain: 'forwarder.org', authResults: { authservId: 'f', results: [] } }],
      error: { code: 'dns.timeout', message: 'x' },
    },
  });
  const trusted = decideVerdict(input, policy({ trustedForwarders: ['forwarder.org'] }));
  assert.equal(trusted.verdict, 'low');
  assert.equal(trusted.retryable, true);
  assert.match(trusted.reasons.find((r) => r.id === 'dns.temperror')?.message ?? '', /ARC keys of forwarder\.org/);
  assert.equal(decideVerdict(input, defaultPolicy).verdict, 'trusted');
});

test('a DNS failure in any check never yields trusted, and always sets retryable', () => {
  const failures: Partial<VerdictInput>[] = [
    { iprev: { result: 'temperror', names: [], ptrNames: [], findings: [], dnsError: 'servfail' } },
    { helo: { result: 'temperror', name: 'mail.domain.com', findings: [], dnsError: 'timeout' } },
    { spf: { result: 'temperror', domain: 'domain.com', identity: 'mailfrom' } },
    { dmarc: { result: 'temperror', domain: 'domain.com', policy: 'none' } },
    { headers: { result: 'temperror', findings: [], dnsError: 'refused' } },
    {
      dkim: [
        { result: 'pass', domain: 'domain.com', selector: 's1' },
        { result: 'temperror', domain: 'esp.example', selector: 'k', error: { code: 'dns.servfail', message: 'x' } },
      ],
    },
  ];
  for (const change of failures) {
    const verdict = decideVerdict(message(change), defaultPolicy);
    assert.notEqual(verdict.verdict, 'trusted', JSON.stringify(change));
    assert.equal(verdict.retryable, true, JSON.stringify(change));
    assert.equal(verdict.reasons.filter((r) => r.id === 'dns.temperror').length, 1);
  }
});

test('invariants over many combinations: order, levels, verdict = worst level, no temperror → not retryable', () => {
  const spfResults = ['pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror'] as const;
  const dkimSets: VerdictInput['dkim'][] = [
    [],
    [{ result: 'pass', domain: 'domain.com', selector: 's1' }],
    [{ result: 'fail', domain: 'domain.com', selector: 's1', error: { code: 'dkim.signature', message: 'x' } }],
    [{ result: 'pass', domain: 'esp.example', selector: 'k' }],
  ];
  const dmarcResults = ['pass', 'fail', 'none', 'permerror', 'temperror'] as const;
  const helos: VerdictInput['helo'][] = [
    goodMessage().helo,
    { result: 'fail', name: 'localhost', findings: ['helo.localhost'] },
    { result: 'pass', name: 'mail.otherdomain.com', findings: [] },
  ];
  const rank = { untrusted: 0, low: 1, info: 2 } as const;
  let count = 0;
  for (const spf of spfResults)
    for (const dkim of dkimSets)
      for (const dmarc of dmarcResults)
        for (const helo of helos) {
          const input = message({
            spf: { result: spf, domain: 'domain.com', identity: 'mailfrom' },
            dkim,
            dmarc: { result: dmarc, domain: 'domain.com', policy: 'reject' },
            helo,
          });
          const verdict = decideVerdict(input, defaultPolicy);
          count++;
          const ranks = verdict.reasons.map((r) => rank[r.level]);
          assert.deepEqual(
            ranks,
            [...ranks].sort((a, b) => a - b),
          );
          const worst = Math.min(2, ...ranks);
          assert.equal(verdict.verdict, ['untrusted', 'low', 'trusted'][worst]);
          assert.equal(new Set(verdict.reasons.map((r) => r.id)).size, verdict.reasons.length);
          const temporary = spf === 'temperror' || dmarc === 'temperror';
          assert.equal(verdict.retryable, temporary);
          // docs/trust-model.md: DMARC fail is always untrusted; an authenticated, well-set-up sender is trusted.
          if (dmarc === 'fail') assert.equal(verdict.verdict, 'untrusted');
          if (dmarc === 'pass' && spf === 'pass' && dkim === dkimSets[1] && helo === helos[0])
            assert.equal(verdict.verdict, 'trusted');
        }
  assert.equal(count, 7 * 4 * 5 * 3);
});
