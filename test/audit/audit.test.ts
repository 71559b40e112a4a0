/**
 * The sending-domain audit (docs/audit.md) over real DNS: the loopback test server answers mailtrust's own resolver.
 * One fixture per finding id (test/audit/fixtures.ts), the model setup without failures, a domain that does not
 * exist, DNS trouble.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  auditDomain,
  COMMON_DKIM_SELECTORS,
  MAX_AUDITED_ADDRESSES,
  MAX_SELECTORS,
} from '../../src/core/audit/index.js';
import type { AuditCheck, AuditInput, AuditReport, AuditStatus } from '../../src/core/audit/index.js';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { auditRules, auditZone } from './fixtures.js';

let server: TestDnsServer;
let ctx: CheckContext;

before(async () => {
  server = await startTestDnsServer({ records: zoneRecords(auditZone()), rules: auditRules });
  ctx = {
    resolver: createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0 }),
    now: () => new Date('2026-11-26T00:00:00Z'),
    limits: { ...defaultLimits },
  };
});
after(() => server.close());

function audit(input: AuditInput): Promise<AuditReport> {
  return auditDomain(ctx, input);
}

/** The checks with this id (and subject, when given). */
function checks(report: AuditReport, id: string, subject?: string): AuditCheck[] {
  return report.checks.filter((c) => c.id === id && (subject === undefined || c.subject === subject));
}

/** The one check with this id (and subject), asserting its status. */
function expectCheck(report: AuditReport, id: string, status: AuditStatus, subject?: string): AuditCheck {
  const found = checks(report, id, subject);
  assert.ok(
    found.length > 0,
    `no ${id} check${subject ? ` for ${subject}` : ''}; got ${report.checks.map((c) => `${c.id}:${c.status}`).join(' ')}`,
  );
  assert.ok(
    found.some((c) => c.status === status),
    `${id}${subject ? ` (${subject})` : ''}: expected ${status}, got ${found.map((c) => c.status).join(', ')}`,
  );
  const check = found.find((c) => c.status === status)!;
  assert.ok(check.message.length > 0 && check.rule.length > 0, `${id} has a message and a rule`);
  if (status === 'fail' || status === 'warn') assert.ok(check.remedy.length > 0, `${id} says how to fix it`);
  return check;
}

