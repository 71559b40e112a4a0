/**
 * Every example of the guide (docs/trust-model.md) comes out as the guide says. Pure: the check
 * results are built by hand as the checks report them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultPolicy, parsePolicy, type Policy } from '../../src/core/policy/index.js';
import { decideVerdict, type Verdict, type VerdictInput } from '../../src/core/verdict/index.js';
import { deepFreeze, goodMessage, message, sealedArc } from './fixtures.js';

const ids = (verdict: Verdict) => verdict.reasons.map((r) => r.id);
const reason = (verdict: Verdict, id: string) => {
  const found = verdict.reasons.find((r) => r.id === id);
  assert.ok(found, `expected reason ${id}, got ${ids(verdict).join(', ') || 'none'}`);
  return found;
};
const policy = (json: object): Policy => {
  const parsed = parsePolicy(JSON.stringify(json));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.value;
};
const decide = (input: VerdictInput, p: Policy = defaultPolicy) => decideVerdict(deepFreeze(input), p);

describe('guide: all good', () => {
  test('PTR, HELO, SPF, DKIM, DMARC in order → trusted with no reasons', () => {
    const verdict = decide(goodMessage());
    assert.deepEqual(verdict, { verdict: 'trusted', retryable: false, reasons: [] });
  });
});

describe('guide recommendation 1: PTR', () => {
  test('missing PTR (NXDOMAIN) → low, remedy asks the owner of the IP for a PTR', () => {
    const verdict = decide(
      message({
        iprev: { result: 'permerror', names: [], ptrNames: [], findings: ['ptr.missing'], dnsError: 'nxdomain' },
      }),
    );
    assert.equal(verdict.verdict, 'low');
    assert.equal(verdict.retryable, false);
    assert.deepEqual(ids(verdict), ['ptr.missing']);
    const r = reason(verdict, 'ptr.missing');
    assert.equal(r.level, 'low');
    assert.match(r.message, /1\.2\.3\.4 has no PTR record/);
    assert.equal(
      r.remedy,
      'Ask the owner of 1.2.3.4 (your ISP or hosting provider) to publish a PTR record such as mail.domain.com that resolves back to 1.2.3.4.',
    );
  });

  test('generic PTR 4-3-2-1-cable-subscribers.isp.com → low (ptr.generic, with the reason)', () => {
    const name = '4-3-2-1-cable-subscribers.isp.com';
    const verdict = decide(message({ iprev: { result: 'pass', names: [name], ptrNames: [name], findings: [] } }));
    assert.equal(verdict.verdict, 'low');
    const r = reason(verdict, 'ptr.generic');
    assert.equal(r.level, 'low');
    assert.match(r.message, /4-3-2-1-cable-subscribers\.isp\.com/);
    assert.match(r.message, /contains the address 1\.2\.3\.4, reversed/);
    // The name also belongs to isp.com, not domain.com: reported, but only as information by default.
    assert.equal(reason(verdict, 'ptr.foreign-domain').level, 'info');
  });

  test('PTR that does not resolve back → low (ptr.not-confirmed names the PTR name)', () => {
    const verdict = decide(
      message({
        iprev: { result: 'fail', names: [], ptrNames: ['mail.domain.com'], findings: ['ptr.not-confirmed'] },
      }),
    );
    assert.equal(verdict.verdict, 'low');
    assert.match(
      reason(verdict, 'ptr.not-confirmed').remedy,
      /A record .* for mail\.domain\.com pointing at 1\.2\.3\.4/,
    );
  });
});

describe('guide recommendation 2: HELO', () => {
  const cases: [string, VerdictInput['helo'], string][] = [
    ['localhost', { result: 'fail', name: 'localhost', findings: ['helo.localhost'] }, 'helo.localhost'],
    ['1.2.3.4', { result: 'fail', name: '1.2.3.4', findings: ['helo.bare-ip'] }, 'helo.bare-ip'],
    [
      'invalid.tld',
      { result: 'fail', name: 'invalid.tld', findings: ['helo.nxdomain'], dnsError: 'nxdomain' },
      'helo.nxdomain',
    ],
    [
      'not.existing.domain.com',
      { result: 'fail', name: 'not.existing.domain.com', findings: ['helo.nxdomain'], dnsError: 'nxdomain' },
      'helo.nxdomain',
    ],
  ];
  for (const [name, helo, id] of cases) {
    test(`HELO ${name} → low (${id})`, () => {
      const verdict = decide(message({ envelope: { ip: '1.2.3.4', helo: name, mailFrom: 'user@domain.com' }, helo }));
      assert.equal(verdict.verdict, 'low');
      assert.deepEqual(ids(verdict), [id], 'one reason per problem: no foreign-domain or not-mx on top');
      const r = reason(verdict, id);
      assert.equal(r.level, 'low');
      assert.ok(r.message.includes(name), r.message);
      assert.match(r.remedy, /mail\.domain\.com/);
    });
  }

  test('HELO localhost remedy: greet with the public name that points at the IP', () => {
    const verdict = decide(message({ helo: { result: 'fail', name: 'localhost', findings: ['helo.localhost'] } }));
    assert.equal(
      reason(verdict, 'helo.localhost').remedy,
      'Configure the mail server to greet with its public name, e.g. EHLO mail.domain.com, a name with an A record pointing at 1.2.3.4.',
    );
  });

  test('HELO mail.otherdomain.com → low (helo.foreign-domain), plus info helo.not-mx', () => {
    const verdict = decide(
      message({
        envelope: { ip: '1.2.3.4', helo: 'mail.otherdomain.com', mailFrom: 'user@domain.com' },
        helo: { result: 'pass', name: 'mail.otherdomain.com', findings: [], addresses: ['1.2.3.4'] },
      }),
    );
    assert.equal(verdict.verdict, 'low');
    const r = reason(verdict, 'helo.foreign-domain');
    assert.equal(r.level, 'low');
    assert.match(
      r.message,
      /mail\.otherdomain\.com belongs to otherdomain\.com, not to the sender's domain \(domain\.com\)/,
    );
    assert.equal(reason(verdict, 'helo.not-mx').level, 'info');
  });

  test('HELO in the sender domain but not an MX host → trusted with info helo.not-mx', () => {
    const verdict = decide(
      message({
        envelope: { ip: '1.2.3.4', helo: 'out.domain.com', mailFrom: 'user@domain.com' },
        helo: { result: 'pass', name: 'out.domain.com', findings: [], addresses: ['1.2.3.4'] },
      }),
    );
    assert.equal(verdict.verdict, 'trusted');
    assert.deepEqual(ids(verdict), ['helo.not-mx']);
  });
});

describe('guide: what is not trusted', () => {
  test('spoofed sender without an authorizing SPF record (DMARC fail) → untrusted', () => {
    const verdict = decide(
      message({
        envelope: { ip: '6.6.6.6', helo: 'mail.attacker.net', mailFrom: 'ceo@domain.com' },
        iprev: { result: 'pass', names: ['mail.attacker.net'], ptrNames: ['mail.attacker.net'], findings: [] },
        helo: { result: 'pass', name: 'mail.attacker.net', findings: [], addresses: ['6.6.6.6'] },
        spf: { result: 'fail', domain: 'domain.com', identity: 'mailfrom', mechanism: '-all' },
        dkim: [],
        dmarc: { result: 'fail', domain: 'domain.com', policy: 'reject' },
      }),
    );
    assert.equal(verdict.verdict, 'untrusted');
    assert.deepEqual(ids(verdict).slice(0, 2), ['sender.spoofed', 'spf.fail']);
    assert.match(reason(verdict, 'sender.spoofed').message, /domain\.com fails DMARC \(policy reject\)/);
    assert.match(reason(verdict, 'spf.fail').remedy, /domain\.com\. TXT "v=spf1 ip4:6\.6\.6\.6 ~all"/);
  });

  test('spoofed sender, no DMARC record: SPF fail for the aligned MAIL FROM → untrusted (sender.spoofed)', () => {
    const verdict = decide(
      message({
        spf: { result: 'fail', domain: 'domain.com', identity: 'mailfrom' },
        dkim: [],
        dmarc: { result: 'none', domain: 'domain.com', policy: 'none' },
      }),
    );
    assert.equal(verdict.verdict, 'untrusted');
    assert.match(reason(verdict, 'sender.spoofed').message, /publishes no DMARC record, its SPF fails for 1\.2\.3\.4/);
  });

  test('invalid DKIM signature (body hash mismatch) → untrusted even though SPF aligns', () => {
    const verdict = decide(
      message({
        dkim: [
          {
            result: 'fail',
            domain: 'domain.com',
            selector: 's1',
            error: { code: 'dkim.body-hash', message: 'body changed' },
          },
        ],
      }),
    );
    assert.equal(verdict.verdict, 'untrusted');
    const r = reason(verdict, 'dkim.fail');
    assert.equal(r.level, 'untrusted');
    assert.match(r.message, /d=domain\.com \(selector s1\) does not verify — the body was changed after signing/);
    assert.match(r.remedy, /s1\._domainkey\.domain\.com/);
  });

  test('failed SPF for an unaligned MAIL FROM, no DKIM, no DMARC → untrusted (spf.fail)', () => {
    const verdict = decide(
      message({
        envelope: { ip: '1.2.3.4', helo: 'mail.domain.com', mailFrom: 'bounce@mailer.example.net' },
        spf: { result: 'fail', domain: 'mailer.example.net', identity: 'mailfrom', mechanism: '-all' },
        dkim: [],
        dmarc: { result: 'none', domain: 'domain.com', policy: 'none' },
      }),
    );
    assert.equal(verdict.verdict, 'untrusted');
    assert.deepEqual(
      verdict.reasons.filter((r) => r.level !== 'info').map((r) => r.id),
      ['spf.fail', 'sender.unauthenticated'],
    );
    assert.match(reason(verdict, 'spf.fail').message, /SPF of mailer\.example\.net fails for 1\.2\.3\.4 \(-all\)/);
  });

  test('non-existent domain in To → untrusted (headers.domain-nxdomain)', () => {
    const verdict = decide(
      message({
        headers: {
          result: 'fail',
          findings: ['headers.domain-nxdomain'],
          details: [
            { id: 'headers.domain-nxdomain', field: 'To', value: 'help@nowhere.invalid', domain: 'nowhere.invalid' },
          ],
        },
      }),
    );
    assert.equal(verdict.verdict, 'untrusted');
    assert.equal(
      reason(verdict, 'headers.domain-nxdomain').message,
      'The domain nowhere.invalid in the To header does not exist (NXDOMAIN).',
    );
  });

  test('a missing Subject is low, a missing From untrusted (RFC 5322 formatting for scripts and forms)', () => {
    assert.equal(
      decide(message({ headers: { result: 'fail', findings: ['headers.subject-missing'] } })).verdict,
      'low',
    );
    assert.equal(
      decide(message({ headers: { result: 'fail', findings: ['headers.from-missing'] } })).verdict,
      'untrusted',
    );
  });
});

describe('guide note: forwarding', () => {
  /** A message from domain.com forwarded by forwarder.org, which changed the body (a footer). */
  const forwarded = (): VerdictInput => ({
    envelope: { ip: '5.6.7.8', helo: 'mx.forwarder.org', mailFrom: 'user@domain.com' },
    fromDomain: 'domain.com',
    iprev: { result: 'pass', names: ['mx.forwarder.org'], ptrNames: ['mx.forwarder.org'], findings: [] },
    helo: { result: 'pass', name: 'mx.forwarder.org', findings: [], addresses: ['5.6.7.8'] },
    spf: { result: 'fail', domain: 'domain.com', identity: 'mailfrom', mechanism: '-all' },
    dkim: [
      { result: 'fail', domain: 'domain.com', selector: 's1', error: { code: 'dkim.body-hash', message: 'changed' } },
    ],
    dmarc: { result: 'fail', domain: 'domain.com', policy: 'reject' },
    arc: sealedArc(
      'forwarder.org',
      [
        {
          method: 'spf',
          result: 'pass',
          properties: [{ ptype: 'smtp', property: 'mailfrom', value: 'user@domain.com' }],
        },
        { method: 'dkim', result: 'pass', properties: [{ ptype: 'header', property: 'd', value: 'domain.com' }] },
        { method: 'dmarc', result: 'pass', properties: [{ ptype: 'header', property: 'from', value: 'domain.com' }] },
      ],
      'mx.forwarder.org',
    ),
    headers: { result: 'pass', findings: [] },
  });

  test('trusted ARC and broken DKIM → not untrusted (trusted; forward.arc-trusted, forward.dkim-broken)', () => {
    const verdict = decide(forwarded(), policy({ trustedForwarders: ['forwarder.org'] }));
    assert.notEqual(verdict.verdict, 'untrusted');
    assert.equal(verdict.verdict, 'trusted');
    assert.deepEqual(ids(verdict), ['forward.arc-trusted', 'forward.dkim-broken']);
    assert.match(reason(verdict, 'forward.arc-trusted').message, /forwarder\.org.*dmarc=pass/);
    assert.match(reason(verdict, 'forward.dkim-broken').remedy, /pass messages on unchanged/);
  });

  test('the same message without the forwarder in the policy → untrusted', () => {
    const verdict = decide(forwarded());
    assert.equal(verdict.verdict, 'untrusted');
    assert.deepEqual(
      verdict.reasons.filter((r) => r.level === 'untrusted').map((r) => r.id),
      ['sender.spoofed', 'spf.fail', 'dkim.fail'],
    );
    assert.ok(ids(verdict).includes('forward.dkim-broken'));
  });

  test('trusted forwarder but the chain fails → not trusted on its word', () => {
    const input = forwarded();
    const verdict = decide(
      { ...input, arc: { ...input.arc!, result: 'fail', error: { code: 'arc.seal-signature', message: 'x' } } },
      policy({ trustedForwarders: ['forwarder.org'] }),
    );
    assert.equal(verdict.verdict, 'untrusted');
    assert.ok(ids(verdict).includes('arc.fail'));
  });

  test('forwarded with an SRS sender and DKIM intact → trusted (forward.detected)', () => {
    const verdict = decide(
      message({
        envelope: { ip: '5.6.7.8', helo: 'mx.forwarder.org', mailFrom: 'SRS0=HHH=TT=domain.com=user@forwarder.org' },
        iprev: { result: 'pass', names: ['mx.forwarder.org'], ptrNames: ['mx.forwarder.org'], findings: [] },
        helo: { result: 'pass', name: 'mx.forwarder.org', findings: [], addresses: ['5.6.7.8'] },
        spf: { result: 'pass', domain: 'forwarder.org', identity: 'mailfrom' },
        senderMxHosts: undefined,
      }),
    );
    assert.equal(verdict.verdict, 'trusted');
    assert.deepEqual(ids(verdict), ['forward.detected']);
    assert.match(
      reason(verdict, 'forward.detected').message,
      /SRS reverse-path .* aligned DKIM signature of domain\.com/,
    );
  });

  test('forwarded without SRS (SPF fails), DKIM intact → trusted: the forwarder is named consistently', () => {
    const input = forwarded();
    const verdict = decide({
      ...input,
      dkim: [{ result: 'pass', domain: 'domain.com', selector: 's1' }],
      dmarc: { result: 'pass', domain: 'domain.com', policy: 'reject' },
      arc: { result: 'none', instances: 0, sets: [] },
    });
    assert.equal(verdict.verdict, 'trusted');
    assert.deepEqual(ids(verdict), ['spf.ip-not-authorized', 'forward.detected']);
  });
});

