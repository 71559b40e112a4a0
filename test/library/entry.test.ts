/** The package entry point as a user imports it: `import … from 'mailtrust'` (package.json exports). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as Library from '../../src/core/index.js';
import { startTestDnsServer, zoneRecords } from '../support/dns-server.js';

test("the package's exports resolve and createResolver works through them", async () => {
  // A computed specifier, so the compiler does not need dist/ to exist before the first build.
  const packageName = 'mailtrust';
  const library = (await import(packageName)) as typeof Library;
  assert.equal(typeof library.createResolver, 'function');
  assert.equal(typeof library.parseZoneFile, 'function');
  assert.equal(library.defaultLimits.spfDnsMechanisms, 10);
  assert.equal(library.defaultLimits.spfVoidLookups, 2);
  const server = await startTestDnsServer({ records: zoneRecords({ 'example.org': { MX: [[0, '.']] } }) });
  try {
    const resolver = library.createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0 });
    assert.deepEqual(await resolver.mx('example.org'), {
      ok: true,
      records: [{ priority: 0, exchange: '' }],
      ttl: 300,
    });
  } finally {
    await server.close();
  }
});