describe('model setup', () => {
  test('every recommendation followed: no failure, no warning, result pass', async () => {
    const report = await audit({
      domain: 'model-sender.com',
      ips: ['192.0.2.10'],
      helo: 'mail.model-sender.com',
      selectors: ['s1', 'ed'],
    });
    const bad = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
    assert.deepEqual(
      bad.map((c) => `${c.id}: ${c.message}`),
      [],
    );
    assert.equal(report.result, 'pass');
    assert.equal(report.domainExists, true);
    for (const area of ['ptr', 'helo', 'spf', 'dkim', 'dmarc', 'mx', 'forms'] as const)
      assert.ok(
        report.checks.some((c) => c.area === area),
        `area ${area} has checks`,
      );
    expectCheck(report, 'ptr.missing', 'pass', '192.0.2.10');
    expectCheck(report, 'ptr.not-confirmed', 'pass', '192.0.2.10');
    expectCheck(report, 'helo.not-mx', 'pass', '192.0.2.10');
    expectCheck(report, 'spf.ip-not-authorized', 'pass', '192.0.2.10');
    assert.equal(expectCheck(report, 'spf.too-many-lookups', 'pass').value, '1/10');
    assert.equal(checks(report, 'dkim.key-too-short').find((c) => c.subject?.startsWith('s1.'))?.value, 'rsa 2048');
    assert.equal(checks(report, 'dkim.key-too-short').find((c) => c.subject?.startsWith('ed.'))?.value, 'ed25519');
    expectCheck(report, 'dmarc.policy-none', 'pass');
    assert.equal(report.heloSource, 'given');
    assert.deepEqual(report.selectors, { source: 'given', tried: ['s1', 'ed'], found: ['s1', 'ed'] });
    // Nothing to publish: the records are right.
    assert.deepEqual(report.suggestions, []);
    assert.ok(report.dns.queries > 0 && report.dns.answered === report.dns.queries);
  });

  test('without --ip and --selector: MX and SPF addresses, common selectors, the PTR name as HELO', async () => {
    const report = await audit({ domain: 'model-sender.com' });
    assert.equal(report.result, 'pass');
    assert.equal(report.addresses.source, 'discovered');
    assert.deepEqual(report.addresses.ips, ['192.0.2.10']);
    assert.deepEqual(report.addresses.origins['192.0.2.10']?.sort(), [
      'mx:mail.model-sender.com',
      'spf:ip4:192.0.2.10',
    ]);
    assert.equal(report.selectors.source, 'common');
    assert.deepEqual(report.selectors.tried, [...COMMON_DKIM_SELECTORS]);
    assert.deepEqual(report.selectors.found, ['s1']);
    assert.equal(report.heloSource, 'ptr');
    assert.match(expectCheck(report, 'helo.unresolvable', 'pass').message, /PTR name of 192\.0\.2\.10/);
  });

  test('web forms and scripts: the guide checklist as info items', async () => {
    const report = await audit({ domain: 'model-sender.com', ips: ['192.0.2.10'] });
    const forms = report.checks.filter((c) => c.area === 'forms');
    assert.deepEqual(
      forms.map((c) => c.id),
      [
        'forms.captcha',
        'forms.rfc5322-headers',
        'forms.reply-to',
        'forms.redundancy-copy',
        'forms.retry-4xx',
        'forms.mx-lookup',
      ],
    );
    assert.ok(forms.every((c) => c.status === 'info'));
  });

  test('the DMARC record of the Organizational Domain covers a subdomain', async () => {
    const report = await audit({ domain: 'news.model-sender.com', ips: ['192.0.2.10'], selectors: ['s1'] });
    const found = expectCheck(report, 'dmarc.none', 'pass');
    assert.equal(found.value, 'model-sender.com');
    assert.match(found.message, /Organizational Domain/);
  });
});

describe('a domain that does not exist', () => {
  test('clear fail: mx.nxdomain, domainExists false, no suggestions', async () => {
    const report = await audit({ domain: 'does-not-exist.com' });
    assert.equal(report.result, 'fail');
    assert.equal(report.domainExists, false);
    expectCheck(report, 'mx.nxdomain', 'fail', 'does-not-exist.com');
    expectCheck(report, 'spf.none', 'fail');
    expectCheck(report, 'dmarc.none', 'fail');
    assert.deepEqual(report.suggestions, []);
    // No fix points at a suggested record the report does not print.
    for (const check of report.checks) assert.doesNotMatch(check.remedy, /suggested/, `${check.id}: ${check.remedy}`);
  });

  test('a name that is not a domain is a failing check, not an exception', async () => {
    const report = await audit({ domain: 'not a domain' });
    assert.equal(report.result, 'fail');
    expectCheck(report, 'mx.nxdomain', 'fail');
    assert.equal(report.dns.queries, 0);
  });
});

