/**
 * The records the audit suggests must work when published: the SPF record, put in the zone in place of the current
 * one, authorizes every audited address through check_host() within 10 lookups (and lints clean of failures); the
 * DMARC record and every step towards p=reject parse and are found by policy discovery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditDomain, type AuditReport, type SuggestedRecord } from '../../src/core/audit/index.js';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { discoverDmarcRecord } from '../../src/core/dmarc/discovery.js';
import { parseDmarcRecord } from '../../src/core/dmarc/record.js';
import { createResolver } from '../../src/core/dns/index.js';
import { checkHost } from '../../src/core/spf/check-host.js';
import { lintSpf } from '../../src/core/spf/lint.js';
import { parseSpfRecord } from '../../src/core/spf/parse.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer, type ZoneShorthand } from '../support/dns-server.js';
import { auditRules, auditZone } from './fixtures.js';

let current: TestDnsServer;
let published: TestDnsServer;
const now = () => new Date('2026-11-26T00:00:00Z');
const context = (server: TestDnsServer): CheckContext => ({
  // No cache: each evaluation sees the zone as it is now.
  resolver: createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0, cache: false }),
  now,
  limits: { ...defaultLimits },
});

before(async () => {
  current = await startTestDnsServer({ records: zoneRecords(auditZone()), rules: auditRules });
  published = await startTestDnsServer({ records: [], rules: [] });
});
after(async () => {
  await current.close();
  await published.close();
});

/** The zone with `record` published at its name (TXT of that kind replaced). */
function publish(zone: ZoneShorthand, record: SuggestedRecord): ZoneShorthand {
  const copy: ZoneShorthand = { ...zone };
  const existing = copy[record.name] ?? {};
  const others = (existing.TXT ?? []).filter((txt) => {
    const text = Array.isArray(txt) ? txt.join('') : txt;
    return record.kind === 'spf' ? !/^v=spf1( |$)/i.test(text) : !/^v=DMARC1/i.test(text);
  });
  copy[record.name] = { ...existing, TXT: [...others, record.strings ?? [record.value]] };
  return copy;
}

const spfCases: { domain: string; ips: string[] }[] = [
  { domain: 'spf-none.com', ips: ['192.0.2.40', '2001:db8::40'] },
  { domain: 'spf-multi.com', ips: ['192.0.2.41'] },
  { domain: 'spf-syntax.com', ips: ['192.0.2.42'] },
  { domain: 'spf-lookups.com', ips: ['192.0.2.43', '203.0.113.10'] },
  { domain: 'spf-void.com', ips: ['192.0.2.44'] },
  { domain: 'spf-loop.com', ips: ['192.0.2.44'] },
  { domain: 'spf-missing-include.com', ips: ['192.0.2.44'] },
  { domain: 'spf-weak.com', ips: ['192.0.2.45', '198.51.100.200'] },
  { domain: 'spf-neutral.com', ips: ['192.0.2.46', '192.0.2.146'] },
  { domain: 'spf-noall.com', ips: ['192.0.2.47'] },
  { domain: 'spf-long.com', ips: ['192.0.2.48', '198.51.100.5'] },
  { domain: 'model-sender.com', ips: ['192.0.2.10', '198.51.100.3', '203.0.113.99'] },
];

describe('suggested SPF record', () => {
  for (const { domain, ips } of spfCases)
    test(`${domain}: published, it authorizes ${ips.join(', ')} within 10 lookups`, async () => {
      const report = await auditDomain(context(current), { domain, ips, selectors: ['s1'] });
      const spf = report.suggestions.find((s) => s.kind === 'spf');
      assert.ok(spf, `an SPF record is suggested for ${domain}`);
      assert.equal(spf.name, domain);
      assert.equal(spf.type, 'TXT');
      const parsed = parseSpfRecord(spf.value);
      assert.ok(parsed.ok, `the suggestion parses: ${spf.value}`);
      assert.equal(spf.strings?.join(''), spf.value);
      assert.ok(spf.strings?.every((s) => s.length <= 255));
      assert.ok((spf.lookups ?? 99) <= 10);

      published.setRecords(zoneRecords(publish(auditZone(), spf)));
      const ctx = context(published);
      for (const ip of ips) {
        const result = await checkHost(ctx, { ip, domain, sender: `postmaster@${domain}` });
        assert.equal(result.result, 'pass', `${ip} passes with ${spf.value}: ${result.error?.message ?? ''}`);
        assert.ok(result.lookups <= 10);
        assert.ok(!/^\+?all$/.test(result.mechanism ?? ''), 'not by a +all');
      }
      const lint = await lintSpf(ctx, domain);
      assert.deepEqual(
        lint.findings.filter((f) => f.status === 'fail').map((f) => f.message),
        [],
      );
      assert.ok(lint.lookups <= 10, `worst case ${lint.lookups} lookups`);
      assert.equal(lint.lookups, spf.lookups, 'the suggestion counts lookups as the lint does');
      // Published, the audit has nothing more to say about SPF for these addresses.
      const again = await auditDomain(ctx, { domain, ips, selectors: ['s1'] });
      assert.ok(
        again.checks.filter((c) => c.id === 'spf.ip-not-authorized').every((c) => c.status === 'pass'),
        'every address authorized',
      );
    });

  test('the existing include and -all are kept; ptr, +all and void terms are dropped', async () => {
    const weak = await auditDomain(context(current), { domain: 'spf-weak.com', ips: ['192.0.2.45'] });
    const value = weak.suggestions.find((s) => s.kind === 'spf')?.value ?? '';
    assert.doesNotMatch(value, /\bptr\b|\+all/);
    assert.match(value, /~all$/);
    const model = await auditDomain(context(current), { domain: 'model-sender.com', ips: ['203.0.113.99'] });
    assert.equal(
      model.suggestions.find((s) => s.kind === 'spf')?.value,
      'v=spf1 ip4:203.0.113.99 ip4:192.0.2.10 include:_spf.model-sender.com -all',
    );
    const voids = await auditDomain(context(current), { domain: 'spf-void.com', ips: ['192.0.2.44'] });
    assert.equal(voids.suggestions.find((s) => s.kind === 'spf')?.value, 'v=spf1 ip4:192.0.2.44 -all');
  });

  test('over the limit: includes past 10 lookups are dropped and the addresses listed', async () => {
    const report = await auditDomain(context(current), { domain: 'spf-lookups.com', ips: ['192.0.2.43'] });
    const spf = report.suggestions.find((s) => s.kind === 'spf');
    assert.equal(spf?.lookups, 10);
    assert.match(spf?.note ?? '', /dropped include:i10\.spf-lookups\.com/);
  });

  test('no suggestion when the record already authorizes every address', async () => {
    const report = await auditDomain(context(current), { domain: 'model-sender.com', ips: ['192.0.2.10'] });
    assert.equal(
      report.suggestions.find((s) => s.kind === 'spf'),
      undefined,
    );
  });
});

