import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResolver } from '../../src/core/dns/index.js';
import type { ZoneRecord } from '../../src/core/dns/records.js';
import { reverseName } from '../../src/core/dns/reverse-name.js';
import type { RecordKind, Resolver } from '../../src/core/dns/types.js';
import { normalizeQueryName } from '../../src/core/dns/names.js';
import { MAX_CNAME_HOPS, ZoneIndex, findBrokenCnameChain, lookupZone } from '../../src/core/dns/zone-index.js';
import { createZoneResolver } from '../../src/core/dns/zone-querier.js';
import { parseZoneFile } from '../../src/core/dns/zonefile.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';

function zone(text: string): ZoneRecord[] {
  const result = parseZoneFile(text, { origin: 'example.com', defaultTtl: 300 });
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

const zoneText = `
@             SOA   ns1 hostmaster 1 7200 900 604800 60
@             NS    ns1
@         600 TXT   "v=spf1 " "ip4:192.0.2.0/24 -all"
@         100 TXT   "other"
@             MX    20 backup
@             MX    10 mail
@             MX    30 .
mail       50 A     192.0.2.1
mail      400 A     192.0.2.2
mail          AAAA  2001:db8::25
ns1           A     192.0.2.53
www        30 CNAME mail
alias     200 CNAME www
far           CNAME mail.elsewhere.test.
dangling      CNAME gone
nodatacname   CNAME ns1
loop1         CNAME loop2
loop2         CNAME loop1
self          CNAME self
a.b.c.deep    TXT   "deep"
_dmarc        TXT   "v=DMARC1; p=reject"
utf8          TXT   "caf\\195\\169 " "\\226\\152\\131"
badutf8       TXT   "\\255ok"
bücher        A     192.0.2.9
*.wild        TXT   "wildcard"
*.wild        A     192.0.2.77
exists.wild   A     192.0.2.78
x.ent.wild    A     192.0.2.79
1.2.0.192.in-addr.arpa.  PTR mail
1.2.0.192.in-addr.arpa.  PTR www.example.net.
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR Mail.Example.COM.
`;

describe('createZoneResolver: answers', () => {
  const resolver = createZoneResolver(zone(zoneText));

  test('A and AAAA, ttl the smallest of the records', async () => {
    assert.deepEqual(await resolver.a('mail.example.com'), { ok: true, records: ['192.0.2.1', '192.0.2.2'], ttl: 50 });
    assert.deepEqual(await resolver.aaaa('mail.example.com'), { ok: true, records: ['2001:db8::25'], ttl: 300 });
  });

  test('asked again, the same answer from memory, and every ask in the trace', async () => {
    const traced = resolver.withTrace();
    const first = await traced.txt('example.com');
    const second = await traced.txt('EXAMPLE.com');
    assert.deepEqual(second, first);
    assert.ok(first.ok && Object.isFrozen(first.records));
    assert.deepEqual(await traced.a('nothere.example.com'), { ok: false, kind: 'nxdomain' });
    assert.deepEqual(
      traced.trace!.entries.map((e) => [e.name, e.type, e.outcome, e.source]),
      [
        ['example.com', 'TXT', 'ok', 'zone'],
        ['EXAMPLE.com', 'TXT', 'ok', 'zone'],
        ['nothere.example.com', 'A', 'nxdomain', 'zone'],
      ],
    );
  });

  test('TXT: the strings of each record joined, records kept apart', async () => {
    assert.deepEqual(await resolver.txt('example.com'), {
      ok: true,
      records: ['v=spf1 ip4:192.0.2.0/24 -all', 'other'],
      ttl: 100,
    });
  });

  test('TXT bytes are decoded as UTF-8 (invalid bytes become U+FFFD)', async () => {
    assert.deepEqual(await resolver.txt('utf8.example.com'), { ok: true, records: ['café ☃'], ttl: 300 });
    assert.deepEqual(await resolver.txt('badutf8.example.com'), { ok: true, records: ['\ufffdok'], ttl: 300 });
  });

  test('MX sorted by preference, the null MX "." as the empty name', async () => {
    assert.deepEqual(await resolver.mx('example.com'), {
      ok: true,
      records: [
        { priority: 10, exchange: 'mail.example.com' },
        { priority: 20, exchange: 'backup.example.com' },
        { priority: 30, exchange: '' },
      ],
      ttl: 300,
    });
  });

  test('query names are case-insensitive, take a trailing dot, and may be Unicode', async () => {
    const expected = { ok: true, records: ['192.0.2.1', '192.0.2.2'], ttl: 50 };
    assert.deepEqual(await resolver.a('MAIL.Example.Com.'), expected);
    assert.deepEqual(await resolver.a('BÜCHER.example.com'), { ok: true, records: ['192.0.2.9'], ttl: 300 });
    assert.deepEqual(await resolver.a('xn--bcher-kva.example.com'), { ok: true, records: ['192.0.2.9'], ttl: 300 });
    assert.equal(normalizeQueryName('a/\u00fc.example.com'), 'a/\u00fc.example.com');
  });
});

describe('createZoneResolver: nxdomain, nodata and empty non-terminals', () => {
  const resolver = createZoneResolver(zone(zoneText));

  test('a name that owns records but not of the asked type is nodata', async () => {
    assert.deepEqual(await resolver.aaaa('ns1.example.com'), { ok: false, kind: 'nodata' });
    assert.deepEqual(await resolver.txt('mail.example.com'), { ok: false, kind: 'nodata' });
    assert.deepEqual(await resolver.a('example.com'), { ok: false, kind: 'nodata' });
  });

  test('an ancestor of an owner name exists (empty non-terminal): nodata, at every level', async () => {
    for (const name of ['c.deep.example.com', 'b.c.deep.example.com', 'deep.example.com']) {
      assert.deepEqual(await resolver.txt(name), { ok: false, kind: 'nodata' }, name);
    }
    assert.deepEqual(await resolver.txt('a.b.c.deep.example.com'), { ok: true, records: ['deep'], ttl: 300 });
  });

  test('a name that neither owns records nor has any below it is nxdomain', async () => {
    for (const name of ['nothing.example.com', 'x.a.b.c.deep.example.com', 'example.org', 'eep.example.com']) {
      assert.deepEqual(await resolver.a(name), { ok: false, kind: 'nxdomain' }, name);
    }
  });

  test('has() and exists() for an overlay', () => {
    const index = new ZoneIndex(zone(zoneText));
    assert.equal(index.has('mail.example.com', 'A'), true);
    assert.equal(index.has('MAIL.example.com.', 'AAAA'), true);
    assert.equal(index.has('mail.example.com', 'TXT'), false);
    assert.equal(index.has('www.example.com', 'A'), false, 'has() does not follow CNAMEs');
    assert.equal(index.has('www.example.com', 'CNAME'), true);
    assert.equal(index.exists('deep.example.com'), true);
    assert.equal(index.exists('nothing.example.com'), false);
  });
});

describe('createZoneResolver: CNAME', () => {
  const records = zone(zoneText);
  const resolver = createZoneResolver(records);
  const index = new ZoneIndex(records);

  test('a chain is followed; the ttl covers every CNAME in it', async () => {
    assert.deepEqual(await resolver.a('www.example.com'), { ok: true, records: ['192.0.2.1', '192.0.2.2'], ttl: 30 });
    assert.deepEqual(await resolver.a('alias.example.com'), { ok: true, records: ['192.0.2.1', '192.0.2.2'], ttl: 30 });
    const lookup = lookupZone(index, 'alias.example.com', 'A');
    assert.ok(lookup.ok);
    assert.deepEqual(lookup.cnames, ['www.example.com', 'mail.example.com']);
    assert.equal(lookup.name, 'mail.example.com');
  });

  test('asking for the CNAME itself does not follow it', () => {
    const lookup = index.lookup('alias.example.com', 'CNAME');
    assert.ok(lookup.ok);
    assert.deepEqual(
      lookup.records.map((r) => (r.type === 'CNAME' ? r.target : '')),
      ['www.example.com'],
    );
    assert.deepEqual(lookup.cnames, []);
  });

  test('the outcome at the end of the chain: nxdomain or nodata, with where the chain left the zone', async () => {
    assert.deepEqual(await resolver.a('dangling.example.com'), { ok: false, kind: 'nxdomain' });
    assert.deepEqual(await resolver.txt('nodatacname.example.com'), { ok: false, kind: 'nodata' });
    const far = index.lookup('far.example.com', 'TXT');
    assert.deepEqual(far, {
      ok: false,
      kind: 'nxdomain',
      name: 'mail.elsewhere.test',
      cnames: ['mail.elsewhere.test'],
    });
  });

  test('loops are servfail', async () => {
    assert.deepEqual(await resolver.a('loop1.example.com'), { ok: false, kind: 'servfail' });
    assert.deepEqual(await resolver.txt('loop2.example.com'), { ok: false, kind: 'servfail' });
    assert.deepEqual(await resolver.mx('self.example.com'), { ok: false, kind: 'servfail' });
  });

  test(`a chain of ${MAX_CNAME_HOPS} CNAMEs is followed, one more is servfail`, async () => {
    const chain = (length: number): ZoneRecord[] => {
      const list: ZoneRecord[] = [];
      for (let i = 0; i < length; i++)
        list.push({ name: `c${i}.t`, ttl: 100 - i, type: 'CNAME', target: `c${i + 1}.t` });
      list.push({ name: `c${length}.t`, ttl: 100, type: 'A', address: '192.0.2.1' });
      return list;
    };
    const within = createZoneResolver(chain(MAX_CNAME_HOPS));
    assert.deepEqual(await within.a('c0.t'), { ok: true, records: ['192.0.2.1'], ttl: 100 - (MAX_CNAME_HOPS - 1) });
    assert.deepEqual(await within.a(`c1.t`), { ok: true, records: ['192.0.2.1'], ttl: 100 - (MAX_CNAME_HOPS - 1) });
    const beyond = createZoneResolver(chain(MAX_CNAME_HOPS + 1));
    assert.deepEqual(await beyond.a('c0.t'), { ok: false, kind: 'servfail' });
    assert.deepEqual(await beyond.a('c1.t'), { ok: true, records: ['192.0.2.1'], ttl: 100 - MAX_CNAME_HOPS });
  });
});

describe('findBrokenCnameChain: a zone refused when it is loaded', () => {
  const chain = (length: number): ZoneRecord[] => [
    ...Array.from({ length }, (_, i): ZoneRecord => ({
      name: `c${i}.t`,
      ttl: 60,
      type: 'CNAME',
      target: `c${i + 1}.t`,
    })),
    { name: `c${length}.t`, ttl: 60, type: 'A', address: '192.0.2.1' },
  ];

  test('two names pointing at each other: a loop, both named', () => {
    const records = zone('a CNAME b\nb CNAME a\nok A 192.0.2.1\n');
    assert.deepEqual(findBrokenCnameChain(records), {
      code: 'zone.cname-chain',
      message: 'CNAME loop: a.example.com → b.example.com → a.example.com',
    });
  });

  test('a name pointing at itself, and a chain that runs into a loop', () => {
    assert.equal(
      findBrokenCnameChain(zone('self CNAME self\n'))?.message,
      'CNAME loop: self.example.com → self.example.com',
    );
    assert.equal(
      findBrokenCnameChain(zone('x CNAME a\na CNAME b\nb CNAME a\n'))?.message,
      'CNAME loop: x.example.com → a.example.com → b.example.com → a.example.com',
    );
  });

  test(`a chain of ${MAX_CNAME_HOPS} CNAMEs loads; one more is refused, naming every name`, () => {
    assert.equal(findBrokenCnameChain(chain(MAX_CNAME_HOPS)), undefined);
    const names = Array.from({ length: MAX_CNAME_HOPS + 2 }, (_, i) => `c${i}.t`);
    assert.deepEqual(findBrokenCnameChain(chain(MAX_CNAME_HOPS + 1)), {
      code: 'zone.cname-chain',
      message: `CNAME chain longer than ${MAX_CNAME_HOPS} hops: ${names.join(' → ')} (resolvers give up after ${MAX_CNAME_HOPS})`,
    });
  });

  test('chains that end (at records, at nothing, outside the zone) are fine', () => {
    const records = zone(zoneText).filter((r) => !/^(loop1|loop2|self)\./.test(r.name));
    assert.equal(findBrokenCnameChain(records), undefined);
    assert.notEqual(findBrokenCnameChain(zone(zoneText)), undefined, 'the full test zone holds loops');
  });
});

describe('createZoneResolver: wildcards (RFC 4592)', () => {
  const resolver = createZoneResolver(zone(zoneText));

  test('a name that does not exist is answered by *.<closest encloser>', async () => {
    assert.deepEqual(await resolver.txt('anything.wild.example.com'), { ok: true, records: ['wildcard'], ttl: 300 });
    assert.deepEqual(await resolver.a('more.labels.wild.example.com'), { ok: true, records: ['192.0.2.77'], ttl: 300 });
    assert.deepEqual(await resolver.mx('anything.wild.example.com'), { ok: false, kind: 'nodata' });
  });

  test('a name that exists, even as an empty non-terminal, is not matched', async () => {
    assert.deepEqual(await resolver.txt('exists.wild.example.com'), { ok: false, kind: 'nodata' });
    assert.deepEqual(await resolver.txt('ent.wild.example.com'), { ok: false, kind: 'nodata' });
    // Below an existing name the closest encloser is that name, which has no wildcard child.
    assert.deepEqual(await resolver.txt('y.exists.wild.example.com'), { ok: false, kind: 'nxdomain' });
    assert.deepEqual(await resolver.txt('wild.example.com'), { ok: false, kind: 'nodata' });
  });
});

describe('reverseName', () => {
  test('IPv4: in-addr.arpa with the octets reversed', () => {
    assert.equal(reverseName('192.0.2.1'), '1.2.0.192.in-addr.arpa');
    assert.equal(reverseName('10.0.0.255'), '255.0.0.10.in-addr.arpa');
  });

  test('IPv6: 32 nibbles, least significant first, in ip6.arpa (RFC 3596 §2.5)', () => {
    assert.equal(
      reverseName('2001:db8::567:89ab'),
      'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
    assert.equal(reverseName('2001:DB8:0:0:0:0:567:89AB'), reverseName('2001:db8::567:89ab'));
    assert.equal(reverseName('::'), `${'0.'.repeat(32)}ip6.arpa`);
    assert.equal(reverseName('::1'), `1.${'0.'.repeat(31)}ip6.arpa`);
  });

  test('IPv4-mapped IPv6 maps to in-addr.arpa', () => {
    assert.equal(reverseName('::ffff:192.0.2.1'), '1.2.0.192.in-addr.arpa');
    assert.equal(reverseName('::FFFF:c000:0201'), '1.2.0.192.in-addr.arpa');
  });

  test('undefined for what is not an IP address', () => {
    for (const bad of [
      '',
      'example.com',
      '1.2.3',
      '1.2.3.256',
      '01.2.3.4',
      ' 1.2.3.4',
      '1::2::3',
      'fe80::1%eth0',
      '::g',
    ]) {
      assert.equal(reverseName(bad), undefined, JSON.stringify(bad));
    }
  });

  test('ptr() asks for the reverse name; IPv6 through ip6.arpa', async () => {
    const resolver = createZoneResolver(zone(zoneText));
    assert.deepEqual(await resolver.ptr('192.0.2.1'), {
      ok: true,
      records: ['mail.example.com', 'www.example.net'],
      ttl: 300,
    });
    assert.deepEqual(await resolver.ptr('2001:0db8::25'), { ok: true, records: ['mail.example.com'], ttl: 300 });
    assert.deepEqual(await resolver.ptr('2001:db8::26'), { ok: false, kind: 'nxdomain' });
    assert.deepEqual(await resolver.ptr('192.0.2.2'), { ok: false, kind: 'nxdomain' });
    assert.deepEqual(await resolver.ptr('1.2.0.192.in-addr.arpa'), { ok: false, kind: 'nxdomain' });
  });
});

describe('createZoneResolver: records built by hand', () => {
  test('names and targets are normalized; AAAA comes out canonical', async () => {
    const resolver = createZoneResolver([
      { name: 'Host.Test.', ttl: 5, type: 'AAAA', address: '2001:DB8:0:0:0:0:0:1' },
      { name: 'host.test', ttl: 5, type: 'MX', priority: 1, exchange: 'MX.Test.' },
    ]);
    assert.deepEqual(await resolver.aaaa('host.test'), { ok: true, records: ['2001:db8::1'], ttl: 5 });
    assert.deepEqual(await resolver.mx('HOST.test'), {
      ok: true,
      records: [{ priority: 1, exchange: 'mx.test' }],
      ttl: 5,
    });
  });

  test('SPF (type 99) records are not TXT answers', async () => {
    const resolver = createZoneResolver(zone('spf SPF "v=spf1 -all"'));
    assert.deepEqual(await resolver.txt('spf.example.com'), { ok: false, kind: 'nodata' });
  });

  test('an index of 100,000 names answers every lookup', () => {
    const records: ZoneRecord[] = [];
    for (let i = 0; i < 100_000; i++) records.push({ name: `h${i}.big.test`, ttl: 1, type: 'A', address: '192.0.2.1' });
    const index = new ZoneIndex(records);
    for (let i = 0; i < 100_000; i++) assert.equal(index.lookup(`h${i}.big.test`, 'A').ok, true);
    assert.equal(index.lookup('h100000.big.test', 'A').ok, false);
  });
});

describe('a zone file served over real DNS gives the same answers as the zone resolver', () => {
  let server: TestDnsServer | undefined;
  let network: Resolver | undefined;
  // Names without wildcards or long chains: the test server implements neither.
  const records = zone(zoneText).filter((r) => !r.name.includes('*') && !/^(loop|self)/.test(r.name));
  const offline = createZoneResolver(records);

  before(async () => {
    server = await startTestDnsServer({ records });
    network = createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0, cache: true });
  });
  after(async () => {
    await server?.close();
  });

  const queries: [RecordKind, string][] = [
    ['a', 'mail.example.com'],
    ['aaaa', 'mail.example.com'],
    ['txt', 'example.com'],
    ['txt', 'utf8.example.com'],
    ['txt', '_dmarc.example.com'],
    ['mx', 'example.com'],
    ['a', 'www.example.com'],
    ['a', 'alias.example.com'],
    ['a', 'dangling.example.com'],
    ['txt', 'nodatacname.example.com'],
    ['aaaa', 'ns1.example.com'],
    ['txt', 'deep.example.com'],
    ['txt', 'a.b.c.deep.example.com'],
    ['a', 'nothing.example.com'],
    ['a', 'xn--bcher-kva.example.com'],
    ['ptr', '192.0.2.1'],
    ['ptr', '2001:db8::25'],
    ['ptr', '192.0.2.2'],
  ];
  for (const [method, name] of queries) {
    test(`${method}(${name})`, async () => {
      assert.ok(network);
      const expected = await offline[method](name);
      const actual = await network[method](name);
      assert.deepEqual(actual, expected);
      // Zone data is known without waiting, and known() gives what the lookup gives.
      assert.deepEqual(offline.known?.(method, name), expected);
    });
  }
  test('the answers above came over the wire, one query at least per name', () => {
    assert.ok(server);
    assert.ok(server.queries.length >= queries.length, `${server.queries.length} queries`);
  });
});
