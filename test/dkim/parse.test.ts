/** Pure parsers: tag-lists (RFC 6376 §3.2), DKIM-Signature (§3.5), key records (§3.6.1). No DNS. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTagList } from '../../src/core/dkim/tag-list.js';
import { decodeBase64, parseDkimSignature, readSignatureIds } from '../../src/core/dkim/signature.js';
import { DkimKeyCache, importPublicKey, parseDkimKey } from '../../src/core/dkim/key.js';
import { generateKeyPairSync } from 'node:crypto';
import { seededRandom } from '../support/random.js';

describe('parseTagList', () => {
  test('FWS around names, values and the separator; trailing ";"; offsets of raw values', () => {
    const text = ' v = 1 ;\r\n\ta=rsa-sha256;b= ab\r\n cd ;';
    const r = parseTagList(text);
    assert.ok(r.ok);
    assert.equal(r.value.get('v')?.value, '1');
    assert.equal(r.value.get('b')?.value, 'ab\r\n cd');
    const b = r.value.get('b')!;
    assert.equal(text.slice(b.valueStart, b.valueEnd), ' ab\r\n cd ');
  });
  test('duplicate tag, bad name, a spec without "=" are errors; empty values are fine', () => {
    assert.ok(!parseTagList('a=1; a=2').ok);
    assert.ok(!parseTagList('1a=1').ok);
    assert.ok(!parseTagList('a b=1').ok);
    assert.ok(parseTagList('x-foo=1').ok, 'tolerated like dkimpy');
    assert.ok(!parseTagList('a=1; junk; b=2').ok);
    const r = parseTagList('a=; b=2;;');
    assert.ok(!r.ok, 'an empty spec between two ";" is not a tag-spec');
    const empty = parseTagList('a=; b=2');
    assert.ok(empty.ok);
    assert.equal(empty.value.get('a')?.value, '');
  });
  test('limits: length and tag count', () => {
    assert.ok(!parseTagList('a=' + 'x'.repeat(70_000)).ok);
    assert.ok(!parseTagList(Array.from({ length: 100 }, (_, i) => `t${i}=1`).join(';')).ok);
  });
  test('gives what a plain reading of §3.2 gives (slices and patterns), for 20,000 random tag-lists', () => {
    const random = seededRandom(3_2);
    const pieces = [
      'a',
      'bh',
      'x-foo',
      '1a',
      'b',
      '=',
      ';',
      ' ',
      '\t',
      '\r\n ',
      'v',
      'AbC',
      '+/=',
      '\u0001',
      '\u007f',
      'é',
      ':',
      'a b',
      '==',
      ';;',
      'd=example.com',
      'h=from:to',
      '\u00a0',
      '\u001f',
      '\u0000',
      '\u000b',
      '@',
      '[',
      '`',
      '{',
      '~',
      'Z',
      'z',
      '\u0141',
      '@=1',
      '`=x',
      '[=',
      '{=',
      ';Z=',
      ';z=',
    ];
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const parts = 1 + Math.floor(random() * 12);
      for (let k = 0; k < parts; k++) text += pieces[Math.floor(random() * pieces.length)]!;
      const got = parseTagList(text, { maxTags: 4, maxLength: 200 });
      const want = referenceTagList(text, { maxTags: 4, maxLength: 200 });
      assert.deepEqual(got, want, JSON.stringify(text));
    }
  });
});

/** parseTagList as first written: each spec sliced, names by pattern (the reference for the scanner). */
function referenceTagList(
  text: string,
  limits: { maxTags: number; maxLength: number },
): ReturnType<typeof parseTagList> {
  const fws = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  const trim = (v: string) => {
    let start = 0;
    let end = v.length;
    while (start < end && fws(v[start]!)) start++;
    while (end > start && fws(v[end - 1]!)) end--;
    return v.slice(start, end);
  };
  const clip = (v: string) => (v.length > 40 ? `${v.slice(0, 40)}…` : v);
  const fail = (message: string, offset: number) =>
    ({ ok: false, error: { code: 'dkim.syntax', message, offset } }) as const;
  if (text.length > limits.maxLength)
    return fail(`tag-list is ${text.length} characters, over the limit of ${limits.maxLength}`, 0);
  const tags = new Map<string, { value: string; valueStart: number; valueEnd: number }>();
  let pos = 0;
  while (pos < text.length) {
    let semi = text.indexOf(';', pos);
    if (semi < 0) semi = text.length;
    const spec = text.slice(pos, semi);
    const eq = spec.indexOf('=');
    if (eq < 0) {
      if (trim(spec) !== '' || semi < text.length) return fail(`"${clip(trim(spec))}" is not a tag=value pair`, pos);
    } else {
      const name = trim(spec.slice(0, eq));
      if (!/^[A-Za-z][\x21-\x3a\x3c\x3e-\x7e]*$/.test(name))
        return fail(`"${clip(name)}" is not a valid tag name`, pos);
      if (tags.has(name)) return fail(`tag ${name}= appears twice`, pos);
      const raw = spec.slice(eq + 1);
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(raw)) return fail(`tag ${name}= holds a control character`, pos);
      if (tags.size >= limits.maxTags) return fail(`more than ${limits.maxTags} tags`, pos);
      tags.set(name, { value: trim(raw), valueStart: pos + eq + 1, valueEnd: semi });
    }
    pos = semi + 1;
  }
  return { ok: true, value: tags };
}