function dmarcSuggestion(report: AuditReport): SuggestedRecord {
  const dmarc = report.suggestions.find((s) => s.kind === 'dmarc');
  assert.ok(dmarc, 'a DMARC record is suggested');
  return dmarc;
}

describe('suggested DMARC record', () => {
  test('without a record: the starter p=none with rua at the domain, and the way to p=reject', async () => {
    const report = await auditDomain(context(current), { domain: 'dmarc-none.com', ips: ['192.0.2.10'] });
    const dmarc = dmarcSuggestion(report);
    assert.equal(dmarc.name, '_dmarc.dmarc-none.com');
    const parsed = parseDmarcRecord(dmarc.value);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.policy, 'none');
    assert.deepEqual(
      parsed.value.aggregateReportUris.map((u) => u.uri),
      ['mailto:dmarc-reports@dmarc-none.com'],
    );
    assert.deepEqual(parsed.value.warnings, []);
    const policies = (dmarc.steps ?? []).map((step) => {
      const p = parseDmarcRecord(step);
      assert.ok(p.ok, step);
      assert.deepEqual(p.value.warnings, [], step);
      return `${p.value.policy}/${p.value.pct}`;
    });
    assert.deepEqual(policies, ['none/100', 'quarantine/25', 'quarantine/100', 'reject/100']);

    published.setRecords(zoneRecords(publish(auditZone(), dmarc)));
    const found = await discoverDmarcRecord(context(published), 'dmarc-none.com');
    assert.equal(found.kind, 'found');
    const again = await auditDomain(context(published), { domain: 'dmarc-none.com', ips: ['192.0.2.10'] });
    assert.ok(again.checks.some((c) => c.id === 'dmarc.none' && c.status === 'pass'));
    assert.ok(again.checks.some((c) => c.id === 'dmarc.no-rua' && c.status === 'pass'));
  });

  for (const domain of ['dmarc-multi.com', 'dmarc-broken.com', 'dmarc-weak.com', 'dmarc-sub.com', 'dmarc-ext.com'])
    test(`${domain}: the suggestion and its steps parse without warnings`, async () => {
      const report = await auditDomain(context(current), { domain, ips: ['192.0.2.10'] });
      const dmarc = dmarcSuggestion(report);
      for (const text of [dmarc.value, ...(dmarc.steps ?? [])]) {
        const parsed = parseDmarcRecord(text);
        assert.ok(parsed.ok, text);
        assert.deepEqual(parsed.value.warnings, [], text);
        assert.ok(parsed.value.aggregateReportUris.length > 0, `${text} has rua`);
      }
    });

  test('the next step keeps the existing rua and moves one step towards p=reject', async () => {
    const weak = dmarcSuggestion(
      await auditDomain(context(current), { domain: 'dmarc-weak.com', ips: ['192.0.2.10'] }),
    );
    assert.equal(
      weak.value,
      'v=DMARC1; p=quarantine; pct=25; rua=mailto:reports@dmarc-vendor.net,mailto:d@dmarc-weak.com',
    );
    const ext = dmarcSuggestion(await auditDomain(context(current), { domain: 'dmarc-ext.com', ips: ['192.0.2.10'] }));
    assert.equal(ext.value, 'v=DMARC1; p=reject; rua=mailto:agg@dmarc-vendor.net');
    const sub = dmarcSuggestion(await auditDomain(context(current), { domain: 'dmarc-sub.com', ips: ['192.0.2.10'] }));
    const parsed = parseDmarcRecord(sub.value);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.policy, 'reject');
    assert.equal(parsed.value.subdomainPolicy, undefined, 'the weaker sp is gone');
  });

  test('no suggestion for p=reject with rua', async () => {
    const report = await auditDomain(context(current), { domain: 'model-sender.com', ips: ['192.0.2.10'] });
    assert.equal(
      report.suggestions.find((s) => s.kind === 'dmarc'),
      undefined,
    );
  });
});
