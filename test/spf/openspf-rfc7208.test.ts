/**
 * The openspf RFC 7208 suite (pyspf's rfc7208-tests.yml, 203 tests), every test run through checkSpf() against
 * the test DNS server on loopback with mailtrust's real resolver.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpf } from '../../src/core/spf/index.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { contextFor, loadOpenspfSuite } from './suites.js';

const scenarios = loadOpenspfSuite('rfc7208-tests.yml');

test('the suite has the 203 tests SOURCES.md counts', () => {
  assert.equal(
    scenarios.reduce((n, s) => n + s.cases.length, 0),
    203,
  );
});

for (const scenario of scenarios) {
  describe(`rfc7208: ${scenario.description}`, () => {
    let server: TestDnsServer;
    before(async () => {
      server = await startTestDnsServer({ records: scenario.records, rules: scenario.rules });
    });
    after(async () => {
      await server.close();
    });
    for (const c of scenario.cases) {
      test(c.id, async () => {
        const ctx = contextFor(server);
        const result = await checkSpf(ctx, { ip: c.ip, mailFrom: c.mailFrom, helo: c.helo });
        assert.ok(
          c.results.includes(result.result),
          `${c.id}: got ${result.result} (${result.error?.message ?? result.mechanism ?? ''}), want ${c.results.join('|')}`,
        );
        if (c.explanation !== undefined && result.result === 'fail') {
          if (c.explanation === 'DEFAULT') assert.equal(result.explanation, undefined, `${c.id}: explanation`);
          else assert.equal(result.explanation, c.explanation, `${c.id}: explanation`);
        }
      });
    }
  });
}