describe('PTR (guide recommendation 1)', () => {
  let report: AuditReport;
  before(async () => {
    report = await audit({ domain: 'ptr-sender.com', ips: ['192.0.2.20', '192.0.2.21', '192.0.2.22', '192.0.2.23'] });
  });
  test('ptr.missing', () => {
    expectCheck(report, 'ptr.missing', 'fail', '192.0.2.20');
  });
  test('ptr.not-confirmed', () => {
    expectCheck(report, 'ptr.missing', 'pass', '192.0.2.21');
    assert.equal(expectCheck(report, 'ptr.not-confirmed', 'fail', '192.0.2.21').value, 'liar.ptr-sender.com');
  });
  test('ptr.generic (the guide: 4-3-2-1-cable-subscribers.isp.com)', () => {
    assert.equal(expectCheck(report, 'ptr.generic', 'fail', '192.0.2.22').value, '22-2-0-192.dyn.isp-example.net');
    expectCheck(report, 'ptr.generic', 'pass', '192.0.2.23');
  });
  test('ptr.foreign-domain', () => {
    expectCheck(report, 'ptr.foreign-domain', 'warn', '192.0.2.22');
    expectCheck(report, 'ptr.foreign-domain', 'pass', '192.0.2.23');
  });
  test('ptr.multiple', () => {
    expectCheck(report, 'ptr.multiple', 'info', '192.0.2.23');
  });
  test('helo.missing when there is no HELO and no confirmed PTR name', () => {
    expectCheck(report, 'helo.missing', 'info', '192.0.2.20');
  });
  test('a PTR record to ask for, and the A record it needs', () => {
    const ptr = report.suggestions.find((s) => s.kind === 'ptr' && s.name === '20.2.0.192.in-addr.arpa');
    assert.ok(ptr, 'PTR suggestion for 192.0.2.20');
    assert.equal(ptr.value, 'mail.ptr-sender.com');
    assert.equal(ptr.type, 'PTR');
    const a = report.suggestions.find((s) => s.kind === 'a' && s.value === '192.0.2.20');
    assert.ok(a, 'mail.ptr-sender.com does not resolve to 192.0.2.20, so an A record is suggested');
    assert.equal(a.name, 'mail.ptr-sender.com');
    assert.ok(!report.suggestions.some((s) => s.kind === 'ptr' && s.name === '23.2.0.192.in-addr.arpa'));
  });
});

describe('HELO (guide recommendation 2)', () => {
  const cases: [string, string, AuditStatus][] = [
    ['localhost', 'helo.localhost', 'fail'],
    ['192.0.2.10', 'helo.bare-ip', 'fail'],
    ['[192.0.2.99]', 'helo.literal-mismatch', 'fail'],
    ['mailserver', 'helo.not-fqdn', 'fail'],
    ['mail.invalid', 'helo.special-use', 'fail'],
    ['nowhere.model-sender.com', 'helo.nxdomain', 'fail'],
    ['empty.model-sender.com', 'helo.unresolvable', 'fail'],
    ['other.model-sender.com', 'helo.ip-mismatch', 'warn'],
    ['mail.other-org.net', 'helo.foreign-domain', 'warn'],
    ['out.model-sender.com', 'helo.not-mx', 'warn'],
  ];
  for (const [helo, id, status] of cases)
    test(`${id}: HELO ${helo}`, async () => {
      const report = await audit({ domain: 'model-sender.com', ips: ['192.0.2.10'], helo, selectors: ['s1'] });
      expectCheck(report, id, status, '192.0.2.10');
      assert.equal(report.result, status);
    });

  test('the given HELO name passes every HELO check', async () => {
    const report = await audit({ domain: 'model-sender.com', ips: ['192.0.2.10'], helo: 'mail.model-sender.com' });
    for (const id of ['helo.unresolvable', 'helo.ip-mismatch', 'helo.foreign-domain', 'helo.not-mx'])
      expectCheck(report, id, 'pass', '192.0.2.10');
  });
});

