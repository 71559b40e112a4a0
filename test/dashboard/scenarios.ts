/**
 * Real evaluations for the dashboard tests: a scenario of test/fixtures/evaluate/ served by the loopback DNS
 * server and evaluated by the library, as the SMTP face would store it (the raw message kept).
 */
import { createResolver } from '../../src/core/dns/index.js';
import { evaluate, type Evaluation } from '../../src/core/evaluation/index.js';
import { parsePolicy } from '../../src/core/policy/index.js';
import { startTestDnsServer } from '../support/dns-server.js';
import { buildMessage, loadFixture, zoneRecords, type ScenarioFixture } from '../evaluation/fixture-format.js';

export interface Scenario {
  fixture: ScenarioFixture;
  raw: Uint8Array;
  evaluation: Evaluation;
}

/** Evaluates the named fixtures one after the other over one loopback DNS server. */
export async function evaluateScenarios(names: readonly string[]): Promise<Map<string, Scenario>> {
  const server = await startTestDnsServer();
  const out = new Map<string, Scenario>();
  try {
    for (const name of names) {
      const fixture = loadFixture(name);
      server.setRecords(zoneRecords(fixture));
      server.setRules(fixture.rules);
      const resolver = createResolver({ servers: [server.address], timeoutMs: 1500, retries: 0, cache: true });
      const raw = await buildMessage(fixture, resolver);
      const policy = fixture.policy === undefined ? undefined : parsePolicy(fixture.policy);
      const evaluation = await evaluate(raw, fixture.envelope, {
        resolver,
        now: fixture.now,
        ...(policy?.ok ? { policy: policy.value } : {}),
      });
      out.set(name, { fixture, raw, evaluation });
    }
  } finally {
    await server.close();
  }
  return out;
}
