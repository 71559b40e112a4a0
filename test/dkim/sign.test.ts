/** Signing (RFC 6376 §5), key generation and key-answer interpretation; no DNS needed here. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { prependHeader, signDkim } from '../../src/core/dkim/sign.js';
import { generateDkimKey, splitTxt } from '../../src/core/dkim/keygen.js';
import { keyFromAnswer, keyMismatch } from '../../src/core/dkim/key-lookup.js';
import { DkimKeyCache, parseDkimKey } from '../../src/core/dkim/key.js';
import { parseDkimSignature } from '../../src/core/dkim/signature.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ed = generateKeyPairSync('ed25519');
const now = new Date('2026-05-01T00:00:00Z');
const message =
  'From: a@example.com\r\nFrom: b@example.com\r\nTo: c@example.net\r\nSubject: s\r\nX-Other: 1\r\n\r\nbody\r\n';

function tagsOf(field: string) {
  const value = field.slice(field.indexOf(':') + 1);
  const parsed = parseDkimSignature(value);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.error));
  return parsed.value;
}

describe('signDkim', () => {
  test('defaults: relaxed/relaxed, t=, no x= or l=, present headers signed bottom-up, From over-signed', () => {
    const r = signDkim(message, { domain: 'Example.COM', selector: 's1', privateKey: rsa.privateKey, now });
    assert.ok(r.ok);
    const sig = tagsOf(r.field);
    assert.equal(sig.algorithm, 'rsa-sha256');
    assert.equal(sig.domain, 'example.com');
    assert.equal(`${sig.headerCanonicalization}/${sig.bodyCanonicalization}`, 'relaxed/relaxed');
    assert.equal(sig.timestamp, now.getTime() / 1000);
    assert.equal(sig.expiration, undefined);
    assert.equal(sig.bodyLength, undefined);
    assert.deepEqual(sig.signedHeaders, ['from', 'from', 'from', 'subject', 'to']);
    assert.ok(r.field.endsWith('\r\n'));
    for (const line of r.field.split('\r\n')) assert.ok(line.length <= 78, `line too long: ${line}`);
  });

  test('options: algorithm from the key, x=, l=, i=, explicit headers, PEM keys', () => {
    const pem = ed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const r = signDkim(message, {
      domain: 'example.com',
      selector: 'ed',
      privateKey: pem,
      now,
      expiresInSeconds: 86400,
      bodyLength: true,
      identity: 'joe@mail.example.com',
      headers: ['From', 'Subject', 'X-Missing'],
      canonicalization: 'simple/relaxed',
    });
    assert.ok(r.ok);
    const sig = tagsOf(r.field);
    assert.equal(sig.algorithm, 'ed25519-sha256');
    assert.equal(sig.expiration, now.getTime() / 1000 + 86400);
    assert.equal(sig.bodyLength, 6);
    assert.equal(sig.identity, 'joe@mail.example.com');
    assert.deepEqual(sig.signedHeaders, ['from', 'subject', 'x-missing']);
    assert.equal(sig.headerCanonicalization, 'simple');
  });

  test('errors come back as results', () => {
    const base = { domain: 'example.com', selector: 's', now };
    const code = (r: ReturnType<typeof signDkim>) => (r.ok ? 'ok' : r.error.code);
    assert.equal(code(signDkim(message, { ...base, privateKey: 'not a pem' })), 'dkim.key-syntax');
    assert.equal(code(signDkim(message, { ...base, privateKey: rsa.publicKey })), 'dkim.key-syntax');
    assert.equal(
      code(signDkim(message, { ...base, privateKey: ed.privateKey, algorithm: 'rsa-sha256' })),
      'dkim.key-type',
    );
    const short = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey;
    assert.equal(code(signDkim(message, { ...base, privateKey: short })), 'dkim.key-too-short');
    assert.equal(
      code(signDkim('To: x@example.com\r\n\r\nbody', { ...base, privateKey: rsa.privateKey })),
      'dkim.from-not-signed',
    );
    assert.equal(
      code(signDkim(message, { ...base, privateKey: rsa.privateKey, headers: ['to'] })),
      'dkim.from-not-signed',
    );
    assert.equal(
      code(signDkim(message, { ...base, privateKey: rsa.privateKey, identity: 'a@other.org' })),
      'dkim.syntax',
    );
    assert.equal(code(signDkim(message, { ...base, domain: 'bad domain', privateKey: rsa.privateKey })), 'dkim.syntax');
    assert.equal(code(signDkim(message, { ...base, privateKey: rsa.privateKey, expiresInSeconds: -5 })), 'dkim.syntax');
    assert.equal(code(signDkim('not a message', { ...base, privateKey: rsa.privateKey })), 'message.header-syntax');
  });

  test('prependHeader keeps the message line ends', () => {
    const field = 'DKIM-Signature: a=1;\r\n\tb=2\r\n';
    assert.equal(
      Buffer.from(prependHeader(Buffer.from('From: a\n\nx\n'), field)).toString(),
      'DKIM-Signature: a=1;\n\tb=2\nFrom: a\n\nx\n',
    );
    assert.equal(
      Buffer.from(prependHeader(Buffer.from('From: a\r\n\r\nx\r\n'), field)).toString(),
      `${field}From: a\r\n\r\nx\r\n`,
    );
  });
});

describe('generateDkimKey', () => {
  test('RSA 2048 by default: record, strings of at most 255, zone line, PKCS#8 PEM', async () => {
    const r = await generateDkimKey({ domain: 'Example.com', selector: 'S1' });
    assert.ok(r.ok);
    const k = r.value;
    assert.equal(k.name, 's1._domainkey.example.com');
    assert.equal(k.bits, 2048);
    assert.match(k.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.ok(k.txtStrings.length >= 2 && k.txtStrings.every((s) => s.length <= 255));
    assert.equal(k.txtStrings.join(''), k.record);
    assert.match(k.zoneLine, /^s1\._domainkey\.example\.com\. IN TXT \( "v=DKIM1; k=rsa; p=[^"]+" "[^"]+" \)$/);
    const key = parseDkimKey(k.record);
    assert.ok(key.ok);
    const cached = new DkimKeyCache().get(k.record);
    assert.ok(cached.imported?.ok && cached.imported.bits === 2048);
  });

  test('Ed25519 publishes the raw 32-byte key; bad sizes and names are refused', async () => {
    const r = await generateDkimKey({ domain: 'example.com', selector: 'ed', type: 'ed25519' });
    assert.ok(r.ok);
    const key = parseDkimKey(r.value.record);
    assert.ok(key.ok);
    assert.equal(key.value.type, 'ed25519');
    assert.equal(key.value.publicKey.length, 32);
    assert.ok(!(await generateDkimKey({ domain: 'example.com', selector: 's', bits: 512 })).ok);
    assert.ok(!(await generateDkimKey({ domain: 'example.com', selector: 's', bits: 16384 })).ok);
    assert.ok(!(await generateDkimKey({ domain: 'not a domain', selector: 's' })).ok);
    assert.deepEqual(
      splitTxt('a'.repeat(600)).map((s) => s.length),
      [255, 255, 90],
    );
  });
});

describe('keyFromAnswer (RFC 6376 §6.1.2)', () => {
  const name = 's._domainkey.example.com';
  const rsaP = rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const cases: [Parameters<typeof keyFromAnswer>[0], string, string][] = [
    [{ ok: false, kind: 'nxdomain' }, 'permerror', 'dkim.key-missing'],
    [{ ok: false, kind: 'nodata' }, 'permerror', 'dkim.key-missing'],
    [{ ok: false, kind: 'timeout' }, 'temperror', 'dns.timeout'],
    [{ ok: false, kind: 'servfail' }, 'temperror', 'dns.servfail'],
    [{ ok: false, kind: 'refused' }, 'temperror', 'dns.refused'],
    [{ ok: true, records: [], ttl: 1 }, 'permerror', 'dkim.key-missing'],
    [{ ok: true, records: ['k=dsa; p=YQ=='], ttl: 1 }, 'permerror', 'dkim.key-type'],
    [{ ok: true, records: ['garbage'], ttl: 1 }, 'permerror', 'dkim.key-syntax'],
    [{ ok: true, records: ['v=DKIM1; t=y; p='], ttl: 1 }, 'permerror', 'dkim.key-revoked'],
  ];
  for (const [answer, result, code] of cases) {
    test(`${JSON.stringify(answer).slice(0, 60)} → ${result} ${code}`, () => {
      const r = keyFromAnswer(answer, name, new DkimKeyCache());
      assert.ok(!r.ok);
      assert.equal(r.result, result);
      assert.equal(r.code, code);
    });
  }
  test('the revoked t=y key keeps its testing flag; a good record after bad ones is used', () => {
    const revoked = keyFromAnswer({ ok: true, records: ['v=DKIM1; t=y; p='], ttl: 1 }, name, new DkimKeyCache());
    assert.ok(!revoked.ok && revoked.testing === true);
    const good = keyFromAnswer({ ok: true, records: ['bad', `p=${rsaP}`], ttl: 1 }, name, new DkimKeyCache());
    assert.ok(good.ok);
    assert.equal(good.bits, 1024);
  });
  test('keyMismatch', () => {
    const key = parseDkimKey(`k=rsa; h=sha256; s=email; t=s; p=${rsaP}`);
    assert.ok(key.ok);
    const sig = { algorithm: 'rsa-sha256' as const, domain: 'example.com', identityDomain: 'example.com' };
    assert.equal(keyMismatch(key.value, name, sig), undefined);
    assert.match(keyMismatch(key.value, name, { ...sig, algorithm: 'ed25519-sha256' }) ?? '', /needs an ed25519 key/);
    assert.match(keyMismatch(key.value, name, { ...sig, identityDomain: 'sub.example.com' }) ?? '', /t=s/);
  });
});
