/**
 * A scenario fixture served for one test: its zone on a loopback DNS server, its message built (DKIM-signed and
 * ARC-sealed) while that server answers everything. The fixture's DNS trouble (`--- dns` rules) is not switched on
 * here: a test sets the rules when its trouble should start. The server closes when `run` settles.
 */
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { buildMessage, zoneRecords, type ScenarioFixture } from './fixture-format.js';

export async function withFixtureServer<T>(
  fixture: ScenarioFixture,
  run: (server: TestDnsServer, raw: Uint8Array) => Promise<T>,
): Promise<T> {
  const server = await startTestDnsServer({ records: zoneRecords(fixture) });
  try {
    const raw = await buildMessage(fixture, createResolver({ servers: [server.address], timeoutMs: 1500 }));
    return await run(server, raw);
  } finally {
    await server.close();
  }
}
