/** The pure header checks: field counts (RFC 5322 §3.6), address, Date and Message-ID syntax, the domains found. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAddressList } from '../../src/core/message/address.js';
import {
  checkHeaderFields,
  fromDomain,
  fromMailboxes,
  replyToMailboxes,
  SINGLE_FIELDS,
  type HeaderDetail,
  type HeaderFinding,
} from '../../src/core/headers/index.js';
import { header, headerFromText } from './messages.js';

type Case = {
  name: string;
  set?: Record<string, string | string[] | null>;
  extra?: Array<[string, string]>;
  findings: HeaderFinding[];
  /** Details that must be present (matched on the keys given). */
  details?: Array<Partial<HeaderDetail>>;
};

function hasDetail(details: HeaderDetail[], want: Partial<HeaderDetail>): boolean {
  return details.some((detail) =>
    Object.entries(want).every(
      ([key, value]) => JSON.stringify(detail[key as keyof HeaderDetail]) === JSON.stringify(value),
    ),
  );
}

const cases: Case[] = [
  { name: 'a well-formed message', findings: [] },
  // From, §3.6.2
  { name: 'no From', set: { From: null }, findings: ['headers.from-missing'], details: [{ reason: 'missing' }] },
  {
    name: 'two From fields',
    set: { From: ['a@sender.example', 'b@sender.example'] },
    findings: ['headers.from-multiple'],
    details: [{ id: 'headers.from-multiple', reason: 'several-fields', count: 2 }],
  },
  {
    name: 'From without angle brackets around an address after a name',
    set: { From: 'Alice alice@sender.example' },
    findings: ['headers.from-invalid'],
    details: [{ id: 'headers.from-invalid', field: 'from', reason: 'syntax' }],
  },
  { name: 'empty From', set: { From: '' }, findings: ['headers.from-invalid'], details: [{ reason: 'empty' }] },
  { name: 'From of a comment only', set: { From: '(nobody)' }, findings: ['headers.from-invalid'] },
  {
    name: 'From naming only an empty group (RFC 6854)',
    set: { From: 'undisclosed:;' },
    findings: ['headers.from-invalid'],
    details: [{ reason: 'no-mailbox' }],
  },
  { name: 'From as a group with a member (RFC 6854)', set: { From: 'Team: alice@sender.example;' }, findings: [] },
  {
    name: 'From with two mailboxes and no Sender',
    set: { From: 'a@sender.example, b@sender.example' },
    findings: ['headers.from-multiple'],
    details: [{ reason: 'several-mailboxes-without-sender', count: 2 }],
  },
  {
    name: 'From with two mailboxes and a Sender (§3.6.2)',
    set: { From: 'a@sender.example, b@sender.example', Sender: 'a@sender.example' },
    findings: [],
  },
  {
    name: 'From with two mailboxes and a Sender listing two',
    set: { From: 'a@sender.example, b@sender.example', Sender: 'a@sender.example, b@sender.example' },
    findings: ['headers.from-multiple', 'headers.address-invalid'],
    details: [{ id: 'headers.address-invalid', field: 'sender', reason: 'not-single-mailbox' }],
  },
  {
    name: 'From missing its domain',
    set: { From: 'Alice <alice>' },
    findings: ['headers.from-invalid'],
  },
  {
    name: 'From with a trailing dot in the domain',
    set: { From: 'alice@sender.example.' },
    findings: ['headers.from-invalid'],
  },
  // Sender
  {
    name: 'unparsable Sender',
    set: { Sender: 'a@@sender.example' },
    findings: ['headers.address-invalid'],
    details: [{ id: 'headers.address-invalid', field: 'sender', reason: 'syntax' }],
  },
  {
    name: 'Sender as a group',
    set: { Sender: 'G: a@sender.example;' },
    findings: ['headers.address-invalid'],
    details: [{ reason: 'not-single-mailbox' }],
  },
  // Reply-To
  { name: 'a Reply-To list', set: { 'Reply-To': 'a@sender.example, "B" <b@other.example>' }, findings: [] },
  {
    name: 'unparsable Reply-To',
    set: { 'Reply-To': 'Bob <bob@other.example' },
    findings: ['headers.reply-to-invalid'],
    details: [{ id: 'headers.reply-to-invalid', field: 'reply-to', reason: 'syntax' }],
  },
  {
    name: 'empty Reply-To',
    set: { 'Reply-To': '' },
    findings: ['headers.reply-to-invalid'],
    details: [{ reason: 'empty' }],
  },
  {
    name: 'two Reply-To fields',
    set: { 'Reply-To': ['a@sender.example', 'b@sender.example'] },
    findings: ['headers.duplicate'],
    details: [{ id: 'headers.duplicate', field: 'reply-to', count: 2 }],
  },
  // To, Cc, Bcc
  {
    name: 'no To, no Cc, no Bcc',
    set: { To: null },
    findings: ['headers.to-missing'],
    details: [{ id: 'headers.to-missing', reason: 'no-destination' }],
  },
  {
    name: 'Cc only',
    set: { To: null, Cc: 'support@desk.example' },
    findings: ['headers.to-missing'],
    details: [{ reason: 'cc-or-bcc-only' }],
  },
  {
    name: 'Bcc only',
    set: { To: null, Bcc: '' },
    findings: ['headers.to-missing'],
    details: [{ reason: 'cc-or-bcc-only' }],
  },
  { name: 'To as an empty group', set: { To: 'undisclosed-recipients:;' }, findings: [] },
  { name: 'an empty Bcc (§3.6.3)', set: { Bcc: '' }, findings: [] },
  {
    name: 'empty To',
    set: { To: '' },
    findings: ['headers.address-invalid'],
    details: [{ id: 'headers.address-invalid', field: 'to', reason: 'empty' }],
  },
  {
    name: 'To with a bare name',
    set: { To: 'Support' },
    findings: ['headers.address-invalid'],
    details: [{ field: 'to', reason: 'syntax' }],
  },
  {
    name: 'To with a semicolon list (Outlook style)',
    set: { To: 'a@desk.example; b@desk.example' },
    findings: ['headers.address-invalid'],
  },
  {
    name: 'unparsable Cc',
    set: { Cc: 'a@desk.example,, <b@desk' },
    findings: ['headers.address-invalid'],
    details: [{ field: 'cc' }],
  },
  // Subject
  { name: 'no Subject', set: { Subject: null }, findings: ['headers.subject-missing'] },
  { name: 'an empty Subject is well-formed', set: { Subject: '' }, findings: [] },
  {
    name: 'two Subjects',
    set: { Subject: ['one', 'two'] },
    findings: ['headers.duplicate'],
    details: [{ field: 'subject', count: 2 }],
  },
  // Date
  { name: 'no Date', set: { Date: null }, findings: ['headers.date-missing'] },
  {
    name: 'Date in ISO 8601',
    set: { Date: '2026-11-26T06:59:48Z' },
    findings: ['headers.date-invalid'],
    details: [{ id: 'headers.date-invalid', reason: 'syntax', value: '2026-11-26T06:59:48Z' }],
  },
  {
    name: 'Date on the wrong weekday',
    set: { Date: 'Mon, 26 Nov 2026 06:59:48 +0000' },
    findings: ['headers.date-invalid'],
    details: [{ reason: 'weekday-mismatch' }],
  },
  { name: 'Date in obsolete syntax', set: { Date: '26 Nov 26 06:59:48 EST' }, findings: [] },
  {
    name: 'two Date fields',
    set: { Date: ['Thu, 26 Nov 2026 06:59:48 +0000', 'Thu, 26 Nov 2026 07:00:00 +0000'] },
    findings: ['headers.duplicate'],
    details: [{ field: 'date', count: 2 }],
  },
  // Message-ID
  {
    name: 'no Message-ID',
    set: { 'Message-ID': null },
    findings: ['headers.message-id-missing'],
    details: [{ reason: 'missing' }],
  },
  {
    name: 'Message-ID without brackets',
    set: { 'Message-ID': '1234@sender.example' },
    findings: ['headers.message-id-missing'],
    details: [{ id: 'headers.message-id-missing', reason: 'invalid', value: '1234@sender.example' }],
  },
  {
    name: 'two Message-ID fields',
    set: { 'Message-ID': ['<1@sender.example>', '<2@sender.example>'] },
    findings: ['headers.duplicate'],
  },
  // Fields that may repeat
  {
    name: 'Comments, Keywords and Received may repeat',
    extra: [
      ['Comments', 'a'],
      ['Comments', 'b'],
      ['Keywords', 'x'],
      ['Keywords', 'y'],
      ['Received', 'from a by b; Thu, 26 Nov 2026 06:59:48 +0000'],
      ['Received', 'from c by d; Thu, 26 Nov 2026 06:59:48 +0000'],
    ],
    findings: [],
  },
  // Domains that cannot be looked up
  {
    name: 'a domain literal',
    set: { To: 'support@[192.0.2.1]' },
    findings: ['headers.domain-unresolvable'],
    details: [{ id: 'headers.domain-unresolvable', field: 'to', value: '[192.0.2.1]', reason: 'address-literal' }],
  },
  {
    name: 'localhost',
    set: { From: 'root@localhost' },
    findings: ['headers.domain-unresolvable'],
    details: [{ field: 'from', reason: 'special-use', domain: 'localhost' }],
  },
  { name: '.invalid', set: { Cc: 'x@invalid.tld.invalid' }, findings: ['headers.domain-unresolvable'] },
  {
    name: 'a single-label domain',
    set: { To: 'support@mailserver' },
    findings: ['headers.domain-unresolvable'],
    details: [{ reason: 'not-fqdn', value: 'mailserver', domain: 'mailserver' }],
  },
  {
    name: 'an underscore in the domain',
    set: { 'Reply-To': 'x@bad_name.example' },
    findings: ['headers.domain-unresolvable'],
    details: [{ field: 'reply-to', reason: 'invalid' }],
  },
  { name: 'a label starting with a hyphen', set: { To: 'x@-desk.example' }, findings: ['headers.domain-unresolvable'] },
  {
    name: 'a label over 63 octets',
    set: { To: `x@${'a'.repeat(64)}.example` },
    findings: ['headers.domain-unresolvable'],
  },
  { name: 'an all-numeric top label', set: { To: 'x@192.0.2.1' }, findings: ['headers.domain-unresolvable'] },
  {
    name: 'several findings at once, listed in the documented order',
    set: { From: null, Subject: null, Date: 'nope', To: null },
    findings: ['headers.from-missing', 'headers.subject-missing', 'headers.to-missing', 'headers.date-invalid'],
  },
];

