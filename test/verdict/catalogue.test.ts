/** The finding table: every docs/trust-model.md id has a default level per docs/trust-model.md and complete wording. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FINDING_IDS } from '../../src/core/policy/index.js';
import { defaultPolicy } from '../../src/core/policy/index.js';
import {
  FINDINGS,
  decideVerdict,
  type HeaderFindingDetail,
  type ReasonDetail,
  type ReasonFacts,
} from '../../src/core/verdict/index.js';
import { message } from './fixtures.js';

const UNTRUSTED = [
  'sender.spoofed',
  'spf.fail',
  'dkim.fail',
  'headers.domain-nxdomain',
  'headers.domain-unresolvable',
  'headers.from-missing',
  'headers.from-multiple',
  'headers.from-invalid',
];
const LOW = [
  'sender.unauthenticated',
  'ptr.missing',
  'ptr.not-confirmed',
  'ptr.generic',
  'helo.missing',
  'helo.not-fqdn',
  'helo.bare-ip',
  'helo.literal-mismatch',
  'helo.localhost',
  'helo.special-use',
  'helo.nxdomain',
  'helo.unresolvable',
  'helo.foreign-domain',
  'headers.subject-missing',
  'headers.to-missing',
  'headers.date-missing',
  'headers.date-invalid',
  'headers.message-id-missing',
  'headers.reply-to-invalid',
  'headers.duplicate',
  'dns.temperror',
];

test('the table covers exactly the docs/trust-model.md ids', () => {
  assert.deepEqual(Object.keys(FINDINGS).sort(), [...FINDING_IDS].sort());
});

test('default levels follow docs/trust-model.md: untrusted, low, and info otherwise', () => {
  for (const id of FINDING_IDS) {
    const expected = UNTRUSTED.includes(id) ? 'untrusted' : LOW.includes(id) ? 'low' : 'info';
    assert.equal(FINDINGS[id].level, expected, id);
  }
});

test('every message and remedy is one complete sentence, with or without detail values', () => {
  const facts: ReasonFacts = {
    ip: '192.0.2.7',
    helo: 'mail.example.net',
    fromDomain: 'example.com',
    senderDomain: 'example.com',
  };
  const bareFacts: ReasonFacts = { ip: '2001:db8::7', helo: '', fromDomain: undefined, senderDomain: 'example.com' };
  const full: ReasonDetail = {
    name: 'host.example.net',
    names: ['a.example.net', 'b.example.net'],
    domain: 'example.org',
    organization: 'example.net',
    selector: 's2',
    field: 'Cc',
    value: 'x@example.org',
    reason: 'some reason',
    result: 'spf',
    mechanism: '-all',
    policy: 'reject',
  };
  for (const id of FINDING_IDS) {
    for (const [f, d] of [
      [facts, {}],
      [facts, full],
      [bareFacts, {}],
    ] as const) {
      for (const text of [FINDINGS[id].message(f, d), FINDINGS[id].remedy(f, d)]) {
        assert.match(text, /^[A-Z].*[.]$/s, `${id}: ${text}`);
        assert.doesNotMatch(text, /undefined|\[object|NaN|\n/, `${id}: ${text}`);
        assert.ok(text.length < 400, `${id}: too long: ${text}`);
      }
    }
  }
});

test('remedies use the concrete values: the IP, the sender domain, IPv6 as ip6:', () => {
  const v6: ReasonFacts = {
    ip: '2001:db8::7',
    helo: 'mail.example.com',
    fromDomain: 'example.com',
    senderDomain: 'example.com',
  };
  assert.match(FINDINGS['spf.none'].remedy(v6, { domain: 'example.com' }), /"v=spf1 ip6:2001:db8::7 ~all"/);
  assert.match(FINDINGS['ptr.missing'].remedy(v6, {}), /Ask the owner of 2001:db8::7 .* mail\.example\.com/);
});

test('docs/trust-model.md lists every finding id with its default level', () => {
  const doc = readFileSync(new URL('../../../docs/trust-model.md', import.meta.url), 'utf8');
  for (const id of FINDING_IDS) {
    assert.ok(
      doc.includes(`| \`${id}\` | ${FINDINGS[id].level} |`),
      `docs/trust-model.md: no row for ${id} (${FINDINGS[id].level})`,
    );
  }
});

test('headers.domain-unresolvable names its cause once, in the exact words of each reason', () => {
  const cases: [Omit<HeaderFindingDetail, 'id'>, string][] = [
    [
      { domain: 'nomail.example', reason: 'no-mail-records' },
      'The domain nomail.example in the Reply-To header cannot receive mail: it has no MX, A or AAAA record.',
    ],
    [
      { domain: 'nomail.example', reason: 'null-mx' },
      'The domain nomail.example in the Reply-To header cannot receive mail: it publishes a null MX (RFC 7505).',
    ],
    [
      { value: '[192.0.2.1]', reason: 'address-literal' },
      'The domain [192.0.2.1] in the Reply-To header cannot receive mail: it uses an address literal instead of a domain.',
    ],
    [
      { domain: 'intranet', value: 'intranet', reason: 'not-fqdn' },
      'The domain intranet in the Reply-To header cannot receive mail: it is not a fully qualified domain name.',
    ],
    [
      { domain: 'nomail.example' },
      'The domain nomail.example in the Reply-To header cannot receive mail: it has no MX, A or AAAA record or is not a valid name.',
    ],
  ];
  for (const [detail, expected] of cases) {
    const verdict = decideVerdict(
      message({
        headers: {
          result: 'fail',
          findings: ['headers.domain-unresolvable'],
          details: [{ id: 'headers.domain-unresolvable', field: 'reply-to', ...detail }],
        },
      }),
      defaultPolicy,
    );
    assert.equal(verdict.reasons.find((r) => r.id === 'headers.domain-unresolvable')?.message, expected);
  }
});
