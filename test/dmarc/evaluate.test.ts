/** evaluateDmarc() over real DNS on loopback (RFC 7489 §6.6, RFC 9091): the scenarios of scenarios.ts. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { evaluateDmarc, sampledPolicy, type DmarcInput } from '../../src/core/dmarc/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { rules, scenarios, zone } from './scenarios.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('DMARC evaluation over loopback DNS', () => {
  let server: TestDnsServer;
  let ctx: CheckContext;

  before(async () => {
    server = await startTestDnsServer({ records: zoneRecords(zone), rules });
    ctx = {
      resolver: createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0 }),
      now: () => new Date('2026-01-01T00:00:00Z'),
      limits: defaultLimits,
    };
  });
  after(async () => {
    await server.close();
  });

  for (const scenario of scenarios) {
    test(scenario.name, async () => {
      const input = deepFreeze(structuredClone(scenario.input) as DmarcInput);
      const snapshot = JSON.stringify(input);
      const got = await evaluateDmarc(ctx, input);
      const want = scenario.expected;
      assert.equal(got.result, want.result, 'result');
      if ('domain' in want) assert.equal(got.domain, want.domain, 'domain');
      if ('organizationalDomain' in want)
        assert.equal(got.organizationalDomain, want.organizationalDomain, 'org domain');
      if ('policy' in want) assert.equal(got.policy, want.policy, 'policy');
      if ('policySource' in want) assert.equal(got.policySource, want.policySource, 'policySource');
      if ('pct' in want) assert.equal(got.pct, want.pct, 'pct');
      if ('alignment' in want) assert.deepEqual(got.alignment, want.alignment, 'alignment');
      if ('recordDomain' in want) assert.equal(got.recordDomain, want.recordDomain, 'recordDomain');
      if ('errorCode' in want) assert.equal(got.error?.code, want.errorCode, 'error code');
      if ('queried' in want) assert.deepEqual(got.queried, want.queried, 'queried');
      if ('fromDomainExists' in want) assert.equal(got.fromDomainExists, want.fromDomainExists, 'fromDomainExists');
      if (want.dkimAligned)
        assert.deepEqual(
          got.identifiers.dkim.map((d) => d.aligned),
          want.dkimAligned,
          'dkim aligned',
        );
      if ('spfAligned' in want) assert.equal(got.identifiers.spf?.aligned, want.spfAligned, 'spf aligned');
      // Invariants of every result.
      assert.equal(got.result === 'pass', got.record !== undefined && (got.alignment.spf || got.alignment.dkim));
      assert.equal(got.identifiers.dkim.length, input.dkim.length);
      assert.equal(JSON.stringify(input), snapshot, 'the input is never changed');
      assert.doesNotThrow(() => JSON.stringify(got), 'results are serializable');
    });
  }

  test('the org domain record is asked only when the From domain has none, and no A/AAAA/MX without np', async () => {
    server.queries.length = 0;
    const fresh: CheckContext = {
      ...ctx,
      resolver: createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0, cache: false }),
    };
    await evaluateDmarc(fresh, { fromDomain: 'example.com', spf: undefined, dkim: [] });
    assert.deepEqual(
      server.queries.map((q) => `${q.name} ${q.type}`),
      ['_dmarc.example.com TXT'],
    );
    server.queries.length = 0;
    await evaluateDmarc(fresh, { fromDomain: 'mail.example.com', spf: undefined, dkim: [] });
    assert.deepEqual(
      server.queries.map((q) => `${q.name} ${q.type}`),
      ['_dmarc.mail.example.com TXT', '_dmarc.example.com TXT'],
    );
    server.queries.length = 0;
    await evaluateDmarc(fresh, { fromDomain: 'ghost.np.test', spf: undefined, dkim: [] });
    assert.deepEqual(
      server.queries.map((q) => `${q.name} ${q.type}`).sort(),
      [
        '_dmarc.ghost.np.test TXT',
        '_dmarc.np.test TXT',
        'ghost.np.test A',
        'ghost.np.test AAAA',
        'ghost.np.test MX',
      ].sort(),
    );
  });

  test('the record is returned parsed', async () => {
    const got = await evaluateDmarc(ctx, { fromDomain: 'example.com', spf: undefined, dkim: [] });
    assert.equal(got.record?.policy, 'reject');
    assert.equal(got.record?.subdomainPolicy, 'quarantine');
    assert.deepEqual(got.record?.aggregateReportUris, [{ uri: 'mailto:dmarc@example.com' }]);
    assert.deepEqual(got.modes, { spf: 'relaxed', dkim: 'relaxed' });
  });

  test('repaired record carries the warning', async () => {
    const got = await evaluateDmarc(ctx, { fromDomain: 'repaired.test', spf: undefined, dkim: [] });
    assert.ok(got.record?.warnings.some((w) => w.code === 'dmarc.p-missing-treated-as-none'));
  });
});

describe('pct sampling (RFC 7489 §6.3)', () => {
  test('under pct the policy applies, above it the next less strict one', () => {
    assert.equal(sampledPolicy('reject', 25, 10), 'reject');
    assert.equal(sampledPolicy('reject', 25, 25), 'quarantine');
    assert.equal(sampledPolicy('quarantine', 25, 99.9), 'none');
    assert.equal(sampledPolicy('none', 0, 0), 'none');
    assert.equal(sampledPolicy('reject', 100, 99.999), 'reject');
    assert.equal(sampledPolicy('reject', 0, 0), 'quarantine');
  });

  test('over many rolls the share follows pct', () => {
    let applied = 0;
    for (let i = 0; i < 1000; i++) if (sampledPolicy('reject', 30, (i * 37) % 100) === 'reject') applied++;
    assert.equal(applied, 300);
  });
});