describe('verdict mechanics', () => {
  test('DNS temperror → low and retryable; never trusted', () => {
    const verdict = decide(
      message({ iprev: { result: 'temperror', names: [], ptrNames: [], findings: [], dnsError: 'timeout' } }),
    );
    assert.equal(verdict.verdict, 'low');
    assert.equal(verdict.retryable, true);
    assert.match(reason(verdict, 'dns.temperror').message, /PTR of 1\.2\.3\.4 \(timeout\)/);
  });

  test('temperrors of SPF, DKIM and DMARC are collected into one dns.temperror', () => {
    const verdict = decide(
      message({
        spf: { result: 'temperror', domain: 'domain.com', identity: 'mailfrom' },
        dkim: [
          { result: 'temperror', domain: 'domain.com', selector: 's1', error: { code: 'dns.timeout', message: 't' } },
        ],
        dmarc: { result: 'temperror', domain: 'domain.com', policy: 'none' },
      }),
    );
    assert.equal(verdict.verdict, 'low');
    assert.equal(verdict.retryable, true);
    assert.equal(verdict.reasons.filter((r) => r.id === 'dns.temperror').length, 1);
    const text = reason(verdict, 'dns.temperror').message;
    for (const part of ['SPF record of domain.com', 'DKIM key s1._domainkey.domain.com', 'DMARC record of domain.com'])
      assert.ok(text.includes(part), text);
  });

  test('an untrusted verdict with a temperror is retryable; a policy making temperror info can be trusted', () => {
    const input = message({
      helo: { result: 'temperror', name: 'mail.domain.com', findings: [], dnsError: 'servfail' },
    });
    assert.deepEqual([decide(input).verdict, decide(input).retryable], ['low', true]);
    const relaxed = decide(input, policy({ levels: { 'dns.temperror': 'info' } }));
    assert.equal(relaxed.verdict, 'trusted');
    assert.equal(relaxed.retryable, false);
  });

  test('policy levels override any finding', () => {
    const foreignHelo = message({
      envelope: { ip: '1.2.3.4', helo: 'mail.otherdomain.com', mailFrom: 'user@domain.com' },
      helo: { result: 'pass', name: 'mail.otherdomain.com', findings: [], addresses: ['1.2.3.4'] },
    });
    assert.equal(decide(foreignHelo, policy({ levels: { 'helo.foreign-domain': 'info' } })).verdict, 'trusted');
    assert.equal(decide(foreignHelo, policy({ levels: { 'helo.not-mx': 'untrusted' } })).verdict, 'untrusted');
    const notMx = message({
      envelope: { ip: '1.2.3.4', helo: 'out.domain.com', mailFrom: 'user@domain.com' },
      helo: { result: 'pass', name: 'out.domain.com', findings: [], addresses: ['1.2.3.4'] },
    });
    const tightened = decide(notMx, policy({ levels: { 'helo.not-mx': 'low' } }));
    assert.equal(tightened.verdict, 'low');
    assert.equal(reason(tightened, 'helo.not-mx').level, 'low');
  });

  test('relayDomains: an ESP sending for the customer domain is low by default, trusted when listed', () => {
    const esp = message({
      envelope: { ip: '149.72.1.2', helo: 'o1.sendgrid.net', mailFrom: 'bounces@domain.com' },
      iprev: { result: 'pass', names: ['o1.sendgrid.net'], ptrNames: ['o1.sendgrid.net'], findings: [] },
      helo: { result: 'pass', name: 'o1.sendgrid.net', findings: [], addresses: ['149.72.1.2'] },
      spf: { result: 'pass', domain: 'domain.com', identity: 'mailfrom', mechanism: 'include:sendgrid.net' },
    });
    const strict = decide(esp);
    assert.equal(strict.verdict, 'low');
    assert.deepEqual(
      strict.reasons.map((r) => `${r.id}:${r.level}`),
      ['helo.foreign-domain:low', 'ptr.foreign-domain:info', 'helo.not-mx:info'],
    );
    const relaxed = decide(esp, policy({ relayDomains: ['sendgrid.net'] }));
    assert.deepEqual(relaxed, { verdict: 'trusted', retryable: false, reasons: [] });
  });

  test('a bounce (null sender): SPF of the HELO identity decides', () => {
    const bounce = (result: 'pass' | 'fail') =>
      message({
        envelope: { ip: '1.2.3.4', helo: 'mail.domain.com', mailFrom: '' },
        spf: { result, domain: 'mail.domain.com', identity: 'helo' },
        dkim: [],
        dmarc: { result: 'none', domain: 'domain.com', policy: 'none' },
      });
    const passing = decide(bounce('pass'));
    assert.equal(passing.verdict, 'trusted', JSON.stringify(passing.reasons));
    const failing = decide(bounce('fail'));
    assert.equal(failing.verdict, 'untrusted');
    assert.ok(ids(failing).includes('spf.fail'));
  });

  test('an HELO-identity SPF fail with a real MAIL FROM is not spf.fail', () => {
    const helo = { result: 'fail', domain: 'mail.domain.com', identity: 'helo' } as const;
    const verdict = decide(message({ spf: helo }));
    assert.equal(verdict.verdict, 'trusted');
    assert.deepEqual(ids(verdict), ['spf.ip-not-authorized']);
    const unsigned = decide(
      message({ spf: helo, dkim: [], dmarc: { result: 'none', domain: 'domain.com', policy: 'none' } }),
    );
    assert.equal(unsigned.verdict, 'low');
    assert.ok(!ids(unsigned).includes('spf.fail'));
    assert.match(
      reason(unsigned, 'spf.ip-not-authorized').message,
      /HELO name mail\.domain\.com fails for 1\.2\.3\.4, which decides only for bounces/,
    );
  });

  test('no authentication at all → low (sender.unauthenticated) with the records to publish', () => {
    const verdict = decide(
      message({
        spf: { result: 'none', domain: 'domain.com', identity: 'mailfrom' },
        dkim: [],
        dmarc: { result: 'none', domain: 'domain.com', policy: 'none' },
      }),
    );
    assert.equal(verdict.verdict, 'low');
    assert.deepEqual(ids(verdict), ['sender.unauthenticated', 'spf.none', 'dkim.none', 'dmarc.none']);
    assert.match(reason(verdict, 'spf.none').remedy, /domain\.com\. TXT "v=spf1 ip4:1\.2\.3\.4 ~all"/);
    assert.match(reason(verdict, 'dmarc.none').remedy, /_dmarc\.domain\.com\. TXT "v=DMARC1; p=none/);
  });

  test('no DMARC record but an aligned DKIM pass → authenticated (trusted, dmarc.none info)', () => {
    const verdict = decide(
      message({
        spf: { result: 'softfail', domain: 'domain.com', identity: 'mailfrom' },
        dmarc: { result: 'none', domain: 'domain.com', policy: 'none' },
      }),
    );
    assert.equal(verdict.verdict, 'trusted');
    assert.deepEqual(ids(verdict), ['spf.softfail', 'dmarc.none']);
  });

  test('a broken unaligned signature next to a passing aligned one is only information', () => {
    const verdict = decide(
      message({
        dkim: [
          { result: 'pass', domain: 'domain.com', selector: 's1' },
          { result: 'fail', domain: 'esp.example', selector: 'k', error: { code: 'dkim.signature', message: 'x' } },
        ],
      }),
    );
    assert.equal(verdict.verdict, 'trusted');
    assert.deepEqual(ids(verdict), ['dkim.signature']);
  });

  test('DKIM passing only for another domain → dkim.unaligned (info); SPF aligned keeps it trusted', () => {
    const verdict = decide(message({ dkim: [{ result: 'pass', domain: 'esp.example', selector: 'k' }] }));
    assert.equal(verdict.verdict, 'trusted');
    assert.deepEqual(ids(verdict), ['dkim.unaligned']);
    assert.match(
      reason(verdict, 'dkim.unaligned').message,
      /pass only for esp\.example, not for the From domain domain\.com/,
    );
  });

  test('reasons are sorted untrusted, low, info and deterministic; the input is not changed', () => {
    const input = message({
      envelope: { ip: '1.2.3.4', helo: 'localhost', mailFrom: 'user@domain.com' },
      iprev: { result: 'permerror', names: [], ptrNames: [], findings: ['ptr.missing'] },
      helo: { result: 'fail', name: 'localhost', findings: ['helo.localhost'] },
      spf: { result: 'fail', domain: 'domain.com', identity: 'mailfrom' },
      dkim: [],
      dmarc: { result: 'fail', domain: 'domain.com', policy: 'none' },
      headers: { result: 'fail', findings: ['headers.date-missing', 'headers.domain-unresolvable'] },
    });
    const snapshot = JSON.stringify(input);
    const first = decide(input);
    assert.equal(JSON.stringify(input), snapshot);
    assert.deepEqual(decideVerdict(input, defaultPolicy), first);
    const ranks = first.reasons.map((r) => ({ untrusted: 0, low: 1, info: 2 })[r.level]);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
    );
    assert.deepEqual(
      first.reasons.map((r) => r.id),
      [
        'sender.spoofed',
        'spf.fail',
        'headers.domain-unresolvable',
        'ptr.missing',
        'helo.localhost',
        'headers.date-missing',
        'dkim.none',
        'dmarc.policy-none',
      ],
    );
  });

  test('every reason is one sentence with a remedy, and no value is left out', () => {
    const verdict = decide(
      message({
        iprev: {
          result: 'fail',
          names: [],
          ptrNames: ['a.isp.com', 'b.isp.com'],
          findings: ['ptr.not-confirmed', 'ptr.multiple'],
        },
        helo: { result: 'fail', name: 'box', findings: ['helo.not-fqdn'] },
        spf: {
          result: 'permerror',
          domain: 'domain.com',
          identity: 'mailfrom',
          error: { code: 'spf.too-many-lookups', message: 'x' },
        },
        dkim: [
          {
            result: 'permerror',
            domain: 'domain.com',
            selector: 's1',
            error: { code: 'dkim.key-missing', message: 'x' },
          },
        ],
        dmarc: { result: 'none', domain: 'domain.com', policy: 'none' },
        headers: { result: 'fail', findings: ['headers.from-invalid', 'headers.not-a-known-id'] },
      }),
    );
    assert.ok(verdict.reasons.length >= 8);
    for (const r of verdict.reasons) {
      for (const text of [r.message, r.remedy]) {
        assert.match(text, /^[A-Z_].*[.]$/s, `${r.id}: ${text}`);
        assert.doesNotMatch(text, /undefined|\[object|\n/, `${r.id}: ${text}`);
      }
    }
    assert.ok(ids(verdict).includes('spf.too-many-lookups'));
    assert.ok(ids(verdict).includes('dkim.key-missing'));
    assert.equal(reason(verdict, 'headers.not-a-known-id').level, 'info');
  });
});
