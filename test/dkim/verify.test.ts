/**
 * Verification end to end (RFC 6376 §6): messages signed here, keys served by the test DNS server over
 * loopback through the real resolver, one test per outcome and error code.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createResolver } from '../../src/core/dns/index.js';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createDkimVerifier, verifyDkim } from '../../src/core/dkim/verify.js';
import { prependHeader, signDkim, type DkimSignOptions } from '../../src/core/dkim/sign.js';
import { DkimKeyCache } from '../../src/core/dkim/key.js';
import { parseMessage } from '../../src/core/message/message.js';
import { MessageSplitter } from '../../src/core/message/splitter.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer, type ZoneShorthand } from '../support/dns-server.js';

const now = new Date('2026-01-02T03:04:05Z');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 1024 });
const rsaShort = generateKeyPairSync('rsa', { modulusLength: 512 });
const ed = generateKeyPairSync('ed25519');

const p = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).toString('base64');
const pEd = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
const split = (value: string) =>
  Array.from({ length: Math.ceil(value.length / 255) }, (_, i) => value.slice(i * 255, i * 255 + 255));

const zone: ZoneShorthand = {
  'rsa._domainkey.example.com': { TXT: [split(`v=DKIM1; k=rsa; p=${p(rsa.publicKey)}`)] },
  'ed._domainkey.example.com': { TXT: [`v=DKIM1; k=ed25519; p=${pEd(ed.publicKey)}`] },
  'revoked._domainkey.example.com': { TXT: ['v=DKIM1; k=rsa; p='] },
  'edtype._domainkey.example.com': { TXT: [`v=DKIM1; k=ed25519; p=${pEd(ed.publicKey)}`] },
  'sha1only._domainkey.example.com': { TXT: [split(`v=DKIM1; h=sha1; p=${p(rsa.publicKey)}`)] },
  'web._domainkey.example.com': { TXT: [split(`v=DKIM1; s=web; p=${p(rsa.publicKey)}`)] },
  'strict._domainkey.example.com': { TXT: [split(`v=DKIM1; t=s; p=${p(rsa.publicKey)}`)] },
  'testing._domainkey.example.com': { TXT: [split(`v=DKIM1; t=y; p=${p(rsa.publicKey)}`)] },
  'short._domainkey.example.com': { TXT: [`v=DKIM1; p=${p(rsaShort.publicKey)}`] },
  'badp._domainkey.example.com': { TXT: ['v=DKIM1; p=not*base64'] },
  'edunderrsa._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${p(ed.publicKey)}`] },
  'garbage._domainkey.example.com': { TXT: ['v=DKIM1; p=Z2FyYmFnZSBrZXkgYnl0ZXM='] },
  'other._domainkey.example.com': { TXT: [split(`v=DKIM1; p=${p(rsaOther.publicKey)}`)] },
  'several._domainkey.example.com': {
    TXT: ['not a key record', 'v=spf1 -all', split(`v=DKIM1; p=${p(rsa.publicKey)}`)],
  },
  'nodata._domainkey.example.com': { A: ['192.0.2.1'] },
  // 60 TXT records at one name, the usable one last (past the 10 looked at).
  'crowded._domainkey.example.com': {
    TXT: [
      ...Array.from({ length: 59 }, (_, i) => `junk record ${i} ${'z'.repeat(200)}`),
      split(`v=DKIM1; p=${p(rsa.publicKey)}`),
    ],
  },
  // 200 strings of 255 characters in one record: the answer needs TCP, the record is over the size cap.
  'huge._domainkey.example.com': { TXT: [Array.from({ length: 200 }, () => 'A'.repeat(255))] },
};

const message = [
  'From: Joe <joe@example.com>',
  'To: Suzie <suzie@example.net>',
  'Subject: dinner',
  'Date: Fri, 11 Jul 2003 21:00:37 -0700',
  'Message-ID: <1@example.com>',
  '',
  'Hi.',
  '',
  'We lost the game.  Are you hungry yet?',
  '',
  '',
].join('\r\n');

function sign(msg: string, options: Partial<DkimSignOptions> & { selector: string }): string {
  const privateKey = options.privateKey ?? (options.selector === 'ed' ? ed.privateKey : rsa.privateKey);
  const r = signDkim(msg, { domain: 'example.com', now, ...options, privateKey });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  return Buffer.from(prependHeader(Buffer.from(msg, 'latin1'), r.field)).toString('latin1');
}

describe('verifyDkim (real DNS over loopback)', () => {
  let server: TestDnsServer;
  let ctx: CheckContext;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords(zone),
      rules: [
        { name: 'slow._domainkey.example.com', action: 'timeout' },
        { name: 'broken._domainkey.example.com', action: 'servfail' },
      ],
    });
    const resolver = createResolver({ servers: [server.address], timeoutMs: 1_000, retries: 0, cache: true });
    ctx = { resolver, now: () => now, limits: { ...defaultLimits } };
  });
  after(async () => server.close());

  async function one(msg: string): Promise<{ result: string; code: string | undefined; testing?: boolean }> {
    const results = await verifyDkim(ctx, msg);
    assert.equal(results.length, 1, JSON.stringify(results));
    const r = results[0]!;
    return { result: r.result, code: r.error?.code, ...(r.testing ? { testing: true } : {}) };
  }

  test('rsa-sha256 and ed25519-sha256 pass; fields of the result', async () => {
    const results = await verifyDkim(ctx, sign(sign(message, { selector: 'rsa' }), { selector: 'ed' }));
    assert.deepEqual(
      results.map((r) => [r.result, r.domain, r.selector, r.algorithm]),
      [
        ['pass', 'example.com', 'ed', 'ed25519-sha256'],
        ['pass', 'example.com', 'rsa', 'rsa-sha256'],
      ],
    );
    assert.equal(results[0]!.error, undefined);
    assert.equal(results[1]!.identity, '@example.com');
    assert.equal(results[1]!.headerB?.length, 8);
  });

  test('no signature: empty array', async () => {
    assert.deepEqual(await verifyDkim(ctx, message), []);
  });

  test('bare LF message verifies the same', async () => {
    assert.deepEqual(await one(sign(message, { selector: 'rsa' }).replace(/\r\n/g, '\n')), {
      result: 'pass',
      code: undefined,
    });
  });

  test('every canonicalization pair passes, and a whitespace change breaks only simple', async () => {
    for (const c of ['simple/simple', 'simple/relaxed', 'relaxed/simple', 'relaxed/relaxed'] as const) {
      const signed = sign(message, { selector: 'rsa', canonicalization: c });
      assert.deepEqual(await one(signed), { result: 'pass', code: undefined }, c);
      const spaced = signed.replace('Subject: dinner', 'Subject:  dinner ').replace('the game.', 'the game. \t');
      const r = await one(spaced);
      const expected = c === 'relaxed/relaxed' ? 'pass' : 'fail';
      assert.equal(r.result, expected, `${c} after whitespace change`);
    }
  });

  test('body changed: fail dkim.body-hash', async () => {
    assert.deepEqual(await one(sign(message, { selector: 'rsa' }) + 'P.S. footer\r\n'), {
      result: 'fail',
      code: 'dkim.body-hash',
    });
  });

  test('signed header changed: fail dkim.signature; over-signed From blocks a second From', async () => {
    const signed = sign(message, { selector: 'ed' });
    assert.deepEqual(await one(signed.replace('Subject: dinner', 'Subject: lunch')), {
      result: 'fail',
      code: 'dkim.signature',
    });
    const added = signed.replace('To: Suzie', 'From: Mallory <m@example.org>\r\nTo: Suzie');
    assert.deepEqual(await one(added), { result: 'fail', code: 'dkim.signature' });
    // An unsigned field may be added.
    assert.deepEqual(await one(signed.replace('To: Suzie', 'X-Mailer: test\r\nTo: Suzie')), {
      result: 'pass',
      code: undefined,
    });
  });

  test('key lookups: missing, no TXT, timeout, SERVFAIL', async () => {
    const base = sign(message, { selector: 'rsa' });
    const as = (selector: string) => base.replace('s=rsa;', `s=${selector};`);
    assert.deepEqual(await one(as('absent')), { result: 'permerror', code: 'dkim.key-missing' });
    assert.deepEqual(await one(as('nodata')), { result: 'permerror', code: 'dkim.key-missing' });
    assert.deepEqual(await one(as('slow')), { result: 'temperror', code: 'dns.timeout' });
    assert.deepEqual(await one(as('broken')), { result: 'temperror', code: 'dns.servfail' });
  });

  test('key records: revoked, wrong type, h= and s= restrictions, t=s, t=y, bad p=', async () => {
    assert.deepEqual(await one(sign(message, { selector: 'revoked' })), {
      result: 'permerror',
      code: 'dkim.key-revoked',
    });
    assert.deepEqual(await one(sign(message, { selector: 'edtype' })), { result: 'permerror', code: 'dkim.key-type' });
    assert.deepEqual(await one(sign(message, { selector: 'sha1only' })), {
      result: 'permerror',
      code: 'dkim.key-type',
    });
    assert.deepEqual(await one(sign(message, { selector: 'web' })), { result: 'permerror', code: 'dkim.key-type' });
    assert.deepEqual(await one(sign(message, { selector: 'strict', identity: 'joe@sub.example.com' })), {
      result: 'permerror',
      code: 'dkim.key-type',
    });
    assert.deepEqual(await one(sign(message, { selector: 'strict', identity: 'joe@example.com' })), {
      result: 'pass',
      code: undefined,
    });
    assert.deepEqual(await one(sign(message, { selector: 'testing' })), {
      result: 'pass',
      code: undefined,
      testing: true,
    });
    assert.deepEqual(await one(sign(message, { selector: 'badp' })), { result: 'permerror', code: 'dkim.key-syntax' });
    assert.deepEqual(await one(sign(message, { selector: 'edunderrsa' })), {
      result: 'permerror',
      code: 'dkim.key-syntax',
    });
    assert.deepEqual(await one(sign(message, { selector: 'garbage' })), {
      result: 'permerror',
      code: 'dkim.key-syntax',
    });
    assert.deepEqual(await one(sign(message, { selector: 'several' })), { result: 'pass', code: undefined });
    // A key that does not match the signature.
    assert.deepEqual(await one(sign(message, { selector: 'other' })), { result: 'fail', code: 'dkim.signature' });
  });

  test('RFC 8301: rsa-sha1 and RSA keys under 1024 bits are policy results', async () => {
    const signed = sign(message, { selector: 'rsa' });
    assert.deepEqual(await one(signed.replace('a=rsa-sha256', 'a=rsa-sha1')), {
      result: 'policy',
      code: 'dkim.rsa-sha1',
    });
    // The key's size is checked before the signature (which here was made with another key).
    assert.deepEqual(await one(signed.replace('s=rsa;', 's=short;')), { result: 'policy', code: 'dkim.key-too-short' });
  });

  test('x= in the past: neutral dkim.expired; in the future: pass', async () => {
    const signed = sign(message, { selector: 'rsa', expiresInSeconds: 3600 });
    assert.deepEqual(await one(signed), { result: 'pass', code: undefined });
    const later = { ...ctx, now: () => new Date(now.getTime() + 7200_000) };
    const results = await verifyDkim(later, signed);
    assert.equal(results[0]?.result, 'neutral');
    assert.equal(results[0]?.error?.code, 'dkim.expired');
  });

  test('l=: appended text still passes; a body cut below l= fails', async () => {
    const signed = sign(message, { selector: 'rsa', bodyLength: true });
    assert.match(signed, /l=\d+;/);
    assert.deepEqual(await one(signed + 'appended\r\n'), { result: 'pass', code: undefined });
    assert.deepEqual(await one(signed.replace('Are you hungry yet?\r\n', '')), {
      result: 'fail',
      code: 'dkim.body-hash',
    });
  });

  test('From not signed, syntax errors: permerror with the d= and s= read from the field', async () => {
    const signed = sign(message, { selector: 'rsa' });
    const noFrom = signed.replace(/h=[^;]*;/, 'h=to:subject;');
    const r1 = await verifyDkim(ctx, noFrom);
    assert.equal(r1[0]?.result, 'permerror');
    assert.equal(r1[0]?.error?.code, 'dkim.from-not-signed');
    const r2 = await verifyDkim(ctx, signed.replace('v=1;', 'v=1; v=1;'));
    assert.deepEqual(
      [r2[0]?.result, r2[0]?.error?.code, r2[0]?.domain, r2[0]?.selector],
      ['permerror', 'dkim.syntax', 'example.com', 'rsa'],
    );
    const r3 = await verifyDkim(ctx, signed.replace(/b=([A-Za-z0-9+/])/, 'b=*$1'));
    assert.equal(r3[0]?.error?.code, 'dkim.syntax');
  });

  test('several signatures each get their own result, in header order', async () => {
    const good = sign(message, { selector: 'rsa' });
    const twice = sign(good, { selector: 'absent', privateKey: rsa.privateKey });
    const results = await verifyDkim(ctx, twice);
    assert.deepEqual(
      results.map((r) => `${r.selector}:${r.result}`),
      ['absent:permerror', 'rsa:pass'],
    );
  });

  test('a signature over-signing DKIM-Signature never selects itself (§3.7)', async () => {
    const first = sign(message, { selector: 'ed' });
    const second = sign(first, { selector: 'rsa', headers: ['from', 'dkim-signature', 'dkim-signature'] });
    const results = await verifyDkim(ctx, second);
    assert.deepEqual(
      results.map((r) => `${r.selector}:${r.result}`),
      ['rsa:pass', 'ed:pass'],
    );
    // Adding a DKIM-Signature field breaks the over-signing one.
    const added = second.replace(
      'From: Joe',
      'DKIM-Signature: v=1; a=rsa-sha256; d=x.example; s=x; h=from; bh=YQ==; b=YQ==\r\nFrom: Joe',
    );
    const after = await verifyDkim(ctx, added);
    assert.equal(after[0]?.result, 'fail');
  });

  test('streaming: the body fed in chunks gives the same results', async () => {
    const signed = sign(sign(message, { selector: 'rsa', canonicalization: 'simple/simple' }), { selector: 'ed' });
    const parsed = parseMessage(signed);
    assert.ok(parsed.ok);
    const verifier = createDkimVerifier(ctx, parsed.value);
    for (const byte of parsed.value.body) verifier.update(new Uint8Array([byte]));
    const results = await verifier.finish();
    assert.deepEqual(
      results.map((r) => r.result),
      ['pass', 'pass'],
    );
  });

  test('streaming through MessageSplitter in random chunks, as an SMTP server receives DATA', async () => {
    const signed = Buffer.from(sign(sign(message, { selector: 'rsa' }), { selector: 'ed' }), 'latin1');
    for (let round = 0; round < 20; round++) {
      let verifier: ReturnType<typeof createDkimVerifier> | undefined;
      const splitter = new MessageSplitter({
        header: (h) => {
          assert.ok(h.ok);
          verifier = createDkimVerifier(ctx, h.value);
        },
        body: (chunk) => verifier!.update(chunk),
      });
      for (let pos = 0; pos < signed.length;) {
        const size = 1 + ((round * 7919 + pos * 31) % 97);
        splitter.push(signed.subarray(pos, pos + size));
        pos += size;
      }
      splitter.end();
      assert.ok(verifier);
      assert.deepEqual(
        (await verifier.finish()).map((r) => r.result),
        ['pass', 'pass'],
      );
    }
  });

  test('keys are parsed once per record text', async () => {
    const cache = new DkimKeyCache();
    const signed = sign(message, { selector: 'rsa' });
    for (let i = 0; i < 5; i++) assert.equal((await verifyDkim(ctx, signed, { keyCache: cache }))[0]?.result, 'pass');
    assert.equal(cache.size, 1);
  });
});

describe('hostile input (bounded time and memory, a clear result)', () => {
  let server: TestDnsServer;
  let ctx: CheckContext;
  before(async () => {
    server = await startTestDnsServer({ records: zoneRecords(zone) });
    const resolver = createResolver({ servers: [server.address], timeoutMs: 1_000, retries: 0, cache: true });
    ctx = { resolver, now: () => now, limits: { ...defaultLimits } };
  });
  after(async () => server.close());

  test('5000 signatures: only the limit is verified, the rest reported once', async () => {
    const signed = sign(message, { selector: 'rsa' });
    const field = signed.slice(0, signed.indexOf('From: Joe'));
    const flood = field.replace('s=rsa;', 's=absent;').repeat(5000) + signed;
    const queriesBefore = server.queries.length;
    const results = await verifyDkim(ctx, flood);
    assert.equal(results.length, defaultLimits.dkimSignatures + 1);
    const last = results[results.length - 1]!;
    assert.equal(last.result, 'policy');
    assert.equal(last.error?.code, 'dkim.too-many-signatures');
    assert.match(last.error?.message ?? '', /4991 more/);
    assert.ok(server.queries.length - queriesBefore <= 1, 'identical key names are looked up once');
  });

  test('a 1 MB header field is signed over and verifies; a 1 MB DKIM-Signature is a syntax error', async () => {
    const big = message.replace('Subject: dinner', `Subject: ${'x'.repeat(500_000)}\r\n ${'y '.repeat(250_000)}`);
    const signed = sign(big, { selector: 'rsa', headers: ['from', 'subject'] });
    assert.deepEqual(await one(ctx, signed), { result: 'pass', code: undefined });
    const hugeSig = `DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=YQ==; z=${'a'.repeat(1 << 20)}; b=YQ==\r\n`;
    assert.deepEqual(await one(ctx, hugeSig + message), { result: 'permerror', code: 'dkim.syntax' });
  });

  test('a DNS answer with 200 strings (over TCP) is a key syntax error, not a crash', async () => {
    const signed = sign(message, { selector: 'rsa' }).replace('s=rsa;', 's=huge;');
    assert.deepEqual(await one(ctx, signed), { result: 'permerror', code: 'dkim.key-syntax' });
  });

  test('60 TXT records at the key name: bounded, a key syntax error', async () => {
    const signed = sign(message, { selector: 'rsa' }).replace('s=rsa;', 's=crowded;');
    assert.deepEqual(await one(ctx, signed), { result: 'permerror', code: 'dkim.key-syntax' });
  });

  test('an unparsable header gives one permerror; garbage bytes never throw', async () => {
    const r = await verifyDkim(ctx, 'this is not a header\r\n\r\nbody');
    assert.equal(r.length, 1);
    assert.equal(r[0]?.result, 'permerror');
    const random = new Uint8Array(100_000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919) % 256;
    const junk = Buffer.concat([
      Buffer.from('DKIM-Signature: '),
      random.subarray(0, 5000).filter((b) => b !== 10 && b !== 13),
      Buffer.from('\r\nFrom: a\r\n\r\n'),
      random,
    ]);
    const results = await verifyDkim(ctx, junk);
    assert.equal(results.length, 1);
    assert.equal(results[0]?.result, 'permerror');
  });
});

async function one(ctx: CheckContext, msg: string): Promise<{ result: string; code: string | undefined }> {
  const results = await verifyDkim(ctx, msg);
  assert.equal(results.length, 1, JSON.stringify(results).slice(0, 500));
  return { result: results[0]!.result, code: results[0]!.error?.code };
}