describe('checkHeaderFields rules', () => {
  for (const c of cases) {
    test(c.name, () => {
      const report = checkHeaderFields(header(c.set ?? {}, c.extra ?? []));
      assert.deepEqual(report.findings, c.findings, JSON.stringify(report.details));
      for (const want of c.details ?? []) {
        assert.ok(
          hasDetail(report.details, want),
          `missing ${JSON.stringify(want)} in ${JSON.stringify(report.details)}`,
        );
      }
      // every finding has a detail, every detail a finding
      assert.deepEqual(new Set(report.details.map((d) => d.id)), new Set(report.findings));
    });
  }

  test('every field §3.6 allows once is reported when repeated (From as from-multiple)', () => {
    for (const name of SINGLE_FIELDS) {
      const base = header();
      const values: Record<string, string> = {
        date: 'Thu, 26 Nov 2026 06:59:48 +0000',
        from: 'a@sender.example',
        sender: 'a@sender.example',
        'reply-to': 'a@sender.example',
        to: 'a@desk.example',
        cc: 'a@desk.example',
        bcc: 'a@desk.example',
        'message-id': '<x@sender.example>',
        'in-reply-to': '<y@sender.example>',
        references: '<y@sender.example>',
        subject: 'hello',
      };
      const existing = base.fields.filter((f) => f.name === name).length;
      const copies = Array.from(
        { length: existing === 0 ? 2 : 1 },
        () => [name, values[name] ?? 'x'] as [string, string],
      );
      const report = checkHeaderFields(header({}, copies));
      if (name === 'from') {
        assert.ok(report.findings.includes('headers.from-multiple'), name);
        assert.ok(!report.findings.includes('headers.duplicate'), name);
      } else {
        assert.deepEqual(report.findings, ['headers.duplicate'], name);
        assert.equal(report.details[0]?.field, name);
        assert.equal(report.details[0]?.count, 2);
      }
    }
  });

  test('field names are case-insensitive', () => {
    const report = checkHeaderFields(
      headerFromText(
        'FROM: a@sender.example\r\nto: b@desk.example\r\nsUbJeCt: x\r\nDATE: Thu, 26 Nov 2026 06:59:48 +0000\r\nmessage-id: <1@x>\r\n\r\n',
      ),
    );
    assert.deepEqual(report.findings, []);
  });

  test('bare LF line ends and folded fields', () => {
    const report = checkHeaderFields(
      headerFromText(
        'From: Alice\n  <alice@sender.example>\nTo: a@desk.example,\n\tb@desk.example\nSubject: x\nDate: Thu,\n 26 Nov 2026 06:59:48 +0000\nMessage-ID:\n <1@x>\n\nbody',
      ),
    );
    assert.deepEqual(report.findings, []);
    assert.equal(report.mailboxes.to.length, 2);
  });

  test('a field that is not UTF-8 is invalid', () => {
    const bytes = Buffer.concat([
      Buffer.from('From: '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(
        ' <a@sender.example>\r\nTo: b@desk.example\r\nSubject: x\r\nDate: Thu, 26 Nov 2026 06:59:48 +0000\r\nMessage-ID: <1@x>\r\n\r\n',
      ),
    ]);
    const report = checkHeaderFields(headerFromText(bytes));
    assert.deepEqual(report.findings, ['headers.from-invalid']);
    assert.equal(report.details[0]?.reason, 'invalid-utf8');
  });

  test('the parsed Date and Message-ID are returned', () => {
    const report = checkHeaderFields(header());
    assert.equal(report.date?.instant.toISOString(), '2026-11-26T06:59:48.000Z');
    assert.equal(report.messageId?.id, '20261126065948.1@sender.example');
  });

  test('long values are cut in details', () => {
    const value = `Alice ${'x'.repeat(500)}`;
    const report = checkHeaderFields(header({ From: value }));
    const detail = report.details.find((d) => d.id === 'headers.from-invalid');
    assert.ok(detail?.value);
    assert.ok(detail.value.length <= 201);
    assert.ok(value.startsWith(detail.value.slice(0, -1)));
  });
});

describe('domains of the address fields', () => {
  test('distinct, A-labels, lower case, sender side first, with their fields', () => {
    const report = checkHeaderFields(
      header({
        From: 'Jörg <jörg@Bücher.Example>',
        Sender: 'agent@Relay.Example',
        'Reply-To': 'help@desk.example',
        To: 'support@DESK.example, x@bücher.example',
        Cc: 'пользователь@пример.испытание',
        Bcc: 'hidden@bcc-only.example',
      }),
    );
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.domains, [
      { domain: 'xn--bcher-kva.example', fields: ['from', 'to'] },
      { domain: 'relay.example', fields: ['sender'] },
      { domain: 'desk.example', fields: ['reply-to', 'to'] },
      { domain: 'xn--e1afmkfd.xn--80akhbyknj4f', fields: ['cc'] },
    ]);
  });

  test('an invalid domain in several fields is one detail naming them', () => {
    const report = checkHeaderFields(header({ To: 'a@[192.0.2.1]', Cc: 'b@[192.0.2.1]' }));
    const details = report.details.filter((d) => d.id === 'headers.domain-unresolvable');
    assert.equal(details.length, 1);
    assert.deepEqual(details[0]?.fields, ['to', 'cc']);
    assert.equal(
      report.domains.some((d) => d.domain === '192.0.2.1'),
      false,
    );
  });

  test('unparsable fields contribute no domains', () => {
    const report = checkHeaderFields(header({ To: 'x@broken.example <' }));
    assert.deepEqual(
      report.domains.map((d) => d.domain),
      ['sender.example'],
    );
  });
});

