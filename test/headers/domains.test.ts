/**
 * The domains of sender and recipient headers over real DNS (the loopback test server): MX, null MX (RFC 7505),
 * implicit MX over A or AAAA (RFC 5321 §5.1), NXDOMAIN, NODATA, and DNS trouble.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import {
  checkHeaderDomains,
  checkHeaders,
  DEFAULT_MAX_HEADER_DOMAINS,
  type HeaderDomainCheck,
} from '../../src/core/headers/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { header } from './messages.js';

describe('header domains over loopback DNS', () => {
  let server: TestDnsServer;
  let ctx: CheckContext;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'sender.example': { MX: [[10, 'mx.sender.example']], TXT: ['v=spf1 -all'] },
        'mx.sender.example': { A: ['192.0.2.10'] },
        'desk.example': {
          MX: [
            [20, 'mx2.desk.example'],
            [10, 'mx1.desk.example'],
          ],
        },
        'nullmx.example': { MX: [[0, '.']], A: ['192.0.2.20'] },
        'mixed-null.example': {
          MX: [
            [0, '.'],
            [10, 'mx.sender.example'],
          ],
        },
        'aonly.example': { A: ['192.0.2.30'] },
        'aaaaonly.example': { AAAA: ['2001:db8::30'] },
        'nodata.example': { TXT: ['nothing for mail here'] },
        'alias.example': { CNAME: 'aonly.example' },
        'xn--bcher-kva.example': { MX: [[10, 'mx.sender.example']] },
        'slow.example': { MX: [[10, 'mx.sender.example']] },
        'slow-a.example': { TXT: ['no MX'] },
      }),
      rules: [
        { name: 'slow.example', action: 'timeout' },
        { name: 'broken.example', action: 'servfail' },
        { name: 'refusing.example', action: 'refused' },
        { name: 'slow-a.example', type: 'A', action: 'timeout' },
      ],
    });
    ctx = {
      // No cache: the query log then shows every lookup mailtrust makes.
      resolver: createResolver({ servers: [server.address], timeoutMs: 1_000, retries: 0, cache: false }),
      now: () => new Date('2026-11-26T07:00:00Z'),
      limits: { ...defaultLimits },
    };
  });
  after(() => server.close());

  const one = async (domain: string): Promise<HeaderDomainCheck> => {
    const result = await checkHeaderDomains(ctx, [domain]);
    assert.equal(result.domains.length, 1);
    return result.domains[0]!;
  };
  const queriesFor = (name: string) => server.queries.filter((q) => q.name.toLowerCase() === name).map((q) => q.type);

  test('MX: the exchanges by preference; no address lookups', async () => {
    server.queries.length = 0;
    const check = await one('desk.example');
    assert.deepEqual(check, {
      domain: 'desk.example',
      fields: [],
      status: 'mx',
      exchanges: ['mx1.desk.example', 'mx2.desk.example'],
    });
    assert.deepEqual(queriesFor('desk.example'), ['MX']);
  });

  test('null MX (RFC 7505) is unresolvable even with an A record', async () => {
    const result = await checkHeaderDomains(ctx, [{ domain: 'nullmx.example', fields: ['reply-to'] }]);
    assert.equal(result.domains[0]?.status, 'null-mx');
    assert.equal(result.result, 'fail');
    assert.deepEqual(result.findings, ['headers.domain-unresolvable']);
    assert.deepEqual(result.details, [
      {
        id: 'headers.domain-unresolvable',
        domain: 'nullmx.example',
        fields: ['reply-to'],
        field: 'reply-to',
        reason: 'null-mx',
      },
    ]);
  });

  test('a null MX next to real MX records: the real ones count', async () => {
    const check = await one('mixed-null.example');
    assert.equal(check.status, 'mx');
    assert.deepEqual(check.exchanges, ['mx.sender.example']);
  });

  test('no MX, an A record: implicit MX', async () => {
    server.queries.length = 0;
    const check = await one('aonly.example');
    assert.deepEqual(check, { domain: 'aonly.example', fields: [], status: 'implicit-mx', addresses: ['192.0.2.30'] });
    assert.deepEqual(queriesFor('aonly.example').sort(), ['A', 'AAAA', 'MX']);
  });

  test('no MX, an AAAA record: implicit MX', async () => {
    const check = await one('aaaaonly.example');
    assert.equal(check.status, 'implicit-mx');
    assert.deepEqual(check.addresses, ['2001:db8::30']);
  });

  test('a CNAME to a host with an address', async () => {
    assert.equal((await one('alias.example')).status, 'implicit-mx');
  });

  test('NXDOMAIN', async () => {
    server.queries.length = 0;
    const result = await checkHeaderDomains(ctx, [{ domain: 'nosuch.example', fields: ['to'] }]);
    assert.equal(result.domains[0]?.status, 'nxdomain');
    assert.deepEqual(result.findings, ['headers.domain-nxdomain']);
    assert.equal(result.details[0]?.field, 'to');
    assert.equal(result.details[0]?.domain, 'nosuch.example');
    assert.deepEqual(queriesFor('nosuch.example'), ['MX'], 'NXDOMAIN on MX ends the lookups');
  });

  test('the name exists with no MX, A or AAAA', async () => {
    const result = await checkHeaderDomains(ctx, ['nodata.example']);
    assert.equal(result.domains[0]?.status, 'no-mail-records');
    assert.deepEqual(result.findings, ['headers.domain-unresolvable']);
    assert.equal(result.details[0]?.reason, 'no-mail-records');
  });

  for (const [domain, kind] of [
    ['slow.example', 'timeout'],
    ['broken.example', 'servfail'],
    ['refusing.example', 'refused'],
    ['slow-a.example', 'timeout'],
  ] as const) {
    test(`${kind} on ${domain} is a temperror, not a finding`, async () => {
      const result = await checkHeaderDomains(ctx, [domain]);
      assert.equal(result.domains[0]?.status, 'temperror');
      assert.equal(result.domains[0]?.dnsError, kind);
      assert.equal(result.result, 'temperror');
      assert.equal(result.dnsError, kind);
      assert.deepEqual(result.findings, []);
    });
  }

  test('a finding and a temperror together: fail, with dnsError kept', async () => {
    const result = await checkHeaderDomains(ctx, ['slow.example', 'nosuch.example']);
    assert.equal(result.result, 'fail');
    assert.equal(result.dnsError, 'timeout');
    assert.deepEqual(result.findings, ['headers.domain-nxdomain']);
  });

  test('names are normalized and looked up once', async () => {
    server.queries.length = 0;
    const result = await checkHeaderDomains(ctx, [
      'Desk.Example',
      { domain: 'desk.example', fields: ['to'] },
      { domain: 'DESK.EXAMPLE', fields: ['cc'] },
      'bücher.example',
      'xn--bcher-kva.example',
    ]);
    assert.deepEqual(
      result.domains.map((d) => [d.domain, d.status, d.fields]),
      [
        ['desk.example', 'mx', ['to', 'cc']],
        ['xn--bcher-kva.example', 'mx', []],
      ],
    );
    assert.deepEqual(queriesFor('desk.example'), ['MX']);
    assert.deepEqual(queriesFor('xn--bcher-kva.example'), ['MX']);
  });

  test('a name that is not a host name is unresolvable without a query', async () => {
    server.queries.length = 0;
    const result = await checkHeaderDomains(ctx, ['bad_name.example', 'single']);
    assert.deepEqual(
      result.domains.map((d) => d.status),
      ['invalid', 'invalid'],
    );
    assert.deepEqual(result.findings, ['headers.domain-unresolvable']);
    assert.equal(server.queries.length, 0);
  });

  test(`at most ${DEFAULT_MAX_HEADER_DOMAINS} domains by default, the rest counted`, async () => {
    server.queries.length = 0;
    const domains = Array.from({ length: 25 }, (_, i) => `d${i}.nosuch.example`);
    const result = await checkHeaderDomains(ctx, domains);
    assert.equal(result.domains.length, DEFAULT_MAX_HEADER_DOMAINS);
    assert.equal(result.domainLimit, DEFAULT_MAX_HEADER_DOMAINS);
    assert.equal(result.domainsSkipped, 5);
    assert.deepEqual(
      result.domains.map((d) => d.domain),
      domains.slice(0, DEFAULT_MAX_HEADER_DOMAINS),
    );
    assert.equal(server.queries.length, DEFAULT_MAX_HEADER_DOMAINS);
    const capped = await checkHeaderDomains(ctx, domains, { maxDomains: 3 });
    assert.equal(capped.domains.length, 3);
    assert.equal(capped.domainsSkipped, 22);
  });

  test('an aborted context looks nothing up', async () => {
    server.queries.length = 0;
    const controller = new AbortController();
    controller.abort();
    const result = await checkHeaderDomains({ ...ctx, signal: controller.signal }, ['desk.example']);
    assert.equal(result.result, 'temperror');
    assert.equal(server.queries.length, 0);
  });
});

describe('checkHeaders end to end', () => {
  let server: TestDnsServer;
  let ctx: CheckContext;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'sender.example': { MX: [[10, 'mx.sender.example']] },
        'desk.example': { MX: [[10, 'mx.desk.example']] },
        'customer.example': { A: ['192.0.2.40'] },
        'noreply.example': { MX: [[0, '.']] },
      }),
      rules: [{ name: 'slow.example', action: 'timeout' }],
    });
    ctx = {
      resolver: createResolver({ servers: [server.address], timeoutMs: 1_000, retries: 0, cache: true }),
      now: () => new Date('2026-11-26T07:00:00Z'),
      limits: { ...defaultLimits },
    };
  });
  after(() => server.close());

  test('a well-formed message with resolvable domains passes', async () => {
    const result = await checkHeaders(ctx, header({ 'Reply-To': 'c@customer.example' }));
    assert.equal(result.result, 'pass');
    assert.deepEqual(result.findings, []);
    assert.deepEqual(
      result.domains.map((d) => [d.domain, d.status, d.fields]),
      [
        ['sender.example', 'mx', ['from']],
        ['customer.example', 'implicit-mx', ['reply-to']],
        ['desk.example', 'mx', ['to']],
      ],
    );
    assert.equal(result.dnsError, undefined);
  });

  test('"To domain nosuch.example does not exist": the detail names field and domain', async () => {
    const result = await checkHeaders(ctx, header({ To: 'Support <support@nosuch.example>' }));
    assert.equal(result.result, 'fail');
    assert.deepEqual(result.findings, ['headers.domain-nxdomain']);
    const detail = result.details.find((d) => d.id === 'headers.domain-nxdomain');
    assert.equal(detail?.field, 'to');
    assert.equal(detail?.domain, 'nosuch.example');
  });

  test('a Reply-To with a null MX: replies cannot be delivered', async () => {
    const result = await checkHeaders(ctx, header({ 'Reply-To': 'x@noreply.example' }));
    assert.deepEqual(result.findings, ['headers.domain-unresolvable']);
    assert.equal(result.details[0]?.reason, 'null-mx');
  });

  test('syntax findings and DNS findings together, in the documented order', async () => {
    const result = await checkHeaders(
      ctx,
      header({ From: 'a@nosuch-sender.example', Subject: null, Cc: 'x@[192.0.2.1]', 'Message-ID': 'nope' }),
    );
    assert.deepEqual(result.findings, [
      'headers.subject-missing',
      'headers.message-id-missing',
      'headers.domain-nxdomain',
      'headers.domain-unresolvable',
    ]);
  });

  test('a DNS timeout: temperror, retryable, no finding', async () => {
    const result = await checkHeaders(ctx, header({ Cc: 'x@slow.example' }));
    assert.equal(result.result, 'temperror');
    assert.equal(result.dnsError, 'timeout');
    assert.deepEqual(result.findings, []);
  });
});