describe('SPF (guide recommendation 3)', () => {
  const cases: [string, string, string, AuditStatus][] = [
    ['spf-none.com', '192.0.2.40', 'spf.none', 'fail'],
    ['spf-multi.com', '192.0.2.41', 'spf.multiple-records', 'fail'],
    ['spf-syntax.com', '192.0.2.42', 'spf.permerror', 'fail'],
    ['spf-lookups.com', '192.0.2.43', 'spf.too-many-lookups', 'fail'],
    ['spf-void.com', '192.0.2.44', 'spf.too-many-void-lookups', 'fail'],
    ['spf-void.com', '192.0.2.44', 'spf.void-lookup', 'warn'],
    ['spf-loop.com', '192.0.2.44', 'spf.include-loop', 'fail'],
    ['spf-missing-include.com', '192.0.2.44', 'spf.include-not-found', 'fail'],
    ['spf-weak.com', '192.0.2.45', 'spf.ptr-mechanism', 'warn'],
    ['spf-weak.com', '192.0.2.45', 'spf.plus-all', 'fail'],
    ['spf-neutral.com', '192.0.2.46', 'spf.neutral', 'warn'],
    ['spf-noall.com', '192.0.2.47', 'spf.no-all', 'warn'],
    ['spf-long.com', '192.0.2.44', 'spf.record-too-long', 'warn'],
    ['spf-temp.com', '192.0.2.44', 'spf.temperror', 'warn'],
  ];
  for (const [domain, ip, id, status] of cases)
    test(`${id} (${domain})`, async () => {
      const report = await audit({ domain, ips: [ip], selectors: ['s1'] });
      expectCheck(report, id, status);
    });

  test('spf.too-many-lookups says n/10', async () => {
    const report = await audit({ domain: 'spf-lookups.com', ips: ['192.0.2.43'] });
    const check = checks(report, 'spf.too-many-lookups').find(
      (c) => c.status === 'fail' && c.subject === 'spf-lookups.com',
    );
    assert.equal(check?.value, '11/10');
    assert.equal(expectCheck(report, 'spf.too-many-void-lookups', 'pass').value, '0/2');
  });

  test('spf.ip-not-authorized: check_host() for every address', async () => {
    const report = await audit({ domain: 'model-sender.com', ips: ['192.0.2.10', '203.0.113.77'], selectors: ['s1'] });
    expectCheck(report, 'spf.ip-not-authorized', 'pass', '192.0.2.10');
    const failed = expectCheck(report, 'spf.ip-not-authorized', 'fail', '203.0.113.77');
    assert.equal(failed.value, 'fail (-all)');
    assert.match(failed.remedy, /ip4:203\.0\.113\.77/);
  });

  test('the record found is shown', async () => {
    const report = await audit({ domain: 'spf-neutral.com', ips: ['192.0.2.46'] });
    assert.equal(expectCheck(report, 'spf.none', 'pass').record, 'v=spf1 ip4:192.0.2.46 ?all');
  });

  test('a failed include lookup is a dns.temperror warning for the address', async () => {
    const report = await audit({ domain: 'spf-temp.com', ips: ['192.0.2.44'] });
    expectCheck(report, 'dns.temperror', 'warn', '192.0.2.44');
  });
});

describe('DKIM (guide recommendation 4)', () => {
  let report: AuditReport;
  before(async () => {
    report = await audit({
      domain: 'dkim-sender.com',
      ips: ['192.0.2.10'],
      selectors: ['bad', 'junk', 'old', 'short', 'k1024', 'test', 'sha1', 'good', 'nokey'],
    });
  });
  const at = (s: string) => `${s}._domainkey.dkim-sender.com`;
  test('dkim.key-missing (a selector given with --selector)', () => {
    expectCheck(report, 'dkim.key-missing', 'fail', at('nokey'));
    expectCheck(report, 'dkim.key-missing', 'pass', at('good'));
  });
  test('dkim.syntax: a record that does not parse, a p= that is no key', () => {
    expectCheck(report, 'dkim.syntax', 'fail', at('bad'));
    expectCheck(report, 'dkim.syntax', 'fail', at('junk'));
  });
  test('dkim.key-revoked', () => {
    expectCheck(report, 'dkim.key-revoked', 'fail', at('old'));
  });
  test('dkim.key-too-short: under 1024 fail, 1024 warn, 2048 pass', () => {
    assert.equal(expectCheck(report, 'dkim.key-too-short', 'fail', at('short')).value, 'rsa 512');
    assert.equal(expectCheck(report, 'dkim.key-too-short', 'warn', at('k1024')).value, 'rsa 1024');
    assert.equal(expectCheck(report, 'dkim.key-too-short', 'pass', at('test')).value, 'rsa 2048');
  });
  test('dkim.testing (t=y)', () => {
    expectCheck(report, 'dkim.testing', 'warn', at('test'));
    expectCheck(report, 'dkim.testing', 'pass', at('good'));
  });
  test('dkim.rsa-sha1 (h=sha1 only)', () => {
    expectCheck(report, 'dkim.rsa-sha1', 'fail', at('sha1'));
    expectCheck(report, 'dkim.rsa-sha1', 'pass', at('good'));
  });
  test('a key is suggested under the missing selector', () => {
    const dkim = report.suggestions.find((s) => s.kind === 'dkim');
    assert.ok(dkim);
    assert.equal(dkim.name, at('nokey'));
    assert.equal(dkim.command, 'mailtrust dkim keygen --domain dkim-sender.com --selector nokey');
  });
  test('dkim.none: no key at any common selector (a warning: DNS cannot list selectors)', async () => {
    const none = await audit({ domain: 'ptr-sender.com', ips: ['192.0.2.30'] });
    const check = expectCheck(none, 'dkim.none', 'warn');
    assert.match(check.message, /DNS cannot list selectors/);
    for (const selector of COMMON_DKIM_SELECTORS) assert.ok(check.message.includes(selector));
    const dkim = none.suggestions.find((s) => s.kind === 'dkim');
    assert.equal(dkim?.name, 's202611._domainkey.ptr-sender.com', 'a dated selector from ctx.now()');
  });
  test('a revoked key found by guessing is only info (retired selectors are normal)', async () => {
    const guessed = await auditDomain(ctx, { domain: 'dkim-sender.com', ips: ['192.0.2.10'], selectors: [] });
    assert.ok(!guessed.checks.some((c) => c.id === 'dkim.key-revoked' && c.status === 'fail'));
  });
});

