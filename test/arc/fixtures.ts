/** Helpers for the ARC suites: the vendored conformance data (test/conformance/arc) and DNS zones for it. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

/** test/conformance/arc, from dist/test/arc/ (compiled) — the repository's vendored copy. */
export const arcConformanceDir = new URL('../../../test/conformance/arc/', import.meta.url);

/** Reads a file of the ARC conformance data. */
export function readConformance(path: string): Buffer {
  return readFileSync(new URL(path, arcConformanceDir));
}

/** Converts bare LF line ends to CRLF. */
export function crlf(text: string): Uint8Array {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** Splits a TXT value longer than 255 characters into strings, as a zone holds it (RFC 1035 §3.3.14). */
export function txtStrings(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += 255) out.push(value.slice(i, i + 255));
  return out.length === 0 ? [''] : out;
}

/** Zone shorthand for `name → TXT value` pairs. */
export function txtZone(records: Record<string, string>): Record<string, { TXT: string[][] }> {
  const zone: Record<string, { TXT: string[][] }> = {};
  for (const [name, value] of Object.entries(records)) zone[name] = { TXT: [txtStrings(value)] };
  return zone;
}

/**
 * A check context whose resolver talks to the loopback test server (real DNS, no cache across scenarios). The time
 * allowed is generous: the server shares this process's event loop, and on a busy machine 300 ms turned answered
 * key lookups into `temperror`; the few scenarios that test a timeout are never answered, so they only wait longer.
 */
export function loopbackContext(server: TestDnsServer, now = new Date('2026-01-01T00:00:00Z')): CheckContext {
  const resolver = createResolver({ servers: [server.address], timeoutMs: 2000, retries: 0, cache: false });
  return { resolver, now: () => now, limits: { ...defaultLimits } };
}

/** One scenario of a ValiMail YAML suite. */
export interface ValimailScenario {
  description: string;
  tests: Record<string, Record<string, unknown>>;
  'txt-records': Record<string, string>;
  domain?: string;
  sel?: string;
  privatekey?: string;
}

/** Parses a multi-document ValiMail suite. */
export function readValimail(file: string): ValimailScenario[] {
  const text = readConformance(`valimail/${file}`).toString('utf8');
  return parseAllDocuments(text).map((doc) => doc.toJS() as ValimailScenario);
}

/**
 * Runs every test of a ValiMail suite file against one loopback DNS server, each scenario with its own TXT records;
 * `check` gets the test's spec and its message (CRLF). Ends by checking the suite has `expectedTests` tests.
 */
export function describeValimailSuite(
  title: string,
  file: string,
  expectedTests: number,
  check: (c: {
    server: TestDnsServer;
    scenario: ValimailScenario;
    id: string;
    spec: Record<string, unknown>;
    message: Uint8Array;
  }) => Promise<void>,
): void {
  describe(title, () => {
    let server: TestDnsServer;
    before(async () => {
      server = await startTestDnsServer();
    });
    after(async () => server.close());

    let count = 0;
    for (const scenario of readValimail(file)) {
      describe(scenario.description.trim(), () => {
        before(() => server.setRecords(zoneRecords(txtZone(scenario['txt-records']))));
        for (const [id, spec] of Object.entries(scenario.tests)) {
          count++;
          test(id, () => check({ server, scenario, id, spec, message: crlf(String(spec['message'] ?? '')) }));
        }
      });
    }
    test(`the suite has ${expectedTests} tests`, () => assert.equal(count, expectedTests));
  });
}

/** Reads the Stalwart format: `<name> <TXT value>` lines, a blank line, then the message (LF → CRLF). */
export function readStalwart(file: string): { records: Record<string, string>; message: Uint8Array } {
  const text = readConformance(`stalwart/${file}`).toString('latin1');
  const split = text.indexOf('\n\n');
  const records: Record<string, string> = {};
  for (const line of text.slice(0, split).split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) records[line.slice(0, space)] = line.slice(space + 1);
  }
  return { records, message: crlf(text.slice(split + 2)) };
}
