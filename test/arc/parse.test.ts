/** Pure parsers of ARC header fields (RFC 8617 §4.1) and of ARC sets (§4.2). No DNS. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultAmsCanonicalization,
  parseArcAuthResultsField,
  parseArcMessageSignature,
  parseArcSeal,
  parseArcSets,
} from '../../src/core/arc/index.js';
import { parseMessage } from '../../src/core/message/index.js';

const seal = 'i=1; a=rsa-sha256; cv=none; d=Example.ORG; s=Sel; t=12345; b=AAAA BBBB';
const ams = 'i=1; a=rsa-sha256; c=relaxed/simple; d=example.org; s=sel; t=1; h=From : To:subject; bh=AAAA; b=AAAA';

describe('parseArcSeal (RFC 8617 §4.1.3)', () => {
  test('reads the tags', () => {
    const parsed = parseArcSeal(seal);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.instance, 1);
    assert.equal(parsed.value.algorithm, 'rsa-sha256');
    assert.equal(parsed.value.cv, 'none');
    assert.equal(parsed.value.domain, 'example.org');
    assert.equal(parsed.value.selector, 'sel');
    assert.equal(parsed.value.timestamp, 12345);
    assert.equal(parsed.value.signature.length, 6);
  });

  for (const [label, value, code] of [
    ['missing cv', 'i=1; a=rsa-sha256; d=x.example; s=s; b=AAAA', 'arc.syntax'],
    ['cv=maybe', 'i=1; a=rsa-sha256; cv=maybe; d=x.example; s=s; b=AAAA', 'arc.syntax'],
    ['h= present', 'i=1; a=rsa-sha256; cv=none; d=x.example; s=s; h=from; b=AAAA', 'arc.syntax'],
    ['rsa-sha1', 'i=1; a=rsa-sha1; cv=none; d=x.example; s=s; b=AAAA', 'arc.algorithm'],
    ['unknown a=', 'i=1; a=foo; cv=none; d=x.example; s=s; b=AAAA', 'arc.algorithm'],
    ['b= not base64', 'i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=!!', 'arc.syntax'],
    ['t= not a number', 'i=1; a=rsa-sha256; cv=none; d=x.example; s=s; t=soon; b=AAAA', 'arc.syntax'],
    ['i= not a number', 'i=one; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA', 'arc.syntax'],
    ['d= not a domain', 'i=1; a=rsa-sha256; cv=none; d=***; s=s; b=AAAA', 'arc.syntax'],
  ] as const) {
    test(`rejects ${label}`, () => {
      const parsed = parseArcSeal(value);
      assert.equal(parsed.ok, false);
      assert.equal(parsed.ok ? '' : parsed.error.code, code);
    });
  }

  test('accepts ed25519-sha256 syntactically (the verify policy decides)', () => {
    const parsed = parseArcSeal(seal.replace('rsa-sha256', 'ed25519-sha256'));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.algorithm, 'ed25519-sha256');
  });
});

describe('parseArcMessageSignature (RFC 8617 §4.1.2)', () => {
  test('reads the tags; h= names are trimmed and lower-cased', () => {
    const parsed = parseArcMessageSignature(ams);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.signedHeaders, ['from', 'to', 'subject']);
    assert.equal(parsed.value.headerCanonicalization, 'relaxed');
    assert.equal(parsed.value.bodyCanonicalization, 'simple');
  });

  test('no c=: relaxed/relaxed, as deployed ARC reads it', () => {
    const parsed = parseArcMessageSignature(ams.replace('c=relaxed/simple; ', ''));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.headerCanonicalization, defaultAmsCanonicalization.header);
    assert.equal(parsed.value.bodyCanonicalization, 'relaxed');
  });

  test('empty h= and empty names select nothing', () => {
    const empty = parseArcMessageSignature(ams.replace('h=From : To:subject', 'h='));
    assert.ok(empty.ok);
    assert.deepEqual(empty.value.signedHeaders, []);
    const gap = parseArcMessageSignature(ams.replace('h=From : To:subject', 'h=from::to'));
    assert.ok(gap.ok);
    assert.deepEqual(gap.value.signedHeaders, ['from', 'to']);
  });

  for (const [label, value] of [
    ['h= with ARC-Seal', ams.replace('h=From', 'h=ARC-Seal:From')],
    ['no bh=', ams.replace('bh=AAAA; ', '')],
    ['no h=', ams.replace('h=From : To:subject; ', '')],
    ['c= empty', ams.replace('c=relaxed/simple', 'c=')],
    ['c= unknown', ams.replace('c=relaxed/simple', 'c=loose/simple')],
    ['l= not a number', `${ams}; l=ten`],
    ['repeated tag', `${ams}; d=other.example`],
    ['stray semicolons', ams.replace('; s=sel;', ';; s=sel;')],
  ] as const) {
    test(`rejects ${label}`, () => {
      const parsed = parseArcMessageSignature(value);
      assert.equal(parsed.ok, false);
      assert.equal(parsed.ok ? '' : parsed.error.code, 'arc.syntax');
    });
  }
});

describe('parseArcAuthResultsField (RFC 8617 §4.1.1)', () => {
  test('reads the instance, the authserv-id and the results', () => {
    const parsed = parseArcAuthResultsField(
      ' i=2; mx.example.org;\r\n\tspf=pass smtp.mailfrom=a@b.example;\r\n\tdkim=pass (2048-bit key) header.d=b.example',
    );
    assert.ok(parsed.ok);
    assert.equal(parsed.value.instance, 2);
    assert.equal(parsed.value.authservId, 'mx.example.org');
    assert.deepEqual(
      parsed.value.results.map((r) => [r.method, r.result]),
      [
        ['spf', 'pass'],
        ['dkim', 'pass'],
      ],
    );
    assert.equal(
      parsed.value.payload,
      'mx.example.org;\tspf=pass smtp.mailfrom=a@b.example;\tdkim=pass (2048-bit key) header.d=b.example',
    );
  });

  for (const value of [
    'mx.example.org; i=1; spf=pass',
    'i=1 mx.example.org; spf=pass',
    'i=x; mx.example.org; spf=pass',
    'i=1;',
  ]) {
    test(`rejects ${JSON.stringify(value)}`, () => {
      assert.equal(parseArcAuthResultsField(value).ok, false);
    });
  }
});

describe('parseArcSets (RFC 8617 §4.2)', () => {
  const set = (i: number, cv = i === 1 ? 'none' : 'pass'): string =>
    `ARC-Seal: i=${i}; a=rsa-sha256; cv=${cv}; d=x.example; s=k; b=AAAA\r\n` +
    `ARC-Message-Signature: i=${i}; a=rsa-sha256; d=x.example; s=k; h=from; bh=AAAA; b=AAAA\r\n` +
    `ARC-Authentication-Results: i=${i}; mx.x.example; spf=pass\r\n`;
  const sets = (header: string) => {
    const parsed = parseMessage(`${header}From: a@b.example\r\n\r\nbody\r\n`);
    assert.ok(parsed.ok);
    return parseArcSets(parsed.value);
  };

  test('no ARC fields: no sets', () => {
    const result = sets('');
    assert.ok(result.ok);
    assert.deepEqual(result.value.sets, []);
  });

  test('groups fields by instance, i=1 first, whatever their order in the header', () => {
    const result = sets(set(2) + set(1) + set(3));
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.sets.map((s) => [s.instance, s.seal.instance, s.messageSignature.instance, s.authResults.instance]),
      [
        [1, 1, 1, 1],
        [2, 2, 2, 2],
        [3, 3, 3, 3],
      ],
    );
  });

  test('a gap in the numbering fails arc.structure at the gap', () => {
    const result = sets(set(3) + set(1));
    assert.equal(result.ok, false);
    assert.equal(result.ok ? '' : result.error.code, 'arc.structure');
    assert.equal(result.ok ? 0 : result.error.instance, 2);
  });

  test('a set missing a field fails arc.structure naming the field', () => {
    const result = sets(set(1).replace(/ARC-Message-Signature:.*\r\n/, ''));
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error.message, /no ARC-Message-Signature/);
  });

  test('51 sets fail arc.too-many-instances', () => {
    let header = '';
    for (let i = 1; i <= 51; i++) header += set(i);
    const result = sets(header);
    assert.equal(result.ok, false);
    assert.equal(result.ok ? '' : result.error.code, 'arc.too-many-instances');
  });
});
