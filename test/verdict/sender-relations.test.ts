/** Sender relations (guide recommendations 1 and 2): generic PTR, foreign PTR/HELO domains, HELO not an MX. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { senderRelations, type SenderRelationsInput } from '../../src/core/verdict/index.js';

const base = (changes: Partial<SenderRelationsInput> = {}): SenderRelationsInput => ({
  ip: '1.2.3.4',
  helo: { result: 'pass', name: 'mail.domain.com' },
  iprev: { names: ['mail.domain.com'], ptrNames: ['mail.domain.com'] },
  fromDomain: 'domain.com',
  mailFromDomain: 'domain.com',
  passingDkimDomains: ['domain.com'],
  senderMxHosts: ['mail.domain.com'],
  relayDomains: [],
  ...changes,
});
const ids = (input: SenderRelationsInput) => senderRelations(input).map((f) => f.id);

test('the guide example of a correct setup has no finding', () => {
  assert.deepEqual(senderRelations(base()), []);
});

test('ptr.generic for the guide example name, with the reason; not for a chosen name', () => {
  const name = '4-3-2-1-cable-subscribers.isp.com';
  const findings = senderRelations(base({ iprev: { names: [], ptrNames: [name] } }));
  assert.deepEqual(findings[0], { id: 'ptr.generic', name, reason: { kind: 'embedded-ip', form: 'reversed' } });
  assert.deepEqual(ids(base({ iprev: { names: ['mail01.domain.com'], ptrNames: ['mail01.domain.com'] } })), []);
  // Any PTR name counts, also one after a good one.
  assert.ok(
    ids(base({ iprev: { names: ['mail.domain.com'], ptrNames: ['mail.domain.com', 'dsl-7.isp.com'] } })).includes(
      'ptr.generic',
    ),
  );
});

test('ptr.foreign-domain: judged on forward-confirmed names; MAIL FROM and passing DKIM d= count as the sender', () => {
  const foreign = base({ iprev: { names: ['mx.hoster.net'], ptrNames: ['mx.hoster.net'] } });
  assert.deepEqual(senderRelations(foreign), [
    { id: 'ptr.foreign-domain', name: 'mx.hoster.net', organization: 'hoster.net', senderDomains: ['domain.com'] },
  ]);
  assert.deepEqual(ids({ ...foreign, passingDkimDomains: ['hoster.net'] }), []);
  assert.deepEqual(ids({ ...foreign, mailFromDomain: 'bounce.hoster.net' }), []);
  assert.deepEqual(ids({ ...foreign, relayDomains: ['hoster.net'] }), []);
  // An unconfirmed PTR name in the sender's domain does not help when another name is confirmed.
  assert.deepEqual(ids(base({ iprev: { names: ['mx.hoster.net'], ptrNames: ['mail.domain.com', 'mx.hoster.net'] } })), [
    'ptr.foreign-domain',
  ]);
  // No PTR at all is ptr.missing's business.
  assert.deepEqual(ids(base({ iprev: { names: [], ptrNames: [] } })), []);
});

test('helo.foreign-domain: the guide example mail.otherdomain.com; skipped for failed HELO names', () => {
  const other = base({ helo: { result: 'pass', name: 'mail.otherdomain.com' } });
  assert.deepEqual(senderRelations(other), [
    {
      id: 'helo.foreign-domain',
      name: 'mail.otherdomain.com',
      organization: 'otherdomain.com',
      senderDomains: ['domain.com'],
    },
    { id: 'helo.not-mx', name: 'mail.otherdomain.com', mxHosts: ['mail.domain.com'] },
  ]);
  for (const name of ['localhost', '1.2.3.4', '[1.2.3.4]', 'invalid.tld', 'not.existing.domain.com', ''])
    assert.deepEqual(ids(base({ helo: { result: 'fail', name } })), [], name);
  // An address literal that matches the client passes the HELO check, but is no name to relate.
  assert.deepEqual(ids(base({ helo: { result: 'pass', name: '[1.2.3.4]' } })), []);
});

test('relayDomains accept a HELO name under the relay for any sender, and skip helo.not-mx', () => {
  const esp = base({ helo: { result: 'pass', name: 'o1.ptr.sendgrid.net' } });
  assert.deepEqual(ids(esp), ['helo.foreign-domain', 'helo.not-mx']);
  assert.deepEqual(ids({ ...esp, relayDomains: ['sendgrid.net'] }), []);
  assert.deepEqual(ids({ ...esp, relayDomains: ['notsendgrid.net'] }), ['helo.foreign-domain', 'helo.not-mx']);
});

test('helo.not-mx needs the MX hosts: unknown → no finding; trailing dots and case do not matter', () => {
  const out = base({ helo: { result: 'pass', name: 'out.domain.com' } });
  assert.deepEqual(ids(out), ['helo.not-mx']);
  assert.deepEqual(ids({ ...out, senderMxHosts: undefined }), []);
  assert.deepEqual(ids({ ...out, senderMxHosts: ['OUT.domain.com.'] }), []);
  assert.deepEqual(ids({ ...out, senderMxHosts: [] }), ['helo.not-mx']);
});

test('a forwarder of authenticated mail: HELO and PTR must name the same organization', () => {
  const forwarder = base({
    helo: { result: 'pass', name: 'mx.forwarder.org' },
    iprev: { names: ['out.forwarder.org'], ptrNames: ['out.forwarder.org'] },
    senderMxHosts: undefined,
  });
  assert.deepEqual(ids(forwarder), ['ptr.foreign-domain', 'helo.foreign-domain']);
  assert.deepEqual(ids({ ...forwarder, forwarder: true }), []);
  assert.deepEqual(
    ids({ ...forwarder, forwarder: true, iprev: { names: ['host.other.net'], ptrNames: ['host.other.net'] } }),
    ['ptr.foreign-domain', 'helo.foreign-domain'],
  );
});

test('no sender domain known → no foreign-domain finding', () => {
  const input = base({
    fromDomain: undefined,
    mailFromDomain: undefined,
    passingDkimDomains: [],
    helo: { result: 'pass', name: 'mx.x.net' },
  });
  assert.deepEqual(ids({ ...input, senderMxHosts: undefined }), []);
});

test('the organization running the sender domain MX hosts is the sender\'s mail provider (HELO "matches an MX")', () => {
  const gmail = base({
    ip: '209.85.221.41',
    helo: { result: 'pass', name: 'mail-wr1-f41.google.com' },
    iprev: { names: ['mail-wr1-f41.google.com'], ptrNames: ['mail-wr1-f41.google.com'] },
    fromDomain: 'gmail.com',
    mailFromDomain: 'gmail.com',
    passingDkimDomains: ['gmail.com'],
    senderMxHosts: ['gmail-smtp-in.l.google.com', 'alt1.gmail-smtp-in.l.google.com'],
  });
  assert.deepEqual(ids(gmail), ['helo.not-mx']);
  assert.deepEqual(ids({ ...gmail, senderMxHosts: undefined }), ['ptr.foreign-domain', 'helo.foreign-domain']);
});

test('a forwarder is not expected to be an MX host of the sender', () => {
  const forwarder = base({
    helo: { result: 'pass', name: 'mx.forwarder.org' },
    iprev: { names: ['mx.forwarder.org'], ptrNames: ['mx.forwarder.org'] },
    forwarder: true,
  });
  assert.deepEqual(ids(forwarder), []);
  assert.deepEqual(ids({ ...forwarder, forwarder: false }), [
    'ptr.foreign-domain',
    'helo.foreign-domain',
    'helo.not-mx',
  ]);
});
