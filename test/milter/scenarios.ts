/**
 * Scenario fixtures (test/fixtures/evaluate) made ready for the milter tests: the built message (DKIM-signed as the
 * fixture says), its zone and DNS rules for the loopback DNS server, its policy and evaluation clock.
 */
import { createResolver, parsePolicy, type Policy, type ZoneRecord } from '../../src/core/index.js';
import type { Rule } from '../support/dns-server.js';
import { buildMessage, loadFixture, zoneRecords, type ScenarioFixture } from '../evaluation/fixture-format.js';

export interface Scenario {
  fixture: ScenarioFixture;
  raw: Uint8Array;
  zone: ZoneRecord[];
  rules: Rule[];
  policy?: Policy;
}

/** Loads and builds one fixture; signing needs no DNS, so the resolver given to the builder is never asked. */
export async function loadScenario(name: string): Promise<Scenario> {
  const fixture = loadFixture(name);
  const offline = createResolver({ servers: ['127.0.0.1:9'], timeoutMs: 200, retries: 0, cache: false });
  const raw = await buildMessage(fixture, offline);
  let policy: Policy | undefined;
  if (fixture.policy !== undefined) {
    const parsed = parsePolicy(fixture.policy);
    if (!parsed.ok) throw new Error(`${name}: policy: ${parsed.error.message}`);
    policy = parsed.value;
  }
  return { fixture, raw, zone: zoneRecords(fixture), rules: fixture.rules, ...(policy ? { policy } : {}) };
}
