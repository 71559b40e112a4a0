/** The policy file (docs/trust-model.md): keys, normalization, and errors that name the key. Pure. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  defaultPolicy,
  matchesDomainList,
  parsePolicy,
  policyLevel,
  type PolicyErrorCode,
} from '../../src/core/policy/index.js';

function parseError(text: string): { code: string; message: string } {
  const parsed = parsePolicy(text);
  assert.equal(parsed.ok, false, `expected an error for ${text}`);
  return parsed.ok ? { code: '', message: '' } : parsed.error;
}

describe('parsePolicy', () => {
  test('the example of docs/trust-model.md parses', () => {
    const parsed = parsePolicy(
      JSON.stringify({
        trustedForwarders: ['lists.example.org'],
        relayDomains: ['sendgrid.net'],
        levels: { 'helo.not-mx': 'info', 'ptr.foreign-domain': 'low' },
      }),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, {
      trustedForwarders: ['lists.example.org'],
      relayDomains: ['sendgrid.net'],
      levels: { 'helo.not-mx': 'info', 'ptr.foreign-domain': 'low' },
    });
  });

  test('every key is optional: {} is the default policy', () => {
    const parsed = parsePolicy('{}');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, defaultPolicy);
    assert.deepEqual(defaultPolicy, { trustedForwarders: [], relayDomains: [], levels: {} });
  });

  test('domains are normalized: lower case, A-labels, no trailing dot, each once', () => {
    const parsed = parsePolicy(
      JSON.stringify({ relayDomains: [' SendGrid.NET. ', 'sendgrid.net', 'bücher.example', 'xn--bcher-kva.example'] }),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.relayDomains, ['sendgrid.net', 'xn--bcher-kva.example']);
  });

  const errors: [string, string, PolicyErrorCode, RegExp][] = [
    ['unknown key', '{"relayDomain": ["sendgrid.net"]}', 'policy.unknown-key', /unknown key "relayDomain"/],
    ['unknown key __proto__', '{"__proto__": {}}', 'policy.unknown-key', /"__proto__"/],
    ['list not an array', '{"relayDomains": "sendgrid.net"}', 'policy.bad-value', /"relayDomains" must be an array/],
    [
      'entry not a string',
      '{"trustedForwarders": ["a.org", 7]}',
      'policy.bad-value',
      /"trustedForwarders\[1\]" must be a domain name/,
    ],
    [
      'entry not a domain',
      '{"relayDomains": ["not a domain"]}',
      'policy.bad-value',
      /"relayDomains\[0\]" is "not a domain"/,
    ],
    ['entry an IP address', '{"relayDomains": ["192.0.2.1"]}', 'policy.bad-value', /"relayDomains\[0\]"/],
    [
      'entry a public suffix',
      '{"trustedForwarders": ["co.uk"]}',
      'policy.bad-value',
      /"trustedForwarders\[0\]" .*public suffix/,
    ],
    ['levels not an object', '{"levels": ["helo.not-mx"]}', 'policy.bad-value', /"levels" must be an object/],
    [
      'unknown finding id',
      '{"levels": {"helo.not-an-mx": "info"}}',
      'policy.unknown-finding',
      /"levels\.helo\.not-an-mx"/,
    ],
    [
      'bad level',
      '{"levels": {"helo.not-mx": "high"}}',
      'policy.bad-value',
      /"levels\.helo\.not-mx" is "high"; use one of "untrusted", "low", "info"/,
    ],
    ['level not a string', '{"levels": {"helo.not-mx": 1}}', 'policy.bad-value', /"levels\.helo\.not-mx"/],
    ['not JSON', '{relayDomains: []}', 'policy.syntax', /not valid JSON/],
    ['not an object', '["sendgrid.net"]', 'policy.syntax', /must hold a JSON object, not an array/],
    ['null', 'null', 'policy.syntax', /not null/],
    ['empty file', '', 'policy.syntax', /not valid JSON/],
  ];
  for (const [what, text, code, message] of errors) {
    test(`error: ${what}`, () => {
      const error = parseError(text);
      assert.equal(error.code, code);
      assert.match(error.message, message);
      assert.match(error.message, /^policy: /);
    });
  }

  test('a very long list is refused, not processed', () => {
    const error = parseError(
      JSON.stringify({ relayDomains: Array.from({ length: 10_001 }, (_, i) => `d${i}.example`) }),
    );
    assert.equal(error.code, 'policy.bad-value');
  });
});

describe('policy helpers', () => {
  test('matchesDomainList: the entry itself or a name under it, on label boundaries', () => {
    assert.equal(matchesDomainList('sendgrid.net', ['sendgrid.net']), true);
    assert.equal(matchesDomainList('o1.ptr.sendgrid.net', ['sendgrid.net']), true);
    assert.equal(matchesDomainList('notsendgrid.net', ['sendgrid.net']), false);
    assert.equal(matchesDomainList('sendgrid.net', ['o1.sendgrid.net']), false);
    assert.equal(matchesDomainList('sendgrid.net', []), false);
  });

  test('policyLevel reads only own entries', () => {
    const parsed = parsePolicy('{"levels": {"dns.temperror": "untrusted"}}');
    assert.ok(parsed.ok);
    assert.equal(policyLevel(parsed.value, 'dns.temperror'), 'untrusted');
    assert.equal(policyLevel(parsed.value, 'helo.not-mx'), undefined);
    assert.equal(policyLevel(parsed.value, 'toString'), undefined);
    assert.equal(policyLevel(defaultPolicy, 'constructor'), undefined);
  });
});