const valid =
  'v=1; a=rsa-sha256; c=relaxed/simple; d=Example.COM; s=sel; t=100; x=200; l=10; i=joe@sub.example.com;' +
  ' q=dns/txt; h=From : To:subject; z=From:foo; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;' +
  ' b=dGVzdA==';

describe('parseDkimSignature', () => {
  test('all tags of §3.5', () => {
    const r = parseDkimSignature(valid);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    const s = r.value;
    assert.equal(s.algorithm, 'rsa-sha256');
    assert.equal(s.headerCanonicalization, 'relaxed');
    assert.equal(s.bodyCanonicalization, 'simple');
    assert.equal(s.domain, 'example.com');
    assert.equal(s.selector, 'sel');
    assert.deepEqual(s.signedHeaders, ['from', 'to', 'subject']);
    assert.equal(s.identity, 'joe@sub.example.com');
    assert.equal(s.identityDomain, 'sub.example.com');
    assert.equal(s.bodyLength, 10);
    assert.equal(s.timestamp, 100);
    assert.equal(s.expiration, 200);
    assert.equal(s.copiedHeaders, 'From:foo');
    assert.equal(Buffer.from(s.signature).toString(), 'test');
    assert.equal(s.bodyHash.length, 32);
  });
  test('defaults: c=simple/simple, i=@d; c=relaxed alone is relaxed/simple', () => {
    const r = parseDkimSignature('v=1; a=ed25519-sha256; d=example.com; s=s; h=from; bh=YQ==; b=YQ==');
    assert.ok(r.ok);
    assert.equal(r.value.headerCanonicalization, 'simple');
    assert.equal(r.value.bodyCanonicalization, 'simple');
    assert.equal(r.value.identity, '@example.com');
    const c = parseDkimSignature('v=1; a=rsa-sha256; c=relaxed; d=example.com; s=s; h=from; bh=YQ==; b=YQ==');
    assert.ok(c.ok);
    assert.equal(c.value.headerCanonicalization, 'relaxed');
    assert.equal(c.value.bodyCanonicalization, 'simple');
  });
  const broken: [string, string, string][] = [
    [valid.replace('v=1', 'v=2'), 'dkim.syntax', 'version'],
    [valid.replace('a=rsa-sha256', 'a=rsa-md5'), 'dkim.syntax', 'algorithm'],
    [valid.replace('c=relaxed/simple', 'c=fancy/simple'), 'dkim.syntax', 'canonicalization'],
    [valid.replace('i=joe@sub.example.com', 'i=joe@example.org'), 'dkim.syntax', 'i= outside d='],
    [valid.replace('i=joe@sub.example.com', 'i=joe@badexample.com'), 'dkim.syntax', 'i= suffix but not subdomain'],
    [valid.replace('h=From : To:subject', 'h=To:subject'), 'dkim.from-not-signed', 'From not signed'],
    [valid.replace('x=200', 'x=50'), 'dkim.syntax', 'x= before t='],
    [valid.replace('b=dGVzdA==', 'b=dGV*zdA=='), 'dkim.syntax', 'invalid base64 b='],
    [valid.replace('bh=47DEQ', 'bh=!47DEQ'), 'dkim.syntax', 'invalid base64 bh='],
    [valid.replace('q=dns/txt', 'q=http/well-known'), 'dkim.syntax', 'no dns/txt'],
    [valid.replace('l=10', 'l=ten'), 'dkim.syntax', 'l= not a number'],
    [valid.replace('t=100', 't=1234567890123'), 'dkim.syntax', 't= too long'],
    [valid.replace('s=sel', 's=bad selector'), 'dkim.syntax', 'selector'],
    [valid.replace('d=Example.COM', 'd=exa mple'), 'dkim.syntax', 'domain'],
    [valid.replace(' s=sel;', ''), 'dkim.syntax', 'missing s='],
    [valid + '; d=other.com', 'dkim.syntax', 'duplicate d='],
  ];
  for (const [value, code, name] of broken) {
    test(`rejects: ${name}`, () => {
      const r = parseDkimSignature(value);
      assert.ok(!r.ok, name);
      assert.equal(r.error.code, code);
    });
  }
  test('readSignatureIds reads d, s, a from a field that does not parse', () => {
    assert.deepEqual(readSignatureIds('v=9; a=RSA-SHA256 ; d= Example.com; s=x; junk'), {
      domain: 'example.com',
      selector: 'x',
      algorithm: 'rsa-sha256',
    });
  });
});

