/**
 * Hostile records: loops, huge records and answers, macro-heavy names, expansions past 253 octets. Each must end
 * quickly with a bounded result, over real DNS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpf, lintSpf, parseSpfRecord } from '../../src/core/spf/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { contextFor } from './suites.js';

const LONG_LOCAL = 'l'.repeat(60);
const thousandIp4 = Array.from({ length: 1000 }, (_, i) => `ip4:10.${i >> 8}.${i & 0xff}.1`).join(' ');
const thousandA = Array.from({ length: 1000 }, (_, i) => `a:h${i}.example.net`).join(' ');
// ~50 KB record in 255-octet strings: far past UDP, so the resolver must fall back to TCP.
const hugeRecord = `v=spf1 ${Array.from({ length: 3000 }, (_, i) => `ip4:172.${16 + (i >> 8)}.${i & 0xff}.0/24`).join(' ')} -all`;
/** A TXT record's text cut into character-strings of at most 255 octets (RFC 1035 §3.3). */
function strings(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 255) out.push(text.slice(i, i + 255));
  return out;
}
const hugeStrings = strings(hugeRecord);

describe('hostile SPF data', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'loop-a.example.org': { TXT: ['v=spf1 include:loop-b.example.org -all'] },
        'loop-b.example.org': { TXT: ['v=spf1 include:loop-a.example.org -all'] },
        'self.example.org': { TXT: ['v=spf1 redirect=self.example.org'] },
        'fanout.example.org': {
          TXT: [strings(`v=spf1 ${Array.from({ length: 10 }, () => 'include:fanout.example.org').join(' ')} -all`)],
        },
        'thousand.example.org': { TXT: [strings(`v=spf1 ${thousandIp4} -all`)] },
        'thousand-a.example.org': { TXT: [strings(`v=spf1 ${thousandA} -all`)] },
        'macro.example.org': {
          TXT: ['v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{lr}.%{s}.%{s}.%{o}.%{d}.%{i}.%{h}.example.net -all'],
        },
        'long.example.org': { TXT: ['v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.long.example.net -all'] },
        'huge.example.org': { TXT: [hugeStrings] },
        'noisy.example.org': {
          TXT: [
            ...Array.from({ length: 200 }, (_, i) => `junk-${i}-${'x'.repeat(200)}`),
            'v=spf1 ip4:192.0.2.0/24 -all',
          ],
        },
      }),
    });
  });
  after(() => server.close());

  test('include loop ends in permerror at the 11th DNS-querying term', async () => {
    const r = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: 'a@loop-a.example.org' });
    assert.equal(r.result, 'permerror');
    assert.equal(r.error?.code, 'spf.too-many-lookups');
    assert.equal(r.lookups, 11);
  });

  test('redirect to itself ends in permerror', async () => {
    const r = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: 'a@self.example.org' });
    assert.equal(r.result, 'permerror');
    assert.equal(r.error?.code, 'spf.too-many-lookups');
  });

  test('a fan-out of includes stops at the limit, not after 10^10 lookups', async () => {
    const before = server.queries.length;
    const r = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: 'a@fanout.example.org' });
    assert.equal(r.result, 'permerror');
    assert.ok(server.queries.length - before <= 12, `${server.queries.length - before} queries`);
  });

  test('a 1,000-term record evaluates every term, quickly', async () => {
    const parsed = parseSpfRecord(`v=spf1 ${thousandIp4} -all`);
    assert.ok(parsed.ok && parsed.value.mechanisms.length === 1001);
    const r = await checkSpf(contextFor(server), { ip: '10.3.231.1', mailFrom: 'a@thousand.example.org' });
    assert.equal(r.result, 'pass');
    assert.equal(r.mechanism, 'ip4:10.3.231.1');
    const miss = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: 'a@thousand.example.org' });
    assert.equal(miss.result, 'fail');
  });

  test('1,000 a: terms: permerror after 10 lookups, no more queries', async () => {
    const before = server.queries.length;
    const r = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: 'a@thousand-a.example.org' });
    assert.equal(r.result, 'permerror');
    // The 2 void lookups allowed, then the one that crosses the void limit ends it.
    const asked = server.queries.slice(before).filter((q) => q.type === 'A');
    assert.equal(asked.length, 3);
  });

  test('macro-heavy names are truncated from the left to 253 octets (RFC 7208 §7.3)', async () => {
    const before = server.queries.length;
    const r = await checkSpf(contextFor(server), {
      ip: '192.0.2.1',
      // 40 octets: every expanded label stays within 63 (%{s} is 58), the whole name is far over 253.
      mailFrom: `${'m'.repeat(40)}@macro.example.org`,
      helo: 'h'.repeat(60) + '.example.com',
    });
    assert.equal(r.result, 'fail');
    const asked = server.queries.slice(before).filter((q) => q.type === 'A');
    assert.equal(asked.length, 1);
    const name = asked[0]!.name;
    assert.ok(name.length <= 253, `${name.length}`);
    assert.ok(name.endsWith('.example.com.example.net'), name);
  });

  test('an expansion over 253 octets keeps its right-hand labels', async () => {
    const before = server.queries.length;
    const r = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: `${LONG_LOCAL}@long.example.org` });
    assert.equal(r.result, 'fail');
    const name = server.queries.slice(before).find((q) => q.type === 'A')?.name ?? '';
    // 5 × 61 + 16 = 321 octets; two 60-octet labels go, leaving 199.
    assert.equal(name.length, 199);
    assert.ok(name.endsWith(`${LONG_LOCAL}.long.example.net`));
  });

  test('a ~50 KB record over TCP: parsed and matched, the trace stays bounded', async () => {
    const r = await checkSpf(contextFor(server), { ip: '172.27.183.9', mailFrom: 'a@huge.example.org' });
    assert.equal(r.result, 'pass');
    assert.equal(r.mechanism, 'ip4:172.27.183.0/24');
    assert.ok(server.queries.some((q) => q.name === 'huge.example.org' && q.transport === 'tcp'));
    const record = r.trace.find((e) => e.type === 'record');
    assert.ok(record && record.type === 'record' && record.record.length <= 2049);
    const query = r.trace.find((e) => e.type === 'query');
    assert.ok(query && query.type === 'query' && query.records.every((t) => t.length <= 601));
  });

  test('200 unrelated TXT records beside the SPF one', async () => {
    const r = await checkSpf(contextFor(server), { ip: '192.0.2.5', mailFrom: 'a@noisy.example.org' });
    assert.equal(r.result, 'pass');
  });

  test('lint of a loop and of a fan-out stays bounded', async () => {
    const loop = await lintSpf(contextFor(server), 'loop-a.example.org');
    assert.ok(loop.findings.some((f) => f.id === 'spf.include-loop'));
    const fanout = await lintSpf(contextFor(server), 'fanout.example.org');
    assert.equal(fanout.findings.filter((f) => f.id === 'spf.include-loop').length, 1, 'reported once');
    assert.equal(fanout.lookups, 10);
  });
});
