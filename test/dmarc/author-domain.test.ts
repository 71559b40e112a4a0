/** RFC 5322 address lists (from-address.ts) and the DMARC author domain (RFC 7489 §6.6.1). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authorDomain, parseAddressList, type Mailbox } from '../../src/core/dmarc/index.js';

function mailboxes(value: string): Mailbox[] {
  const result = parseAddressList(value);
  assert.ok(result.ok, `${JSON.stringify(value)}: ${result.ok ? '' : result.error.message}`);
  return result.value;
}

describe('address list parser (RFC 5322 §3.4, RFC 6854, RFC 6532)', () => {
  const cases: Array<[string, Array<Partial<Mailbox>>]> = [
    ['user@example.com', [{ localPart: 'user', domain: 'example.com' }]],
    ['  user@example.com  ', [{ localPart: 'user', domain: 'example.com' }]],
    [
      'Joe Q. Public <john.q.public@example.com>',
      [{ displayName: 'Joe Q. Public', localPart: 'john.q.public', domain: 'example.com' }],
    ],
    [
      '"Joe, the \\"Boss\\"" <joe@example.com>',
      [{ displayName: 'Joe, the "Boss"', localPart: 'joe', domain: 'example.com' }],
    ],
    ['<joe@example.com>', [{ localPart: 'joe', domain: 'example.com' }]],
    ['joe@example.com (Joe (the) Boss)', [{ localPart: 'joe', domain: 'example.com' }]],
    [
      '(comment) Joe (x) <joe (y) @ (z) example (w) . com> (tail)',
      [{ displayName: 'Joe', localPart: 'joe', domain: 'example.com' }],
    ],
    ['"a b"@example.com', [{ localPart: '"a b"', domain: 'example.com' }]],
    ['"ab"@example.com', [{ localPart: 'ab', domain: 'example.com' }]],
    ['Joe <@route1.example,@route2.example:joe@example.com>', [{ localPart: 'joe', domain: 'example.com' }]],
    [
      'a@x.example, B <b@y.example>',
      [
        { localPart: 'a', domain: 'x.example' },
        { displayName: 'B', localPart: 'b', domain: 'y.example' },
      ],
    ],
    ['a@x.example, , ,b@x.example', [{ localPart: 'a' }, { localPart: 'b' }]],
    [
      'Team: a@x.example, b@x.example;',
      [
        { group: 'Team', localPart: 'a' },
        { group: 'Team', localPart: 'b' },
      ],
    ],
    ['undisclosed-recipients:;', []],
    ['user@[192.0.2.1]', [{ localPart: 'user', domain: '192.0.2.1', domainLiteral: true }]],
    ['Jörg <jörg@bücher.example>', [{ displayName: 'Jörg', localPart: 'jörg', domain: 'bücher.example' }]],
    ['=?utf-8?q?J=C3=B6rg?= <j@example.com>', [{ displayName: '=?utf-8?q?J=C3=B6rg?=', domain: 'example.com' }]],
    ['Joe\r\n <joe@example.com>', [{ displayName: 'Joe', domain: 'example.com' }]],
    ['John.Smith (x) Jr <j@example.com>', [{ displayName: 'John.Smith Jr', domain: 'example.com' }]],
  ];
  for (const [value, expected] of cases) {
    test(JSON.stringify(value), () => {
      const got = mailboxes(value);
      assert.equal(got.length, expected.length);
      expected.forEach((want, i) => {
        for (const [key, v] of Object.entries(want)) assert.deepEqual(got[i]?.[key as keyof Mailbox], v, `${i}.${key}`);
      });
    });
  }

  const bad = [
    '',
    'joe',
    'Joe <joe@example.com',
    'joe@',
    '@example.com',
    'joe@example.com.',
    'joe@@example.com',
    '"unterminated@example.com',
    '(unterminated joe@example.com',
    'joe@[192.0.2.1',
    'a@x.example b@x.example',
    'Team: a@x.example',
    'Outer: Inner: a@x.example;;',
    'joe..x@example.com',
    '.joe@example.com',
    'joe@example..com',
    'j)oe@example.com',
    'joe@exa\u0001mple.com',
  ];
  for (const value of bad) {
    test(`rejects ${JSON.stringify(value)}`, () => {
      const result = parseAddressList(value);
      if (value === '') {
        // An empty list is syntactically an empty address list; authorDomain() refuses it as no mailbox.
        assert.ok(result.ok && result.value.length === 0);
        return;
      }
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.code, 'headers.address-invalid');
        assert.equal(typeof result.error.offset, 'number');
      }
    });
  }

  test('hostile: deep comments, huge fields and many mailboxes are bounded', () => {
    assert.equal(parseAddressList('('.repeat(100) + 'x' + ')'.repeat(100) + ' a@b.example').ok, false);
    assert.equal(parseAddressList('a@b.example, '.repeat(10_000)).ok, false);
    assert.equal(parseAddressList('x'.repeat(70_000) + '@example.com').ok, false);
    assert.equal(parseAddressList('a@b.example,'.repeat(1_000)).ok, true);
    assert.equal(parseAddressList('"' + '\\'.repeat(60_000)).ok, false);
  });
});

describe('authorDomain (RFC 7489 §6.6.1)', () => {
  test('one mailbox: its domain, normalized', () => {
    const result = authorDomain(['Joe <joe@Mail.Example.COM>']);
    assert.ok(result.ok);
    if (result.ok) assert.equal(result.value.domain, 'mail.example.com');
  });

  test('U-label domain becomes A-labels', () => {
    const result = authorDomain(['jörg@BÜCHER.example']);
    assert.ok(result.ok);
    if (result.ok) assert.equal(result.value.domain, 'xn--bcher-kva.example');
  });

  test('several mailboxes in one domain share it', () => {
    const result = authorDomain(['a@example.com, B <b@EXAMPLE.com>']);
    assert.ok(result.ok);
    if (result.ok) {
      assert.equal(result.value.domain, 'example.com');
      assert.equal(result.value.mailboxes.length, 2);
    }
  });

  const errors: Array<[string[], string]> = [
    [[], 'headers.from-missing'],
    [['a@example.com', 'b@example.com'], 'headers.from-multiple'],
    [['Joe <joe@example.com'], 'headers.from-invalid'],
    [['undisclosed:;'], 'headers.from-invalid'],
    [[''], 'headers.from-invalid'],
    [['joe@[192.0.2.1]'], 'headers.from-invalid'],
    [['joe@1.2.3.4'], 'headers.from-invalid'],
    [[`joe@${'a'.repeat(64)}.example`], 'headers.from-invalid'],
    [['a@example.com, b@example.net'], 'dmarc.multiple-author-domains'],
    [['a@example.com, b@sub.example.com'], 'dmarc.multiple-author-domains'],
  ];
  for (const [values, code] of errors) {
    test(`${JSON.stringify(values)} → ${code}`, () => {
      const result = authorDomain(values);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, code);
    });
  }
});
