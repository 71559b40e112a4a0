/** iprev (RFC 8601 §3) over the loopback DNS server. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { checkIprev } from '../../src/core/iprev/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

describe('iprev', () => {
  let server: TestDnsServer;
  let ctx: CheckContext;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        // The guide's correct setup: 1.2.3.4 → mail.domain.com → 1.2.3.4
        '4.3.2.1.in-addr.arpa': { PTR: ['mail.domain.com'] },
        'mail.domain.com': { A: ['1.2.3.4'] },
        // PTR that does not resolve back.
        '5.3.2.1.in-addr.arpa': { PTR: ['liar.domain.com'] },
        'liar.domain.com': { A: ['9.9.9.9'] },
        // Two PTR names, the second confirms.
        '6.3.2.1.in-addr.arpa': { PTR: ['gone.domain.com', 'mx6.domain.com'] },
        'mx6.domain.com': { A: ['1.2.3.6'] },
        // IPv6
        ['5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa']: { PTR: ['v6.domain.com'] },
        'v6.domain.com': { AAAA: ['2001:db8::25'] },
        // Forward lookup times out.
        '7.3.2.1.in-addr.arpa': { PTR: ['slow.domain.com'] },
      }),
      rules: [
        { name: 'slow.domain.com', action: 'timeout' },
        { name: '8.3.2.1.in-addr.arpa', action: 'servfail' },
      ],
    });
    ctx = {
      resolver: createResolver({ servers: [server.address], timeoutMs: 1_000, retries: 0 }),
      now: () => new Date(),
      limits: { ...defaultLimits },
    };
  });
  after(() => server.close());

  test('forward-confirmed PTR passes', async () => {
    assert.deepEqual(await checkIprev(ctx, '1.2.3.4'), {
      result: 'pass',
      ip: '1.2.3.4',
      names: ['mail.domain.com'],
      ptrNames: ['mail.domain.com'],
      findings: [],
    });
  });

  test('missing PTR is a permerror with ptr.missing (the guide: "not found: 3(NXDOMAIN)")', async () => {
    const result = await checkIprev(ctx, '1.2.3.99');
    assert.equal(result.result, 'permerror');
    assert.deepEqual(result.findings, ['ptr.missing']);
    assert.equal(result.dnsError, 'nxdomain');
  });

  test('a PTR that does not resolve back fails with ptr.not-confirmed', async () => {
    const result = await checkIprev(ctx, '1.2.3.5');
    assert.equal(result.result, 'fail');
    assert.deepEqual(result.findings, ['ptr.not-confirmed']);
    assert.deepEqual(result.ptrNames, ['liar.domain.com']);
  });

  test('several PTR names: one confirming is enough, ptr.multiple is noted', async () => {
    const result = await checkIprev(ctx, '1.2.3.6');
    assert.equal(result.result, 'pass');
    assert.deepEqual(result.names, ['mx6.domain.com']);
    assert.deepEqual(result.findings, ['ptr.multiple']);
  });

  test('IPv6 uses ip6.arpa and AAAA; IPv4-mapped IPv6 is the IPv4 host', async () => {
    assert.equal((await checkIprev(ctx, '2001:db8::25')).result, 'pass');
    assert.equal((await checkIprev(ctx, '::ffff:1.2.3.4')).result, 'pass');
  });

  test('temporary DNS failures are temperror, not fail', async () => {
    const forward = await checkIprev(ctx, '1.2.3.7');
    assert.equal(forward.result, 'temperror');
    assert.equal(forward.dnsError, 'timeout');
    const reverse = await checkIprev(ctx, '1.2.3.8');
    assert.equal(reverse.result, 'temperror');
    assert.equal(reverse.dnsError, 'servfail');
  });

  test('not an IP address is a permerror, without a query', async () => {
    const before = server.queries.length;
    assert.equal((await checkIprev(ctx, 'mail.example.com')).result, 'permerror');
    assert.equal(server.queries.length, before);
  });
});