describe('parseDkimKey', () => {
  test('tags of §3.6.1', () => {
    const r = parseDkimKey('v=DKIM1; k=ed25519; h=sha256:SHA1; s=email:*; t=y:s; n=hello; p=YWJj; x-unknown=1');
    assert.ok(r.ok);
    assert.equal(r.value.type, 'ed25519');
    assert.deepEqual(r.value.hashAlgorithms, ['sha256', 'sha1']);
    assert.deepEqual(r.value.serviceTypes, ['email', '*']);
    assert.equal(r.value.testing, true);
    assert.equal(r.value.strictIdentity, true);
    assert.equal(r.value.notes, 'hello');
    assert.equal(Buffer.from(r.value.publicKey).toString(), 'abc');
  });
  test('defaults and revocation', () => {
    const r = parseDkimKey('p=');
    assert.ok(r.ok);
    assert.equal(r.value.type, 'rsa');
    assert.equal(r.value.publicKey.length, 0);
    assert.equal(r.value.testing, false);
    assert.deepEqual(r.value.serviceTypes, ['*']);
  });
  test('errors', () => {
    assert.equal((parseDkimKey('k=rsa') as { error: { code: string } }).error.code, 'dkim.key-syntax');
    assert.equal((parseDkimKey('v=DKIM2; p=YQ==') as { error: { code: string } }).error.code, 'dkim.key-syntax');
    assert.equal((parseDkimKey('p=YQ==; v=DKIM1') as { error: { code: string } }).error.code, 'dkim.key-syntax');
    assert.equal((parseDkimKey('k=dsa; p=YQ==') as { error: { code: string } }).error.code, 'dkim.key-type');
    assert.equal((parseDkimKey('p=Y*Q==') as { error: { code: string } }).error.code, 'dkim.key-syntax');
    assert.equal(
      (parseDkimKey('p=' + 'A'.repeat(20_000)) as { error: { code: string } }).error.code,
      'dkim.key-syntax',
    );
  });
  test('importPublicKey: SPKI and PKCS#1 RSA, raw Ed25519; wrong type and garbage are refused', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const spki = rsa.export({ format: 'der', type: 'spki' });
    const pkcs1 = rsa.export({ format: 'der', type: 'pkcs1' });
    const a = importPublicKey('rsa', spki);
    const b = importPublicKey('rsa', pkcs1);
    assert.ok(a.ok && b.ok);
    assert.equal(a.bits, 1024);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    assert.ok(importPublicKey('ed25519', ed.subarray(ed.length - 32)).ok);
    assert.ok(!importPublicKey('ed25519', ed).ok, 'SPKI is not the raw key');
    assert.ok(!importPublicKey('rsa', ed).ok, 'an Ed25519 SPKI under k=rsa');
    assert.ok(!importPublicKey('rsa', Buffer.from('garbage')).ok);
  });
  test('the cache parses a record once', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const txt = `v=DKIM1; p=${rsa.export({ format: 'der', type: 'spki' }).toString('base64')}`;
    const cache = new DkimKeyCache(2);
    const first = cache.get(txt);
    assert.equal(cache.get(txt), first);
    assert.ok(first.imported?.ok);
    cache.get('p=');
    cache.get('p=YQ==');
    assert.equal(cache.size, 2, 'bounded');
    assert.notEqual(cache.get(txt), first, 'evicted oldest');
  });
});

describe('decodeBase64', () => {
  test('equals the strict definition for 20,000 random texts (RFC 4648 §4 alphabet, padding at the end only)', () => {
    // The definition: the alphabet, then at most two "=", and no length of 4n+1; decoded by Buffer.
    const reference = (text: string) =>
      /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 !== 1 ? Buffer.from(text, 'base64') : undefined;
    const random = seededRandom(4648);
    const valid = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const odd = ['=', '-', '_', ' ', '\t', '!', '.', '\u00e9', '\u0100', '\u{1f600}'];
    let accepted = 0;
    for (let round = 0; round < 20000; round++) {
      let text = '';
      const n = Math.floor(random() * 24);
      for (let i = 0; i < n; i++) text += valid[Math.floor(random() * valid.length)];
      if (random() < 0.5) text += '='.repeat(Math.floor(random() * 4));
      if (random() < 0.4) {
        const at = Math.floor(random() * (text.length + 1));
        text = text.slice(0, at) + odd[Math.floor(random() * odd.length)] + text.slice(at);
      }
      const expected = reference(text);
      const got = decodeBase64(text);
      if (expected === undefined) assert.equal(got, undefined, JSON.stringify(text));
      else {
        accepted++;
        assert.ok(got !== undefined && Buffer.from(got).equals(expected), JSON.stringify(text));
      }
    }
    assert.ok(accepted > 5000, `${accepted} accepted`);
  });
});
