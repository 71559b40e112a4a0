/**
 * Runs one openspf suite file (pyspf's YAML format): every test through checkSpf() against the test DNS server on
 * loopback with mailtrust's real resolver, one server per scenario. Results must be among the acceptable ones;
 * explanations are checked where the suite gives them. Each case runs again without the step trace, over the wire
 * and from the first run's cache: the same result.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpf } from '../../src/core/spf/index.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { contextFor, loadOpenspfSuite } from './suites.js';

export function runOpenspfSuite(file: string, label: string, expectedTests: number): void {
  const scenarios = loadOpenspfSuite(file);

  test(`the suite has the ${expectedTests} tests SOURCES.md counts`, () => {
    assert.equal(
      scenarios.reduce((n, s) => n + s.cases.length, 0),
      expectedTests,
    );
  });

  for (const scenario of scenarios) {
    describe(`${label}: ${scenario.description}`, () => {
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
          // Without the step trace (as evaluate() asks), the same result in every other field.
          // Once on a fresh resolver (every answer over the wire), once on the first run's resolver, whose cache
          // now answers at once: the short path of evaluate() (no promise per step) where the terms allow it.
          for (const [how, context] of [
            ['untraced', contextFor(server)],
            ['untraced, cached answers', ctx],
          ] as const) {
            const untraced = await checkSpf(context, { ip: c.ip, mailFrom: c.mailFrom, helo: c.helo, trace: false });
            assert.deepEqual(untraced, { ...result, trace: [] }, `${c.id}: ${how}`);
          }
        });
      }
    });
  }
}
