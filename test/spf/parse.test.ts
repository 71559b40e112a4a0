/** The SPF record parser (RFC 7208 §4.5, §5, §6, §12): pure, no DNS. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSpfRecord, parseSpfRecord } from '../../src/core/spf/index.js';
import type { SpfMechanism, SpfRecord } from '../../src/core/spf/index.js';

function parse(txt: string): SpfRecord {
  const result = parseSpfRecord(txt);
  if (!result.ok) assert.fail(`${txt}: ${result.error.message}`);
  return result.value;
}

function error(txt: string) {
  const result = parseSpfRecord(txt);
  assert.equal(result.ok, false, `${txt} should not parse`);
  return (result as { ok: false; error: { code: string; message: string; offset?: number } }).error;
}

function only(txt: string): SpfMechanism {
  const record = parse(txt);
  assert.equal(record.mechanisms.length, 1);
  return record.mechanisms[0]!;
}

describe('record selection (RFC 7208 §4.5)', () => {
  test('v=spf1 followed by a space or the end, case-insensitive', () => {
    assert.equal(isSpfRecord('v=spf1'), true);
    assert.equal(isSpfRecord('v=spf1 -all'), true);
    assert.equal(isSpfRecord('V=SpF1 ~all'), true);
    assert.equal(isSpfRecord('v=spf10'), false);
    assert.equal(isSpfRecord('v=spf1mx'), false);
    assert.equal(isSpfRecord(' v=spf1'), false);
    assert.equal(isSpfRecord('spf2.0/pra'), false);
  });
});

describe('mechanisms', () => {
  test('qualifiers and all', () => {
    for (const [text, q] of [
      ['all', '+'],
      ['+all', '+'],
      ['-all', '-'],
      ['~all', '~'],
      ['?all', '?'],
    ] as const) {
      const m = only(`v=spf1 ${text}`);
      assert.equal(m.kind, 'all');
      assert.equal(m.qualifier, q);
      assert.equal(m.text, text);
    }
  });

  test('a and mx with domain-spec and dual CIDR', () => {
    const a = only('v=spf1 a:mail.example.com/24//64');
    assert.equal(a.kind, 'a');
    if (a.kind !== 'a') return;
    assert.equal(a.domain?.source, 'mail.example.com');
    assert.equal(a.cidr4, 24);
    assert.equal(a.cidr6, 64);
    const mx = only('v=spf1 mx//0');
    assert.ok(mx.kind === 'mx' && mx.domain === undefined && mx.cidr4 === 32 && mx.cidr6 === 0);
    const bare = only('v=spf1 a');
    assert.ok(bare.kind === 'a' && bare.domain === undefined && bare.cidr4 === 32 && bare.cidr6 === 128);
    // A domain-spec may hold ':' and '/' (any visible character but '%'), RFC 7208 §7.1.
    const odd = only('v=spf1 a:foo:bar/baz.example.com');
    assert.ok(odd.kind === 'a' && odd.domain?.source === 'foo:bar/baz.example.com' && odd.cidr4 === 32);
  });

  test('ip4 and ip6 networks', () => {
    const v4 = only('v=spf1 ip4:192.0.2.0/24');
    assert.ok(v4.kind === 'ip4' && v4.prefix === 24 && v4.network.family === 4);
    assert.equal(v4.kind === 'ip4' && v4.network.value, 0xc0000200);
    const v6 = only('v=spf1 -ip6:2001:db8::/32');
    assert.ok(v6.kind === 'ip6' && v6.prefix === 32 && v6.qualifier === '-');
    assert.equal(v6.kind === 'ip6' && v6.network.value, 0x20010db8n << 96n);
    const mapped = only('v=spf1 ip6:::ffff:1.2.3.4');
    assert.ok(mapped.kind === 'ip6' && mapped.prefix === 128);
  });

  test('include, exists, ptr', () => {
    assert.equal(only('v=spf1 include:_spf.example.com').kind, 'include');
    assert.equal(only('v=spf1 exists:%{ir}.bl.example.org').kind, 'exists');
    const ptr = only('v=spf1 ptr');
    assert.ok(ptr.kind === 'ptr' && ptr.domain === undefined);
    const ptr2 = only('v=spf1 ?ptr:example.com');
    assert.ok(ptr2.kind === 'ptr' && ptr2.domain?.source === 'example.com' && ptr2.qualifier === '?');
  });

  test('mechanism names are case-insensitive', () => {
    assert.equal(only('v=spf1 -ALL').kind, 'all');
    assert.equal(only('v=spf1 Include:example.com').kind, 'include');
  });
});

describe('modifiers (RFC 7208 §6)', () => {
  test('redirect, exp and unknown modifiers', () => {
    const r = parse('v=spf1 mx redirect=_spf.example.com exp=explain.%{d} moo.cow-far_out=man:dog/cat');
    assert.equal(r.redirect?.value.source, '_spf.example.com');
    assert.equal(r.exp?.value.source, 'explain.%{d}');
    assert.equal(r.otherModifiers.length, 1);
    assert.equal(r.otherModifiers[0]?.name, 'moo.cow-far_out');
    assert.equal(r.mechanisms.length, 1);
  });

  test('duplicate redirect or exp is a permerror', () => {
    assert.match(error('v=spf1 redirect=a.example.com redirect=b.example.com').message, /more than once/);
    assert.match(error('v=spf1 exp=a.example.com -all exp=b.example.com').message, /more than once/);
  });

  test('empty or malformed redirect/exp targets', () => {
    error('v=spf1 ?all redirect=');
    error('v=spf1 exp= -all');
    error('v=spf1 exp=-all');
    error('v=spf1 redirect=-all ?all');
  });
});

describe('syntax errors are permerror with a position (RFC 7208 §4.6)', () => {
  const cases: [string, RegExp][] = [
    ['v=spf1 ip4:1.2.3.4 -all moo', /unknown mechanism 'moo'/],
    ['v=spf1 -all.', /'all' takes no argument/],
    ['v=spf1 -all:foobar', /'all' takes no argument/],
    ['v=spf1 -all/8', /'all' takes no argument/],
    ['v=spf1 redirect:example.com', /unknown mechanism 'redirect'/],
    ['v=spf1 1up=foo', /unknown mechanism '1up'/],
    ['v=spf1 =all', /not a mechanism or modifier/],
    ['v=spf1 moo.cow/far_out=man:dog/cat', /unknown mechanism 'moo'/],
    ['v=spf1 a/33', /IPv4 CIDR/],
    ['v=spf1 a//129', /IPv6 CIDR/],
    ['v=spf1 a/24/64', /IPv4 CIDR/],
    ['v=spf1 ip4:1.2.3.4/032', /CIDR length/],
    ['v=spf1 ip4:1.2.3.4/33', /CIDR length/],
    ['v=spf1 ip4:1.2.3', /not an IPv4 address/],
    ['v=spf1 ip4:1.2.3.4:8080', /not an IPv4 address/],
    ['v=spf1 ip4:01.2.3.4', /not an IPv4 address/],
    ['v=spf1 ip4:1.2.3.4//32', /CIDR length/],
    ['v=spf1 ip4', /needs ':'/],
    ['v=spf1 ip6::CAFE::BABE', /not an IPv6 address/],
    ['v=spf1 ip6:::1.1.1.1//33', /CIDR length/],
    ['v=spf1 ip6:::1/129', /CIDR length/],
    ['v=spf1 a:', /empty domain-spec/],
    ['v=spf1 include:', /empty domain-spec/],
    ['v=spf1 include', /needs ':'/],
    ['v=spf1 exists', /needs ':'/],
    ['v=spf1 ptr:', /empty domain-spec/],
    ['v=spf1 ptr/0', /unexpected/],
    ['v=spf1 include:ip5.example.com/24', /top-level label/],
    ['v=spf1 a:museum', /no '\.'/],
    ['v=spf1 a:museum.', /no '\.'/],
    ['v=spf1 a:abc.123', /top-level label/],
    ['v=spf1 a:111.222.33.44', /top-level label/],
    ['v=spf1 a:example.-com', /top-level label/],
    ['v=spf1 a:example.com:8080', /top-level label/],
    ['v=spf1 -all foo=%abc', /'%' must be followed/],
    ['v=spf1 exists:%{x}.example.com', /unknown macro letter/],
    ['v=spf1 -all exp=%{r}.example.com', /only allowed in explanation/],
    ['v=spf1 exists:%{d0}.example.com', /at least 1/],
    ['v=spf1 exists:%{d.example.com', /not closed/],
  ];
  for (const [txt, pattern] of cases) {
    test(txt, () => {
      const e = error(txt);
      assert.equal(e.code, 'spf.permerror');
      assert.match(e.message, pattern);
      assert.equal(typeof e.offset, 'number');
    });
  }

  test('the error gives the offset of the term', () => {
    const e = error('v=spf1 ip4:1.2.3.4 bogus -all');
    assert.equal(e.offset, 19);
    assert.match(e.message, /offset 19/);
  });

  test('control characters and non-ASCII are errors (RFC 7208 §3.1, §4.6.1)', () => {
    assert.match(error('v=spf1 a:ctrl.example.com\rptr -all').message, /printable ASCII/);
    assert.match(error('v=spf1 ip4:192.0.2.5\n include:x.example.com').message, /printable ASCII/);
    assert.match(error('v=spf1 a:foo.example.com\0').message, /printable ASCII/);
    assert.match(error('v=spf1 a:\u00efexample.net -all').message, /printable ASCII/);
  });
});

describe('accepted forms', () => {
  test('several spaces between terms and trailing spaces', () => {
    assert.equal(parse('v=spf1 a  -all ').mechanisms.length, 2);
    assert.equal(parse('v=spf1').mechanisms.length, 0);
  });

  test('toplabels with dashes (IDN TLDs) and macro endings', () => {
    parse('v=spf1 a:foo.example.xn--zckzah -all');
    parse('v=spf1 a:%{H} -all');
    parse('v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all');
    parse('v=spf1 a:mail.example...com -all');
    parse('v=spf1 include:o.spf.example.com. ~all');
  });

  test('unknown modifiers are kept and ignored', () => {
    const r = parse('v=spf1 default=pass');
    assert.equal(r.mechanisms.length, 0);
    assert.equal(r.otherModifiers[0]?.name, 'default');
  });
});

describe('robustness', () => {
  test('random records never throw and parse in linear time', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = 'v=spf1 :/.%{}-+~?allincludeamxptrip4ip6exists0123456789redirectexpslodipvhcrt_,r\u00e9\r\0';
    let parsed = 0;
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 80);
      let text = random() < 0.8 ? 'v=spf1 ' : '';
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      const result = parseSpfRecord(text);
      if (result.ok) parsed++;
      else assert.equal(typeof result.error.message, 'string');
    }
    assert.ok(parsed > 0, 'some random records are valid');
    const huge = `v=spf1 ${'ip4:192.0.2.1 '.repeat(20000)}-all`;
    const result = parseSpfRecord(huge);
    assert.ok(result.ok && result.value.mechanisms.length === 20001);
  });
});