describe('address edge cases through the checks', () => {
  const valid: Array<[string, string]> = [
    ['quoted local part', '"john doe"@sender.example'],
    ['quoted local part with escapes', '"a\\"b\\\\c"@sender.example'],
    ['quoted display name with a comma', '"Doe, John" <john@sender.example>'],
    ['comments everywhere', '(c1) John (c2) <john (c3) @ (c4) sender.example (c5)> (c6)'],
    ['nested comments', 'john@sender.example (a (b (c)))'],
    ['obsolete route', '<@relay.example:john@sender.example>'],
    ['obsolete phrase with dots', 'John Q. Public <john@sender.example>'],
    ['RFC 2047 display name', '=?utf-8?q?J=C3=B6rg?= <jorg@sender.example>'],
    ['UTF-8 display name', 'Jörg Müller <jorg@sender.example>'],
    ['UTF-8 local part (RFC 6532)', 'jörg@sender.example'],
    ['IDN domain', 'jorg@bücher.example'],
    ['A-label domain', 'jorg@xn--bcher-kva.example'],
    ['atext specials in the local part', "a!#$%&'*+-/=?^_`{|}~@sender.example"],
    ['dotted local part', 'first.last@sender.example'],
    ['obsolete local part with spaces around dots', 'first . last@sender.example'],
  ];
  for (const [name, from] of valid) {
    test(`valid: ${name}`, () => {
      const report = checkHeaderFields(header({ From: from }));
      assert.deepEqual(report.findings, [], JSON.stringify(report.details));
      assert.equal(report.mailboxes.from.length, 1);
    });
  }
  const invalid: Array<[string, string]> = [
    ['two @', 'a@b@sender.example'],
    ['no local part', '@sender.example'],
    ['leading dot', '.john@sender.example'],
    ['double dot', 'john..doe@sender.example'],
    ['trailing dot', 'john.@sender.example'],
    ['unterminated quoted string', '"john@sender.example'],
    ['unterminated comment', 'john@sender.example (oops'],
    ['unterminated angle address', 'John <john@sender.example'],
    ['space in an unquoted local part', 'john doe@sender.example'],
    ['comma in an unquoted display name', 'Doe, John <john@sender.example>'],
    ['a group inside a group', 'A: B: x@sender.example;;'],
    ['unterminated group', 'A: x@sender.example'],
    ['a control character', 'john\u0001@sender.example'],
    ['a bracket in a domain literal', 'john@[1.2[3]'],
  ];
  for (const [name, from] of invalid) {
    test(`invalid: ${name}`, () => {
      const report = checkHeaderFields(header({ From: from }));
      assert.deepEqual(report.findings, ['headers.from-invalid'], JSON.stringify(report.details));
    });
  }
});

