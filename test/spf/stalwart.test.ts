/**
 * Stalwart mail-auth's SPF cases (12 files, 163 expectations), read line by line as its harness does and run
 * through checkSpf() over the test DNS server. The receiving host for %{r} is `localdomain.org`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { checkSpfHelo, checkSpf } from '../../src/core/spf/index.js';
import type { CheckContext } from '../../src/core/context.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { CONFORMANCE_DIR, contextFor, loadStalwartFile } from './suites.js';

/**
 * Expectations where stalwart departs from RFC 7208 as the openspf suite (and pyspf) read it. Each is skipped
 * with the rule that decides it; the openspf test that checks the same rule is named.
 */
const DEPARTS_FROM_RFC7208: Record<string, string> = {
  'all.yml #1':
    "record 'v=spf1 -all ip:10.0.0.1' has an unknown mechanism 'ip'; RFC 7208 §4.6 makes a syntax error anywhere a permerror (openspf detect-errors-anywhere), stalwart expects fail",
  'basic.yml #9':
    'ten a: terms to names that do not exist are ten void lookups; RFC 7208 §4.6.4 gives permerror after 2 (openspf void-over-limit), stalwart has no void limit and expects softfail',
  'basic.yml #14':
    "an 'mx' over 11 MX records; RFC 7208 §4.6.4 makes more than 10 a permerror (openspf mx-limit), stalwart looks at the first 10 and expects pass",
  'exists.yml #2':
    'exists: on a name with only AAAA records; RFC 7208 §5.7 says the lookup is always A (openspf exists-ip6only), stalwart expects pass',
  'ip.yml #11':
    "client 10.1.2.3 against 'ip6:::ffff:10.1.2.3'; RFC 7208 §5 treats an IPv4-mapped address as IPv4, matched only by ip4 (openspf cidr6-ip4), stalwart expects pass",
  'macro.yml #4':
    'exists:%{ir}.%{v}._spf.%{d2} for an IPv6 client where that name has only an AAAA record; RFC 7208 §5.7 makes exists an A lookup (openspf exists-ip6only), stalwart expects pass',
};

const files = readdirSync(new URL('stalwart/', CONFORMANCE_DIR))
  .filter((f) => f.endsWith('.yml'))
  .sort();

test('stalwart: 12 files with 163 expectations, as SOURCES.md counts', () => {
  assert.equal(files.length, 12);
  assert.equal(
    files.reduce((n, f) => n + loadStalwartFile(f).cases.length, 0),
    163,
  );
});

for (const file of files) {
  describe(`stalwart: ${file}`, () => {
    const suite = loadStalwartFile(file);
    let server: TestDnsServer;
    let ctx: CheckContext;
    let served: unknown;
    before(async () => {
      server = await startTestDnsServer({ records: [], rules: suite.rules });
    });
    after(async () => {
      await server.close();
    });
    for (const c of suite.cases) {
      const key = c.id.slice(0, c.id.indexOf(' ', c.id.indexOf('#')));
      const skip = DEPARTS_FROM_RFC7208[key];
      test(c.id, skip ? { skip } : {}, async () => {
        // Records pile up as the file is read: each expectation sees the zone as it stood at its line.
        if (served !== c.records) {
          server.setRecords(c.records);
          ctx = contextFor(server);
          served = c.records;
        }
        // Stalwart's harness calls verify_spf with HELO and MAIL FROM: the HELO identity is checked first
        // (RFC 7208 §2.3 allows it) and its result stands unless it is pass; then the MAIL FROM identity decides.
        const envelope = { ip: c.ip, mailFrom: c.mailFrom, helo: c.helo, receiver: 'localdomain.org' };
        let result = c.mailFrom === '' ? undefined : await checkSpfHelo(ctx, envelope);
        if (!result || result.result === 'pass') result = await checkSpf(ctx, envelope);
        assert.ok(
          c.results.includes(result.result),
          `${c.id} (helo ${c.helo}, from ${c.mailFrom}, ip ${c.ip}): got ${result.result} (${result.error?.message ?? result.mechanism ?? ''}), want ${c.results.join('|')}`,
        );
        if (c.explanation !== undefined) assert.equal(result.explanation, c.explanation);
      });
    }
  });
}