describe('DMARC (guide recommendation 4)', () => {
  const run = (domain: string) => audit({ domain, ips: ['192.0.2.10'], selectors: ['s1'] });
  test('dmarc.none', async () => {
    expectCheck(await run('dmarc-none.com'), 'dmarc.none', 'fail');
  });
  test('dmarc.multiple-records', async () => {
    expectCheck(await run('dmarc-multi.com'), 'dmarc.multiple-records', 'fail');
  });
  test('dmarc.permerror', async () => {
    assert.equal(expectCheck(await run('dmarc-broken.com'), 'dmarc.permerror', 'fail').record, 'v=DMARC1; p=bogus');
  });
  test('dmarc.policy-none, dmarc.pct, a repaired tag, dmarc.rua-unauthorized', async () => {
    const report = await run('dmarc-weak.com');
    assert.equal(expectCheck(report, 'dmarc.policy-none', 'warn').value, 'p=none');
    assert.equal(expectCheck(report, 'dmarc.pct', 'warn').value, 'pct=50');
    expectCheck(report, 'dmarc.invalid-value', 'warn');
    const unauthorized = expectCheck(report, 'dmarc.rua-unauthorized', 'warn');
    assert.equal(unauthorized.subject, 'dmarc-weak.com._report._dmarc.dmarc-vendor.net');
    // The report address inside the domain needs no authorization.
    assert.equal(checks(report, 'dmarc.rua-unauthorized').length, 1);
  });
  test('dmarc.weaker-subdomain-policy and dmarc.no-rua', async () => {
    const report = await run('dmarc-sub.com');
    assert.equal(expectCheck(report, 'dmarc.weaker-subdomain-policy', 'warn').value, 'sp=none, np=quarantine');
    expectCheck(report, 'dmarc.no-rua', 'warn');
  });
  test('an external rua with its RFC 7489 §7.1 authorization record passes', async () => {
    const report = await run('dmarc-ext.com');
    expectCheck(report, 'dmarc.rua-unauthorized', 'pass');
    expectCheck(report, 'dmarc.no-rua', 'pass');
    expectCheck(report, 'dmarc.policy-none', 'pass');
  });
});

describe('MX', () => {
  const run = (domain: string) => audit({ domain, ips: ['192.0.2.10'], selectors: ['s1'] });
  test('mx.none with an A record: a warning (implicit MX)', async () => {
    expectCheck(await run('mx-none.com'), 'mx.none', 'warn');
  });
  test('mx.none without any address: a failure', async () => {
    expectCheck(await run('mx-nothing.com'), 'mx.none', 'fail');
  });
  test('mx.null (RFC 7505)', async () => {
    expectCheck(await run('mx-null.com'), 'mx.null', 'fail');
  });
  test('mx.host-unresolvable and mx.host-no-ptr', async () => {
    const report = await run('mx-broken.com');
    expectCheck(report, 'mx.host-unresolvable', 'fail', 'gone.mx-broken.com');
    expectCheck(report, 'mx.host-unresolvable', 'pass', 'noptr.mx-broken.com');
    expectCheck(report, 'mx.host-no-ptr', 'warn', 'noptr.mx-broken.com (192.0.2.61)');
  });
  test('mx.host-no-ptr passes for a host with a PTR', async () => {
    expectCheck(await run('model-sender.com'), 'mx.host-no-ptr', 'pass');
  });
});

