/**
 * The guide's examples end to end: real messages, real DNS on 127.0.0.1, evaluate() with a policy. Checks that the
 * verdict evaluate() returns reads the real results as the pure tests assume.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { prependArcSet, sealArc } from '../../src/core/arc/index.js';
import { generateDkimKey } from '../../src/core/dkim/keygen.js';
import { prependHeader, signDkim } from '../../src/core/dkim/sign.js';
import { createResolver } from '../../src/core/dns/index.js';
import { evaluate, type Envelope, type Evaluation } from '../../src/core/evaluation/index.js';
import { defaultPolicy, parsePolicy, type Policy } from '../../src/core/policy/index.js';
import type { Verdict } from '../../src/core/verdict/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

const now = new Date('2025-06-02T10:00:00Z');
const message = (from: string, body = 'Hello,\r\nplease help.\r\n') =>
  [
    `From: Alice <${from}>`,
    'To: Help <help@helpdesk.example>',
    'Subject: Printer on fire',
    'Date: Mon, 2 Jun 2025 09:59:00 +0000',
    `Message-ID: <1@${from.split('@')[1]}>`,
    '',
    body,
  ].join('\r\n');

describe('evaluate(): the guide examples', () => {
  let server: TestDnsServer;
  let privateKey: string;
  let forwarderKey: string;
  before(async () => {
    const key = await generateDkimKey({ domain: 'domain.com', selector: 's1', bits: 1024 });
    const arcKey = await generateDkimKey({ domain: 'forwarder.org', selector: 'arc', bits: 1024 });
    assert.ok(key.ok && arcKey.ok);
    privateKey = key.value.privateKeyPem;
    forwarderKey = arcKey.value.privateKeyPem;
    server = await startTestDnsServer({
      records: zoneRecords({
        'domain.com': { TXT: ['v=spf1 ip4:1.2.3.4 -all'], MX: [[10, 'mail.domain.com']], A: ['1.2.3.4'] },
        '_dmarc.domain.com': { TXT: ['v=DMARC1; p=reject'] },
        's1._domainkey.domain.com': { TXT: [key.value.txtStrings] },
        'mail.domain.com': { A: ['1.2.3.4'] },
        '4.3.2.1.in-addr.arpa': { PTR: ['mail.domain.com'] },
        '5.3.2.1.in-addr.arpa': { PTR: ['4-3-2-1-cable-subscribers.isp.com'] },
        '4-3-2-1-cable-subscribers.isp.com': { A: ['1.2.3.5'] },
        'mail.otherdomain.com': { A: ['1.2.3.4'] },
        'arc._domainkey.forwarder.org': { TXT: [arcKey.value.txtStrings] },
        'forwarder.org': { TXT: ['v=spf1 ip4:5.6.7.8 -all'] },
        'mx.forwarder.org': { A: ['5.6.7.8'] },
        '8.7.6.5.in-addr.arpa': { PTR: ['mx.forwarder.org'] },
        'helpdesk.example': { MX: [[10, 'mx.helpdesk.example']] },
        'mx.helpdesk.example': { A: ['192.0.2.25'] },
      }),
    });
  });
  after(() => server.close());

  /** evaluate() with the policy: its verdict, retryable and reasons, as the library user gets them. */
  async function judge(
    raw: string,
    envelope: Envelope,
    policy: Policy = defaultPolicy,
  ): Promise<{ evaluation: Evaluation; verdict: Verdict }> {
    const resolver = createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0, cache: false });
    const evaluation = await evaluate(raw, envelope, { resolver, now, policy });
    const { verdict, retryable, reasons } = evaluation;
    return { evaluation, verdict: { verdict, retryable, reasons } };
  }
  const signed = (raw: string) => {
    const field = signDkim(raw, { domain: 'domain.com', selector: 's1', privateKey, now });
    assert.ok(field.ok, field.ok ? '' : field.error.message);
    return new TextDecoder().decode(prependHeader(new TextEncoder().encode(raw), field.field));
  };
  const ids = (v: Verdict) => v.reasons.map((r) => `${r.id}:${r.level}`);

  test('all good → trusted', async () => {
    const { verdict } = await judge(signed(message('alice@domain.com')), {
      ip: '1.2.3.4',
      helo: 'mail.domain.com',
      mailFrom: 'alice@domain.com',
    });
    assert.deepEqual(verdict, { verdict: 'trusted', retryable: false, reasons: [] });
  });

  test('HELO localhost → low', async () => {
    const { verdict } = await judge(signed(message('alice@domain.com')), {
      ip: '1.2.3.4',
      helo: 'localhost',
      mailFrom: 'alice@domain.com',
    });
    assert.equal(verdict.verdict, 'low');
    assert.deepEqual(ids(verdict), ['helo.localhost:low']);
  });

  test('HELO mail.otherdomain.com → low (foreign)', async () => {
    const { verdict } = await judge(signed(message('alice@domain.com')), {
      ip: '1.2.3.4',
      helo: 'mail.otherdomain.com',
      mailFrom: 'alice@domain.com',
    });
    assert.equal(verdict.verdict, 'low');
    assert.deepEqual(ids(verdict), ['helo.foreign-domain:low', 'helo.not-mx:info']);
  });

  test('PTR missing, and a generic PTR → low', async () => {
    const generic = await judge(signed(message('alice@domain.com')), {
      ip: '1.2.3.5',
      helo: 'mail.domain.com',
      mailFrom: 'alice@domain.com',
    });
    // 1.2.3.5 is not in SPF either, but the aligned DKIM signature authenticates the sender.
    assert.equal(generic.verdict.verdict, 'low');
    assert.ok(ids(generic.verdict).includes('ptr.generic:low'), ids(generic.verdict).join(' '));
    const none = await judge(signed(message('alice@domain.com')), {
      ip: '1.2.3.9',
      helo: 'mail.domain.com',
      mailFrom: 'alice@domain.com',
    });
    assert.ok(ids(none.verdict).includes('ptr.missing:low'), ids(none.verdict).join(' '));
  });

  test('invalid DKIM (body changed after signing) → untrusted', async () => {
    const raw = signed(message('alice@domain.com')).replace('please help.', 'please pay.');
    const { verdict, evaluation } = await judge(raw, {
      ip: '1.2.3.4',
      helo: 'mail.domain.com',
      mailFrom: 'alice@domain.com',
    });
    assert.equal(evaluation.dkim[0]?.error?.code, 'dkim.body-hash');
    assert.equal(verdict.verdict, 'untrusted');
    assert.equal(verdict.reasons[0]?.id, 'dkim.fail');
  });

  test('spoofed sender from an unauthorized server → untrusted', async () => {
    const { verdict } = await judge(message('ceo@domain.com'), {
      ip: '1.2.3.4',
      helo: 'mail.domain.com',
      mailFrom: 'ceo@domain.com',
    });
    // Same server, but unsigned: SPF passes, so DMARC passes — not spoofed.
    assert.equal(verdict.verdict, 'trusted');
    const spoofed = await judge(message('ceo@domain.com'), {
      ip: '6.6.6.6',
      helo: 'mail.otherdomain.com',
      mailFrom: 'ceo@domain.com',
    });
    assert.equal(spoofed.verdict.verdict, 'untrusted');
    assert.deepEqual(
      spoofed.verdict.reasons.filter((r) => r.level === 'untrusted').map((r) => r.id),
      ['sender.spoofed', 'spf.fail'],
    );
  });

  test('forwarded with a footer and trusted ARC → trusted; untrusted without the forwarder in the policy', async () => {
    // forwarder.org received the signed message, recorded what it saw, added a footer and sealed.
    const original = signed(message('alice@domain.com'));
    const footered = original.replace(/\r\n$/, '\r\n-- \r\nSent through the forwarder.\r\n');
    const sealed = sealArc(footered, {
      domain: 'forwarder.org',
      selector: 'arc',
      privateKey: forwarderKey,
      authservId: 'mx.forwarder.org',
      authResults:
        'spf=pass smtp.mailfrom=alice@domain.com; dkim=pass header.d=domain.com; dmarc=pass header.from=domain.com',
      now,
    });
    assert.ok(sealed.ok, sealed.ok ? '' : sealed.error.message);
    const raw = new TextDecoder().decode(prependArcSet(new TextEncoder().encode(footered), sealed.value));
    const envelope = { ip: '5.6.7.8', helo: 'mx.forwarder.org', mailFrom: 'alice@domain.com' };
    const trusting = parsePolicy('{"trustedForwarders": ["forwarder.org"]}');
    assert.ok(trusting.ok);

    const trusted = await judge(raw, envelope, trusting.value);
    assert.equal(trusted.evaluation.arc.result, 'pass');
    assert.equal(trusted.evaluation.dkim[0]?.error?.code, 'dkim.body-hash');
    assert.equal(trusted.evaluation.spf.result, 'fail');
    assert.equal(trusted.verdict.verdict, 'trusted', ids(trusted.verdict).join(' '));
    assert.deepEqual(ids(trusted.verdict), ['forward.arc-trusted:info', 'forward.dkim-broken:info']);

    const untrusted = await judge(raw, envelope);
    assert.equal(untrusted.verdict.verdict, 'untrusted');
    assert.ok(ids(untrusted.verdict).includes('forward.dkim-broken:info'));
  });
});