describe('helpers for the verdict', () => {
  test('fromMailboxes', () => {
    const ok = fromMailboxes(header({ From: 'A <a@x.example>, b@y.example' }));
    assert.ok(ok.ok);
    assert.deepEqual(
      ok.value.map((m) => `${m.localPart}@${m.domain}`),
      ['a@x.example', 'b@y.example'],
    );
    const missing = fromMailboxes(header({ From: null }));
    assert.equal(missing.ok ? '' : missing.error.code, 'headers.from-missing');
    const multiple = fromMailboxes(header({ From: ['a@x.example', 'b@x.example'] }));
    assert.equal(multiple.ok ? '' : multiple.error.code, 'headers.from-multiple');
    const invalid = fromMailboxes(header({ From: 'nope' }));
    assert.equal(invalid.ok ? '' : invalid.error.code, 'headers.from-invalid');
    const empty = fromMailboxes(header({ From: 'g:;' }));
    assert.equal(empty.ok ? '' : empty.error.code, 'headers.from-invalid');
  });

  test('replyToMailboxes falls back to From', () => {
    const own = replyToMailboxes(header({ 'Reply-To': 'r@reply.example' }));
    assert.ok(own.ok);
    assert.equal(own.value[0]?.domain, 'reply.example');
    const fallback = replyToMailboxes(header());
    assert.ok(fallback.ok);
    assert.equal(fallback.value[0]?.domain, 'sender.example');
    const bad = replyToMailboxes(header({ 'Reply-To': '<' }));
    assert.equal(bad.ok ? '' : bad.error.code, 'headers.reply-to-invalid');
  });

  test('fromDomain', () => {
    assert.equal(fromDomain(header({ From: 'a@Bücher.Example' })), 'xn--bcher-kva.example');
    assert.equal(fromDomain(header({ From: 'a@x.example, b@X.example' })), 'x.example');
    assert.equal(fromDomain(header({ From: 'a@x.example, b@y.example' })), undefined);
    assert.equal(fromDomain(header({ From: 'a@[192.0.2.1]' })), undefined);
    assert.equal(fromDomain(header({ From: null })), undefined);
  });
});