describe('addresses found without --ip', () => {
  test('no MX addresses and no SPF literal: ptr.no-address (info) says to pass --ip', async () => {
    const report = await audit({ domain: 'mx-nothing.com' });
    assert.deepEqual(report.addresses.ips, []);
    expectCheck(report, 'ptr.no-address', 'info');
  });
  test('SPF networks are listed, not audited address by address', async () => {
    const report = await audit({ domain: 'ptr-sender.com' });
    assert.deepEqual(report.addresses.skippedNetworks, ['ip4:192.0.2.0/24']);
    assert.deepEqual(report.addresses.ips, ['192.0.2.30']);
  });
  test('invalid and duplicate --ip values are dropped; IPv4-mapped IPv6 is the IPv4 host', async () => {
    const report = await audit({
      domain: 'model-sender.com',
      ips: ['::ffff:192.0.2.10', '192.0.2.10', 'nonsense'],
      selectors: ['s1'],
    });
    assert.deepEqual(report.addresses.ips, ['192.0.2.10']);
  });
});

describe('DNS trouble', () => {
  test('a lookup that fails for now is dns.temperror (warn), never an exception', async () => {
    const report = await audit({ domain: 'dns-trouble.com' });
    expectCheck(report, 'dns.temperror', 'warn', 'dns-trouble.com');
    assert.equal(report.dns.unreachable, false);
    assert.ok(report.dns.temporaryFailures >= 1);
  });
  test('every lookup timing out: unreachable', async () => {
    const report = await audit({ domain: 'unreachable.com' });
    assert.equal(report.dns.unreachable, true);
    assert.equal(report.dns.answered, 0);
    assert.equal(report.dns.temporaryFailures, report.dns.queries);
  });
});

describe('bounded work on hostile input', () => {
  test('50 MX hosts, 100 selectors, 100 addresses: capped, and the audit still reports', async () => {
    const selectors = Array.from({ length: 100 }, (_, i) => `sel${i}`);
    const ips = Array.from({ length: 100 }, (_, i) => `198.51.100.${i}`);
    const report = await audit({ domain: 'mx-many.com', ips, selectors });
    assert.equal(report.selectors.tried.length, MAX_SELECTORS);
    assert.equal(report.addresses.ips.length, MAX_AUDITED_ADDRESSES);
    assert.equal(checks(report, 'mx.host-unresolvable').length, 10, 'at most 10 MX hosts looked at');
    assert.equal(report.result, 'fail');
    assert.ok(report.dns.queries < 400, `${report.dns.queries} questions`);
  });
});

describe('DNS work', () => {
  test('each question is asked once, whatever number of checks need it', async () => {
    const before = server.queries.length;
    const report = await auditDomain(
      { ...ctx, resolver: createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0, cache: false }) },
      { domain: 'model-sender.com', ips: ['192.0.2.10'], helo: 'mail.model-sender.com', selectors: ['s1', 'ed'] },
    );
    const asked = server.queries.slice(before).map((q) => `${q.type} ${q.name.toLowerCase()}`);
    assert.equal(new Set(asked).size, asked.length, `no question twice: ${asked.join(', ')}`);
    assert.equal(report.dns.queries, asked.length);
  });
  test('the critical path is counted in dependent lookups', async () => {
    const report = await audit({ domain: 'model-sender.com', ips: ['192.0.2.10'], selectors: ['s1'] });
    // PTR → A of the PTR name is a chain of two; SPF: the record, then its include. Nothing here needs more than 3.
    assert.ok(report.dns.criticalPathDepth >= 2, `depth ${report.dns.criticalPathDepth}`);
    assert.ok(report.dns.criticalPathDepth <= 3, `depth ${report.dns.criticalPathDepth}`);
    assert.ok(report.dns.queries > report.dns.criticalPathDepth);
  });
});
