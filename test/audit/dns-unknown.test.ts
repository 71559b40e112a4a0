/** With DNS failing for the DKIM names, the guessed selectors come out as one unknown, not one warning each. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { auditDomain } from '../../src/core/audit/index.js';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { auditZone } from './fixtures.js';

let server: TestDnsServer;
let ctx: CheckContext;
before(async () => {
  server = await startTestDnsServer({
    records: zoneRecords(auditZone()),
    rules: [{ name: /\._domainkey\./, action: 'servfail' }],
  });
  ctx = {
    resolver: createResolver({ servers: [server.address], timeoutMs: 2000, retries: 0 }),
    now: () => new Date('2026-11-26T00:00:00Z'),
    limits: { ...defaultLimits },
  };
});
after(() => server.close());

test('guessed selectors that DNS cannot answer: one dns.temperror for DKIM, no dkim.none', async () => {
  const report = await auditDomain(ctx, { domain: 'model-sender.com', ips: ['192.0.2.10'] });
  const dkim = report.checks.filter((c) => c.area === 'dkim');
  const unknown = dkim.filter((c) => c.id === 'dns.temperror');
  assert.equal(unknown.length, 1, JSON.stringify(dkim.map((c) => c.message)));
  assert.match(unknown[0]!.message, /the DKIM keys at \d+ common selectors of model-sender\.com could not be checked/);
  assert.ok(!dkim.some((c) => c.id === 'dkim.none'), 'no key found is not claimed when nothing was answered');
});

test('named selectors keep one result each', async () => {
  const report = await auditDomain(ctx, { domain: 'model-sender.com', ips: ['192.0.2.10'], selectors: ['a', 'b'] });
  assert.equal(report.checks.filter((c) => c.area === 'dkim' && c.id === 'dns.temperror').length, 2);
});
