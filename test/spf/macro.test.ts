/** SPF macros (RFC 7208 §7): parsing, expansion, URL-encoding, truncation. Pure, no DNS. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expandMacroString, parseMacroString, targetName, type MacroValues } from '../../src/core/spf/macro.js';
import { parseIpAddress } from '../../src/core/ip/address.js';

function values(overrides: Partial<MacroValues> = {}): MacroValues {
  return {
    sender: 'strong-bad@email.example.com',
    localPart: 'strong-bad',
    senderDomain: 'email.example.com',
    domain: 'email.example.com',
    ip: parseIpAddress('192.0.2.3')!,
    helo: 'mx.example.org',
    validatedName: 'unknown',
    receiver: 'mx.local',
    timestamp: 1_700_000_000,
    ...overrides,
  };
}

function expand(text: string, v: MacroValues = values(), context: 'domain' | 'explanation' = 'domain'): string {
  const parsed = parseMacroString(text, context);
  if (!parsed.ok) assert.fail(parsed.error.message);
  return expandMacroString(parsed.value, v);
}

describe('RFC 7208 §7.4 examples', () => {
  const ip6 = values({ ip: parseIpAddress('2001:db8::cb01')! });
  const cases: [string, string, MacroValues?][] = [
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
    [
      '%{ir}.%{v}._spf.%{d2}',
      // Nibbles upper case as pyspf and the openspf suite have them; DNS compares names case-insensitively.
      '1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com',
      ip6,
    ],
  ];
  for (const [macro, expected, v] of cases) {
    test(macro, () => assert.equal(expand(macro, v).toLowerCase(), expected.toLowerCase()));
  }
});

describe('letters and escapes', () => {
  test('%% %_ %- and multiple delimiters', () => {
    assert.equal(
      expand('macro%%percent%_%_space%-url-space.example.com'),
      'macro%percent  space%20url-space.example.com',
    );
    assert.equal(expand('%{l2r+-}.user.%{d2}', values({ localPart: 'foo-bar+zip+quux' })), 'bar.foo.user.example.com');
  });

  test('upper-case letters URL-encode everything outside unreserved', () => {
    assert.equal(
      expand('%{L}', values({ localPart: '~jack&jill=up-a_b3.c' }), 'explanation'),
      '~jack%26jill%3Dup-a_b3.c',
    );
    assert.equal(expand('%{H}', values({ helo: '%%' })), '%25%25');
  });

  test('c, r, t, v, i, p', () => {
    assert.equal(expand('%{c} %{r} %{t}', values(), 'explanation'), '192.0.2.3 mx.local 1700000000');
    assert.equal(expand('%{c}', values({ ip: parseIpAddress('CAFE:BABE::1')! }), 'explanation'), 'cafe:babe::1');
    assert.equal(expand('%{v}'), 'in-addr');
    assert.equal(expand('%{v}', values({ ip: parseIpAddress('::1')! })), 'ip6');
    assert.equal(expand('%{i}'), '192.0.2.3');
    assert.equal(expand('%{p}', values({ validatedName: 'mx.example.com' })), 'mx.example.com');
  });

  test('c, r, t are refused outside explanations; x is never a macro', () => {
    for (const letter of ['c', 'r', 't']) {
      const parsed = parseMacroString(`%{${letter}}.example.com`, 'domain');
      assert.equal(parsed.ok, false);
    }
    assert.equal(parseMacroString('%{x}', 'explanation').ok, false);
    assert.equal(parseMacroString('%(ir).sbl.example.com', 'domain').ok, false);
    assert.equal(parseMacroString('foo%.example.com', 'domain').ok, false);
    assert.equal(parseMacroString('trailing%', 'domain').ok, false);
  });

  test('spaces only in explanation strings', () => {
    assert.equal(parseMacroString('a b', 'domain').ok, false);
    assert.equal(expand('%{d} is not allowed', values(), 'explanation'), 'email.example.com is not allowed');
  });

  test('huge digit transformers keep every part; expansion is bounded', () => {
    assert.equal(expand('%{d99999999999}'), 'email.example.com');
    const long = parseMacroString('%{s}'.repeat(1000), 'domain');
    assert.ok(long.ok);
    if (long.ok) assert.ok(expandMacroString(long.value, values(), 8192).length <= 8192);
  });
});

describe('target names (RFC 7208 §4.8, §7.3)', () => {
  test('trailing dot dropped; over 253 octets loses labels on the left', () => {
    assert.deepEqual(targetName('example.com.'), { ok: true, name: 'example.com' });
    const long = `${'a'.repeat(60)}.`.repeat(5) + 'example.com';
    const t = targetName(long);
    assert.ok(t.ok);
    if (t.ok) {
      assert.ok(t.name.length <= 253);
      assert.ok(t.name.endsWith('.example.com'));
      assert.ok(long.endsWith(t.name));
    }
  });

  test('empty labels and labels over 63 cannot be queried', () => {
    assert.equal(targetName('mail.example...com').ok, false);
    assert.equal(targetName(`${'a'.repeat(64)}.example.com`).ok, false);
    assert.equal(targetName('').ok, false);
  });
});
