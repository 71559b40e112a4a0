/**
 * The official Public Suffix List vectors (test/conformance/psl/psl-tests.txt, publicsuffix/list tests/tests.txt)
 * against organizationalDomain() (RFC 7489 §3.2), plus the choices documented in docs/dmarc.md.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { organizationalDomain, organizationalDomainOrSelf, toAsciiDomain } from '../../src/core/domain/index.js';

const vectorsFile = new URL('../../../test/conformance/psl/psl-tests.txt', import.meta.url);

interface Vector {
  line: number;
  input: string | null;
  expected: string | undefined;
}

function readVectors(): { vectors: Vector[]; commentedOut: string[] } {
  const vectors: Vector[] = [];
  const commentedOut: string[] = [];
  readFileSync(vectorsFile, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line.length === 0) return;
      if (line.startsWith('//')) {
        // Cases the upstream file itself disables (`//local null`): listed so the count stays honest.
        if (/^\/\/\S+ \S+$/.test(line)) commentedOut.push(line.slice(2));
        return;
      }
      const [input, expected] = line.split(/\s+/);
      assert.ok(input !== undefined && expected !== undefined, `line ${index + 1}: ${line}`);
      vectors.push({
        line: index + 1,
        input: input === 'null' ? null : input,
        expected: expected === 'null' ? undefined : expected,
      });
    });
  return { vectors, commentedOut };
}

describe('PSL official vectors (checkPublicSuffix)', () => {
  const { vectors, commentedOut } = readVectors();

  test('the file holds the 78 documented vectors (plus 4 the upstream file comments out)', () => {
    assert.equal(vectors.length, 78);
    // `.local` cases are commented out upstream ("Listed, but non-Internet, TLD"); nothing to run.
    assert.deepEqual(commentedOut, [
      'local null',
      'example.local null',
      'b.example.local null',
      'a.b.example.local null',
    ]);
  });

  for (const vector of vectors) {
    test(`line ${vector.line}: ${String(vector.input)} → ${vector.expected ?? 'null'}`, () => {
      // The null input of the first vector: a JavaScript caller may pass null; the answer is "no domain".
      const input = vector.input ?? (null as unknown as string);
      assert.equal(organizationalDomain(input), vector.expected);
    });
  }
});

describe('organizational domain: mailtrust choices', () => {
  test('PSL private-section entries count as public suffixes (registrants under them are independent)', () => {
    assert.equal(organizationalDomain('alice.github.io'), 'alice.github.io');
    assert.equal(organizationalDomain('www.alice.github.io'), 'alice.github.io');
    assert.equal(organizationalDomain('github.io'), undefined);
    assert.notEqual(organizationalDomain('alice.github.io'), organizationalDomain('bob.github.io'));
  });

  test('multi-label ICANN suffixes', () => {
    assert.equal(organizationalDomain('mail.example.co.uk'), 'example.co.uk');
    assert.equal(organizationalDomain('co.uk'), undefined);
    assert.equal(organizationalDomain('a.b.example.com.au'), 'example.com.au');
  });

  test('trailing dot and upper case', () => {
    assert.equal(organizationalDomain('Mail.Example.COM.'), 'example.com');
    assert.equal(organizationalDomain('example.com.'), 'example.com');
    assert.equal(organizationalDomain('com.'), undefined);
    assert.equal(organizationalDomain('.'), undefined);
  });

  test('IDNs: U-labels answer in U-labels, A-labels in A-labels, both agree', () => {
    assert.equal(organizationalDomain('www.食狮.公司.cn'), '食狮.公司.cn');
    assert.equal(organizationalDomain('www.xn--85x722f.xn--55qx5d.cn'), 'xn--85x722f.xn--55qx5d.cn');
    assert.equal(organizationalDomain('MAIL.BÜCHER.example'), 'bücher.example');
    assert.equal(toAsciiDomain('MAIL.BÜCHER.example'), 'mail.xn--bcher-kva.example');
  });

  test('not a domain name → undefined', () => {
    for (const bad of [
      '',
      '..',
      'a..example.com',
      'example.com..',
      '1.2.3.4',
      'exa mple.com',
      'a\u0000b.com',
      'x'.repeat(64) + '.com',
    ]) {
      assert.equal(organizationalDomain(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(organizationalDomain(`${'a.'.repeat(126)}com`), undefined, 'over 253 characters');
  });

  test('organizationalDomainOrSelf falls back to the name for a public suffix', () => {
    assert.equal(organizationalDomainOrSelf('co.uk'), 'co.uk');
    assert.equal(organizationalDomainOrSelf('a.example.co.uk'), 'example.co.uk');
  });

  test('a huge input is rejected quickly', () => {
    assert.equal(organizationalDomain('a.'.repeat(500_000) + 'com'), undefined);
  });
});