describe('quoted strings in address lists (RFC 5322 §3.2.4)', () => {
  const cases: Array<[string, string, string]> = [
    ['plain', '"Doe, John" <john@sender.example>', 'Doe, John'],
    ['quoted-pairs undone', '"a\\"b\\\\c" <john@sender.example>', 'a"b\\c'],
    ['folding dropped', '"Doe,\r\n John" <john@sender.example>', 'Doe, John'],
    ['quoted-pair after plain text', '"Doe \\(J\\)" <john@sender.example>', 'Doe (J)'],
    ['empty', '"" <john@sender.example>', ''],
  ];
  for (const [name, value, displayName] of cases) {
    test(name, () => {
      const parsed = parseAddressList(value);
      assert.ok(parsed.ok, JSON.stringify(parsed));
      assert.equal(parsed.value[0]?.displayName ?? '', displayName);
      assert.equal(parsed.value[0]?.localPart, 'john');
    });
  }
  test('a quoted string that does not end is an error', () => {
    for (const value of ['"Doe <john@sender.example>', '"Doe\\', '"Doe\\"']) {
      const parsed = parseAddressList(value);
      assert.ok(!parsed.ok, value);
      assert.match(parsed.error.message, /unterminated quoted string/);
    }
  });
});

describe('parseAddressList: the last list is kept for the next reader of the same text', () => {
  test('the same text under other caps: reused only where it fits them, and frozen', () => {
    const text = 'a@example.com, b@example.com, c@example.com';
    const wide = parseAddressList(text, { maxMailboxes: 10 });
    assert.ok(wide.ok);
    assert.equal(wide.value.length, 3);
    assert.ok(Object.isFrozen(wide.value) && Object.isFrozen(wide.value[0]));
    const again = parseAddressList(text);
    assert.ok(again.ok);
    assert.equal(again.value, wide.value, 'the list is shared');
    const narrow = parseAddressList(text, { maxMailboxes: 2 });
    assert.equal(narrow.ok, false, 'three mailboxes are over a cap of two');
    const short = parseAddressList(text, { maxLength: 10 });
    assert.equal(short.ok, false, 'the text is over a length cap of ten');
    const other = parseAddressList('d@example.org');
    assert.ok(other.ok);
    assert.equal(other.value[0]?.domain, 'example.org');
  });
});
