/**
 * Hostile headers stay bounded: huge recipient lists, megabyte fields, deep comments, thousands of fields.
 * These tests assert results only (performance is measured by the benchmarks, not here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { checkHeaderFields, checkHeaders, DEFAULT_MAX_HEADER_DOMAINS } from '../../src/core/headers/index.js';
import { parseAddressList } from '../../src/core/message/address.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { header } from './messages.js';

const MB = 1024 * 1024;

function recipients(count: number, domains: number): string {
  return Array.from({ length: count }, (_, i) => `u${i}@d${i % domains}.example`).join(', ');
}

describe('hostile headers, pure checks', () => {
  test('10,000 recipients in To are parsed; their distinct domains are collected', () => {
    const report = checkHeaderFields(header({ To: recipients(10_000, 10_000) }));
    assert.deepEqual(report.findings, []);
    assert.equal(report.mailboxes.to.length, 10_000);
    assert.equal(report.domains.length, 10_001); // + sender.example
    assert.equal(report.domains[0]?.domain, 'sender.example', 'the sender side comes first');
  });

  test('10,001 recipients are refused as too many', () => {
    const report = checkHeaderFields(header({ To: recipients(10_001, 10) }));
    assert.deepEqual(report.findings, ['headers.address-invalid']);
    assert.equal(report.details[0]?.reason, 'too-many-mailboxes');
    assert.equal(report.mailboxes.to.length, 0);
  });

  test('a 1 MB To field is refused as too long', () => {
    const value = `${recipients(80_000, 5)}`.slice(0, MB);
    assert.ok(value.length >= MB - 1);
    const report = checkHeaderFields(header({ To: value }));
    assert.deepEqual(report.findings, ['headers.address-invalid']);
    assert.equal(report.details[0]?.reason, 'too-long');
    assert.ok((report.details[0]?.value?.length ?? Infinity) <= 201, 'the detail carries a cut value');
  });

  test('1 MB Subject, Date, Message-ID and From fields', () => {
    const big = 'x'.repeat(MB);
    const report = checkHeaderFields(
      header({ Subject: big, Date: `Thu, 26 Nov 2026 06:59:48 +0000 (${big})`, 'Message-ID': `<${big}@x>`, From: big }),
    );
    assert.deepEqual(report.findings, ['headers.from-invalid', 'headers.date-invalid', 'headers.message-id-missing']);
    const reasons = Object.fromEntries(report.details.map((d) => [d.field, d.reason]));
    assert.deepEqual(reasons, { from: 'too-long', date: 'too-long', 'message-id': 'too-long' });
  });

  test('a parser given 1 MB without a cap is linear and fails cleanly', () => {
    const result = parseAddressList('a'.repeat(MB), { maxLength: 2 * MB });
    assert.equal(result.ok, false);
    const many = parseAddressList(recipients(50_000, 3), { maxLength: 4 * MB, maxMailboxes: 100_000 });
    assert.ok(many.ok);
    assert.equal(many.value.length, 50_000);
  });

  test('deep comments in every structured field are refused, not recursed into', () => {
    const deep = '('.repeat(100_000) + ')'.repeat(100_000);
    const report = checkHeaderFields(
      header({
        From: `${deep} a@sender.example`,
        To: `b@desk.example ${deep}`,
        Date: `Thu, 26 Nov 2026 06:59:48 +0000 ${'('.repeat(1000)}${')'.repeat(1000)}`,
        'Message-ID': `${'('.repeat(1000)}${')'.repeat(1000)} <1@x>`,
      }),
    );
    assert.deepEqual(report.findings, [
      'headers.from-invalid',
      'headers.date-invalid',
      'headers.message-id-missing',
      'headers.address-invalid',
    ]);
    for (const detail of report.details) assert.match(detail.error ?? '', /nested too deeply/, JSON.stringify(detail));
  });

  test('an unterminated comment of 200 KB', () => {
    const report = checkHeaderFields(header({ Cc: `a@desk.example (${'x'.repeat(200_000)}` }));
    assert.deepEqual(report.findings, ['headers.address-invalid']);
    assert.match(report.details[0]?.error ?? '', /unterminated comment/);
  });

  test('5,000 To fields: one duplicate detail with the count', () => {
    const report = checkHeaderFields(header({ To: Array.from({ length: 5_000 }, (_, i) => `u${i}@desk.example`) }));
    assert.deepEqual(report.findings, ['headers.duplicate']);
    assert.deepEqual(report.details, [{ id: 'headers.duplicate', field: 'to', count: 5_000 }]);
    assert.equal(report.domains.length, 2);
  });

  test('many invalid domains give one detail each, no more', () => {
    const report = checkHeaderFields(
      header({ To: Array.from({ length: 500 }, (_, i) => `u${i}@[192.0.2.${i % 50}]`).join(',') }),
    );
    assert.deepEqual(report.findings, ['headers.domain-unresolvable']);
    assert.equal(report.details.length, 50);
  });
});

describe('hostile headers with DNS', () => {
  let server: TestDnsServer;
  let ctx: CheckContext;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'sender.example': { MX: [[10, 'mx.sender.example']] },
        'd0.example': { MX: [[10, 'mx.sender.example']] },
      }),
    });
    ctx = {
      resolver: createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0, cache: true }),
      now: () => new Date('2026-11-26T07:00:00Z'),
      limits: { ...defaultLimits },
    };
  });
  after(() => server.close());

  test('10,000 recipients in 10,000 domains: only the first domains are looked up', async () => {
    server.queries.length = 0;
    const result = await checkHeaders(ctx, header({ To: recipients(10_000, 10_000) }));
    assert.equal(result.domains.length, DEFAULT_MAX_HEADER_DOMAINS);
    assert.equal(result.domainsSkipped, 10_001 - DEFAULT_MAX_HEADER_DOMAINS);
    assert.deepEqual(
      result.domains.slice(0, 2).map((d) => [d.domain, d.status]),
      [
        ['sender.example', 'mx'],
        ['d0.example', 'mx'],
      ],
    );
    // d1 … d18 do not exist.
    assert.deepEqual(result.findings, ['headers.domain-nxdomain']);
    assert.equal(result.details.length, DEFAULT_MAX_HEADER_DOMAINS - 2);
    assert.ok(server.queries.length <= 3 * DEFAULT_MAX_HEADER_DOMAINS, `${server.queries.length} queries`);
  });
});
