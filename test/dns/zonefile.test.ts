import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseZoneFile, type ZoneFileOptions } from '../../src/core/dns/zonefile.js';
import type { ZoneRecord } from '../../src/core/dns/records.js';
import { seededRandom as random } from '../support/random.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function parse(text: string, options?: ZoneFileOptions): ZoneRecord[] {
  const result = parseZoneFile(text, options);
  if (!result.ok) assert.fail(`unexpected parse error: ${result.error.message}`);
  return result.value;
}

function parseError(text: string, options?: ZoneFileOptions) {
  const result = parseZoneFile(text, options);
  if (result.ok) assert.fail(`expected a parse error, got ${result.value.length} records`);
  return result.error;
}

/** Asserts the error's line, code, and that the message starts with `line N:` and matches `pattern`. */
function assertError(text: string, line: number | undefined, code: string, pattern: RegExp, options?: ZoneFileOptions) {
  const error = parseError(text, options);
  assert.equal(error.line, line, error.message);
  assert.equal(error.code, code, error.message);
  if (line !== undefined) assert.ok(error.message.startsWith(`line ${line}: `), error.message);
  assert.match(error.message, pattern);
}

function texts(record: ZoneRecord | undefined): string[] {
  assert.ok(record && (record.type === 'TXT' || record.type === 'SPF'), 'expected a TXT record');
  return record.strings.map((s) => dec.decode(s));
}

const sample = [
  '; example zone',
  '$ORIGIN example.com.',
  '$TTL 1h',
  '@ IN SOA ns1 hostmaster.example.com. (',
  '    2024010101 ; serial',
  '    2h 15m 1w',
  '    300 )',
  '@        NS    ns1',
  '         NS    ns2.example.net.',
  '         MX    10 mail',
  '         MX    20 backup.example.net.',
  '         TXT   "v=spf1 ip4:192.0.2.0/24 -all" ; the SPF record',
  '         SPF   "v=spf1 -all"',
  'mail     300 IN A 192.0.2.1',
  'mail     IN 300 AAAA 2001:DB8:0:0:0:0:0:1',
  'www      CNAME mail',
  '_dmarc   TXT   "v=DMARC1; p=reject; rua=mailto:d@example.com"',
  '1.2.0.192.in-addr.arpa. PTR mail',
].join('\n');

describe('parseZoneFile: a whole zone', () => {
  const records = parse(sample);

  test('reads every record with names made absolute', () => {
    assert.deepEqual(
      records.map((r) => `${r.name} ${r.ttl} ${r.type}`),
      [
        'example.com 3600 SOA',
        'example.com 3600 NS',
        'example.com 3600 NS',
        'example.com 3600 MX',
        'example.com 3600 MX',
        'example.com 3600 TXT',
        'example.com 3600 SPF',
        'mail.example.com 300 A',
        'mail.example.com 300 AAAA',
        'www.example.com 3600 CNAME',
        '_dmarc.example.com 3600 TXT',
        '1.2.0.192.in-addr.arpa 3600 PTR',
      ],
    );
  });

  test('SOA across parentheses, with TTL units in its timers', () => {
    assert.deepEqual(records[0], {
      name: 'example.com',
      ttl: 3600,
      type: 'SOA',
      soa: {
        mname: 'ns1.example.com',
        rname: 'hostmaster.example.com',
        serial: 2024010101,
        refresh: 7200,
        retry: 900,
        expire: 604800,
        minimum: 300,
      },
    });
  });

  test('RDATA names are relative to the origin unless absolute', () => {
    assert.deepEqual(records[1], { name: 'example.com', ttl: 3600, type: 'NS', target: 'ns1.example.com' });
    assert.deepEqual(records[2], { name: 'example.com', ttl: 3600, type: 'NS', target: 'ns2.example.net' });
    assert.deepEqual(records[3], {
      name: 'example.com',
      ttl: 3600,
      type: 'MX',
      priority: 10,
      exchange: 'mail.example.com',
    });
    assert.deepEqual(records[4], {
      name: 'example.com',
      ttl: 3600,
      type: 'MX',
      priority: 20,
      exchange: 'backup.example.net',
    });
    assert.deepEqual(records[9], { name: 'www.example.com', ttl: 3600, type: 'CNAME', target: 'mail.example.com' });
    assert.deepEqual(records[11], {
      name: '1.2.0.192.in-addr.arpa',
      ttl: 3600,
      type: 'PTR',
      target: 'mail.example.com',
    });
  });

  test('a comment after a quoted string is dropped; ";" inside quotes is kept', () => {
    assert.deepEqual(texts(records[5]), ['v=spf1 ip4:192.0.2.0/24 -all']);
    assert.deepEqual(texts(records[10]), ['v=DMARC1; p=reject; rua=mailto:d@example.com']);
    assert.deepEqual(texts(records[6]), ['v=spf1 -all']);
  });

  test('AAAA is stored in RFC 5952 canonical form', () => {
    const aaaa = records[8];
    assert.ok(aaaa?.type === 'AAAA');
    assert.equal(aaaa.address, '2001:db8::1');
  });

  test('a leading byte order mark is ignored', () => {
    assert.deepEqual(parse(`\ufeff${sample}`), records);
    // Only the first character is a byte order mark; elsewhere U+FEFF is data.
    const record = parse('\ufeffx. 1 TXT "\ufeff"')[0];
    assert.ok(record?.type === 'TXT');
    assert.deepEqual(Array.from(record.strings[0] ?? []), [0xef, 0xbb, 0xbf]);
  });

  test('CRLF line ends give the same records as LF', () => {
    assert.deepEqual(parse(sample.replace(/\n/g, '\r\n')), records);
    assert.deepEqual(parse(`${sample}\r\n`), records);
  });
});

describe('parseZoneFile: owners, origin and names', () => {
  test('blank owner repeats the previous owner, also after a directive', () => {
    const records = parse('$ORIGIN a.test.\nhost 60 A 192.0.2.1\n\t60 A 192.0.2.2\n$TTL 5\n  TXT "x"');
    assert.deepEqual(
      records.map((r) => `${r.name} ${r.ttl}`),
      ['host.a.test 60', 'host.a.test 60', 'host.a.test 5'],
    );
  });

  test('the origin option, overridden by $ORIGIN; a relative $ORIGIN appends to the current one', () => {
    const records = parse('@ 1 A 192.0.2.1\n$ORIGIN sub\n@ 1 A 192.0.2.2\n$ORIGIN other.test.\nx 1 A 192.0.2.3', {
      origin: 'Example.COM',
    });
    assert.deepEqual(
      records.map((r) => r.name),
      ['example.com', 'sub.example.com', 'x.other.test'],
    );
  });

  test('$ORIGIN without a trailing dot and no origin yet is taken as absolute', () => {
    assert.equal(parse('$ORIGIN example.org\nwww 1 A 192.0.2.1')[0]?.name, 'www.example.org');
  });

  test('names are lower-cased and stored without the trailing dot; "." is the root', () => {
    const records = parse('WWW.Example.COM. 1 MX 0 .\n. 1 NS A.ROOT-SERVERS.NET.');
    assert.deepEqual(records[0], { name: 'www.example.com', ttl: 1, type: 'MX', priority: 0, exchange: '' });
    assert.deepEqual(records[1], { name: '', ttl: 1, type: 'NS', target: 'a.root-servers.net' });
  });

  test('$ORIGIN . makes relative names top-level', () => {
    assert.equal(parse('$ORIGIN .\ntest 1 A 192.0.2.1')[0]?.name, 'test');
  });

  test('underscores, wildcards and escaped characters in names', () => {
    const records = parse(
      '$ORIGIN example.com.\ns1._domainkey 1 TXT "k=rsa"\n*.wild 1 A 192.0.2.1\na\\065b 1 A 192.0.2.2',
    );
    assert.deepEqual(
      records.map((r) => r.name),
      ['s1._domainkey.example.com', '*.wild.example.com', 'aab.example.com'],
    );
  });

  test('non-ASCII labels become A-labels, in owners and in RDATA', () => {
    const records = parse('$ORIGIN bücher.example.\n@ 1 MX 10 mäil\nÖl.test. 1 CNAME @');
    assert.deepEqual(records[0], {
      name: 'xn--bcher-kva.example',
      ttl: 1,
      type: 'MX',
      priority: 10,
      exchange: 'xn--mil-qla.xn--bcher-kva.example',
    });
    assert.deepEqual(records[1], {
      name: 'xn--l-0ga.test',
      ttl: 1,
      type: 'CNAME',
      target: 'xn--bcher-kva.example',
    });
  });

  test('label of 63 octets and name of 253 octets are accepted', () => {
    const label63 = 'a'.repeat(63);
    const name253 = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(61)}`;
    assert.equal(name253.length, 253);
    assert.equal(parse(`${label63}.test. 1 A 192.0.2.1`)[0]?.name, `${label63}.test`);
    assert.equal(parse(`${name253}. 1 A 192.0.2.1`)[0]?.name, name253);
  });

  test('name errors carry their line', () => {
    assertError(`$ORIGIN t.\n\n${'a'.repeat(64)} 1 A 192.0.2.1`, 3, 'zone.name', /longer than 63 octets/);
    const name254 = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(62)}`;
    assertError(`x. 1 A 192.0.2.1\n${name254}. 1 A 192.0.2.1`, 2, 'zone.name', /longer than 253 octets/);
    // The origin is appended before the length check.
    assertError(`$ORIGIN ${'o'.repeat(63)}.\n${name254.slice(0, 190)} 1 A 192.0.2.1`, 2, 'zone.name', /253/);
    assertError('a..b. 1 A 192.0.2.1', 1, 'zone.name', /empty label/);
    assertError('.a. 1 A 192.0.2.1', 1, 'zone.name', /empty label/);
    assertError('x. 1 A 192.0.2.1\nwww 1 A 192.0.2.1', 2, 'zone.name', /relative owner name 'www' but no origin/);
    assertError('\n@ 1 A 192.0.2.1', 2, 'zone.name', /'@' used as owner name but no origin/);
    assertError('$ORIGIN t.\n@ 1 MX 1 mx\\.host', 2, 'zone.name', /escaped '\.'/);
    // A URL-host delimiter must not cut an internationalized label short ('a/ü' is not 'a').
    for (const bad of ['a/\u00fc', '\u00fc#', 'a?\u00fc', '\u00fc*', '\u00fc\\\\'])
      assertError(`$ORIGIN t.\n${bad} 1 A 192.0.2.1`, 2, 'zone.name', /internationalized/);
    assertError('$ORIGIN t.\na\\000b 1 A 192.0.2.1', 2, 'zone.name', /not allowed/);
    assertError('$ORIGIN t.\na\\200b 1 A 192.0.2.1', 2, 'zone.name', /not allowed/);
    assertError('$ORIGIN t.\n@ 1 CNAME \u2603\u0000x.', 2, 'zone.name', /CNAME target/);
    assertError('$ORIGIN t.\nxn--zz 1 A 192.0.2.1\na\ufffd 1 A 192.0.2.1', 3, 'zone.name', /internationalized/);
  });

  test('a record before any owner name is an error', () => {
    assertError('$TTL 1\n  A 192.0.2.1', 2, 'zone.name', /without an owner/);
  });

  test('a bad origin option is reported without a line', () => {
    assertError('', undefined, 'zone.name', /bad origin option/, { origin: 'a..b' });
  });
});

describe('parseZoneFile: TTL and class', () => {
  test('TTL and class in either order, or neither', () => {
    const records = parse(
      '$ORIGIN t.\n$TTL 99\na 10 IN A 192.0.2.1\nb IN 20 A 192.0.2.2\nc in A 192.0.2.3\nd 30 A 192.0.2.4\ne A 192.0.2.5',
    );
    assert.deepEqual(
      records.map((r) => r.ttl),
      [10, 20, 99, 30, 99],
    );
  });

  test('BIND TTL units, any case, summed', () => {
    const records = parse(
      '$ORIGIN t.\na 1h30m A 192.0.2.1\nb 1W2D3H4M5S A 192.0.2.1\nc 0 A 192.0.2.1\nd 2147483647 A 192.0.2.1',
    );
    assert.deepEqual(
      records.map((r) => r.ttl),
      [5400, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5, 0, 2147483647],
    );
  });

  test('$TTL in the file overrides the defaultTtl option, which applies before it', () => {
    const records = parse('$ORIGIN t.\na A 192.0.2.1\n$TTL 7\nb A 192.0.2.1', { defaultTtl: 42 });
    assert.deepEqual(
      records.map((r) => r.ttl),
      [42, 7],
    );
  });

  test('without $TTL, an omitted TTL is the last one stated (RFC 1035 §5.1)', () => {
    const records = parse('$ORIGIN t.\na 50 A 192.0.2.1\nb A 192.0.2.2\nc 60 A 192.0.2.3\nd A 192.0.2.4');
    assert.deepEqual(
      records.map((r) => r.ttl),
      [50, 50, 60, 60],
    );
  });

  test('an SOA without any TTL takes its MINIMUM; the records after it still need one', () => {
    const records = parse('$ORIGIN t.\n@ SOA ns hm 1 2 3 4 77\n');
    assert.equal(records[0]?.ttl, 77);
    assertError('$ORIGIN t.\n@ SOA ns hm 1 2 3 4 77\nwww A 192.0.2.1', 3, 'zone.ttl', /no TTL/);
  });

  test('TTL errors', () => {
    assertError('$ORIGIN t.\na A 192.0.2.1', 2, 'zone.ttl', /no TTL for this record/);
    assertError('$ORIGIN t.\n\na 2147483648 A 192.0.2.1', 3, 'zone.ttl', /larger than 2147483647/);
    assertError('$ORIGIN t.\na 99999999999999999999999 A 192.0.2.1', 2, 'zone.ttl', /larger/);
    assertError('$TTL 1x', 1, 'zone.ttl', /bad \$TTL '1x'/);
    assertError('$TTL 1h30', 1, 'zone.ttl', /bad \$TTL '1h30'/);
    assertError('$TTL', 1, 'zone.directive', /\$TTL takes one TTL/);
    assertError('$TTL 1 2', 1, 'zone.directive', /\$TTL takes one TTL/);
    assertError('', undefined, 'zone.ttl', /bad default TTL/, { defaultTtl: -1 });
    assertError('', undefined, 'zone.ttl', /bad default TTL/, { defaultTtl: 1.5 });
  });

  test('only class IN', () => {
    assertError('$ORIGIN t.\na 1 CH A 192.0.2.1', 2, 'zone.class', /class CH is not supported/);
    assertError('$ORIGIN t.\na CLASS3 1 A 192.0.2.1', 2, 'zone.class', /CLASS3/);
  });
});

describe('parseZoneFile: TXT character-strings', () => {
  test('several strings, quoted or not, each one Uint8Array', () => {
    const records = parse('$ORIGIN t.\n@ 1 TXT "v=DKIM1; k=rsa; " "p=MIIB" bare\\ word "" x');
    assert.deepEqual(texts(records[0]), ['v=DKIM1; k=rsa; ', 'p=MIIB', 'bare word', '', 'x']);
  });

  test('escapes: \\" \\\\ \\X and \\DDD decimal bytes', () => {
    const records = parse('$ORIGIN t.\n@ 1 TXT "a\\"b" "c\\\\d" "\\e" "\\065\\000\\255" \\059semi');
    const record = records[0];
    assert.ok(record?.type === 'TXT');
    assert.deepEqual(
      record.strings.map((s) => Array.from(s)),
      [[0x61, 0x22, 0x62], [0x63, 0x5c, 0x64], [0x65], [65, 0, 255], [0x3b, ...enc.encode('semi')]],
    );
  });

  test('a string spread over lines in parentheses, with comments between', () => {
    const records = parse('$ORIGIN t.\nsel._domainkey 1 IN TXT ( "v=DKIM1; "  ; first\n   "p=abc" ; second\n )\n');
    assert.deepEqual(texts(records[0]), ['v=DKIM1; ', 'p=abc']);
  });

  test('non-ASCII text is stored as UTF-8 bytes and counts as bytes', () => {
    const records = parse(`$ORIGIN t.\n@ 1 TXT "h\u00e9" "${'\u00e9'.repeat(127)}x"`);
    const record = records[0];
    assert.ok(record?.type === 'TXT');
    assert.deepEqual(Array.from(record.strings[0] ?? []), [0x68, 0xc3, 0xa9]);
    assert.equal(record.strings[1]?.length, 255);
    assertError(`$ORIGIN t.\n@ 1 TXT "${'\u00e9'.repeat(128)}"`, 2, 'zone.rdata', /256 bytes/);
  });

  test('255 bytes is the limit of one string, escapes counting one byte each', () => {
    assert.equal(texts(parse(`$ORIGIN t.\n@ 1 TXT "${'x'.repeat(255)}"`)[0])[0]?.length, 255);
    assert.equal(texts(parse(`$ORIGIN t.\n@ 1 TXT ${'\\120'.repeat(255)}`)[0])[0]?.length, 255);
    const long = `$ORIGIN t.\n@ 1 TXT "ok"\n\n\n\n\n@ 1 TXT "short" "${'x'.repeat(256)}"`;
    const error = parseError(long);
    assert.equal(error.line, 7);
    assert.match(error.message, /^line 7: TXT string longer than 255 bytes/);
    assertError(`$ORIGIN t.\n@ 1 SPF ${'\\120'.repeat(256)}`, 2, 'zone.rdata', /SPF string longer than 255 bytes/);
    assertError(
      `$ORIGIN t.\n@ 1 TXT "\u00e9${'\\120'.repeat(254)}"`,
      2,
      'zone.rdata',
      /TXT string longer than 255 bytes/,
    );
    const record = parse(`$ORIGIN t.\n@ 1 TXT "\u00e9${'\\120'.repeat(253)}"`)[0];
    assert.ok(record?.type === 'TXT');
    assert.equal(record.strings[0]?.length, 255);
  });

  test('escape errors', () => {
    assertError('$ORIGIN t.\n@ 1 TXT "\\256"', 2, 'zone.syntax', /a byte is 0\.\.255/);
    assertError('$ORIGIN t.\n@ 1 TXT "\\12x"', 2, 'zone.syntax', /three decimal digits/);
    assertError('$ORIGIN t.\n@ 1 TXT abc\\', 2, 'zone.syntax', /'\\' at the end of a line/);
    assertError('$ORIGIN t.\n@ 1 TXT "abc\\\nx"', 2, 'zone.syntax', /'\\' at the end of a line/);
  });

  test('a TXT record holds at most 65535 bytes of RDATA (RFC 1035 §3.2.1)', () => {
    const fits = `"${'x'.repeat(254)}" `.repeat(257); // 257 × (1 + 254) = 65535
    const record = parse(`$ORIGIN t.\n@ 1 TXT ${fits}`)[0];
    assert.ok(record?.type === 'TXT');
    assert.equal(
      record.strings.reduce((sum, s) => sum + 1 + s.length, 0),
      65535,
    );
    assertError(
      `$ORIGIN t.\n@ 1 TXT ${fits} ""`,
      2,
      'zone.rdata',
      /TXT record longer than 65535 bytes \(65536 bytes\)/,
    );
    assertError(`$ORIGIN t.\n@ 1 TXT ${'a '.repeat(70000)}`, 2, 'zone.rdata', /TXT record longer than 65535 bytes/);
  });

  test('TXT needs at least one string', () => {
    assertError('$ORIGIN t.\n@ 1 TXT ; nothing', 2, 'zone.rdata', /one or more strings/);
  });
});

describe('parseZoneFile: A, AAAA, MX', () => {
  test('A accepts dotted quads only', () => {
    assert.equal(parse('a. 1 A 0.0.0.0\nb. 1 A 255.255.255.255').length, 2);
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.x', '1.2.3.4/24', '"1.2.3.4"', '::1']) {
      assertError(`a. 1 A 192.0.2.1\nb. 1 A ${bad}`, 2, 'zone.rdata', /bad IPv4 address/);
    }
  });

  test('AAAA canonical form (RFC 5952 §4)', () => {
    const cases: [string, string][] = [
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs (§4.2.3)
      ['2001:db8:0:0:0:1:0:0', '2001:db8::1:0:0'], // longest run
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not shortened (§4.2.2)
      ['2001:db8::0:1', '2001:db8::1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['fe80::abcd:EF01', 'fe80::abcd:ef01'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // IPv4-mapped keeps its dotted quad (§5)
      ['::ffff:c000:0201', '::ffff:192.0.2.1'],
      ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ];
    for (const [input, canonical] of cases) {
      const record = parse(`a. 1 AAAA ${input}`)[0];
      assert.ok(record?.type === 'AAAA');
      assert.equal(record.address, canonical, input);
    }
  });

  test('AAAA rejects what is not IPv6', () => {
    for (const bad of [
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::',
      '::g',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:',
      '192.0.2.1',
      '1.2.3.4::',
      'fe80::1%eth0',
      '1::2:3:4:5:6:7:8',
    ]) {
      assertError(`\na. 1 AAAA ${bad}`, 2, 'zone.rdata', /bad IPv6 address/);
    }
  });

  test('MX preference is 0..65535', () => {
    const records = parse('a. 1 MX 0 mx.a.\na. 1 MX 65535 mx2.a.');
    assert.deepEqual(
      records.map((r) => (r.type === 'MX' ? r.priority : -1)),
      [0, 65535],
    );
    for (const bad of ['65536', '-1', 'ten', '1.5']) {
      assertError(`a. 1 MX 0 mx.a.\na. 1 MX ${bad} mx.a.`, 2, 'zone.rdata', /bad MX preference/);
    }
  });

  test('field counts are checked per type', () => {
    assertError('$ORIGIN t.\n@ 1 MX 10', 2, 'zone.rdata', /MX takes a preference and an exchange, got 1 field$/);
    assertError('$ORIGIN t.\n@ 1 A 192.0.2.1 192.0.2.2', 2, 'zone.rdata', /A takes one IPv4 address, got 2 fields/);
    assertError('$ORIGIN t.\n@ 1 CNAME', 2, 'zone.rdata', /CNAME takes one domain name/);
    assertError('$ORIGIN t.\n@ 1 SOA ns hm (1 2\n 3 4)', 2, 'zone.rdata', /SOA takes MNAME RNAME/);
    assertError('$ORIGIN t.\n@ 1 SOA ns hm 4294967296 2 3 4 5', 2, 'zone.rdata', /bad SOA serial/);
    assertError('$ORIGIN t.\n@ 1 PTR a (\n  b )', 3, 'zone.rdata', /PTR takes one domain name, got 2 fields/);
  });
});

describe('parseZoneFile: directives, types and structure errors', () => {
  test('$INCLUDE is refused: offline zone files are self-contained', () => {
    assertError('$ORIGIN t.\n\n$INCLUDE other.zone', 3, 'zone.include', /\$INCLUDE is not supported.*self-contained/);
  });

  test('unknown directives', () => {
    assertError('$GENERATE 1-10 host$ A 192.0.2.$', 1, 'zone.directive', /unknown directive '\$GENERATE'/);
  });

  test('record types mailtrust does not read are named', () => {
    assertError('$ORIGIN t.\n_sip._tcp 1 SRV 0 5 5060 sip', 2, 'zone.type', /record type SRV is not supported/);
    assertError('$ORIGIN t.\n@ 1 TYPE65 \\# 0', 2, 'zone.type', /TYPE65 is not supported/);
    assertError('$ORIGIN t.\n@ 1 BOGUS x', 2, 'zone.type', /expected a record type, TTL or class, got 'BOGUS'/);
    assertError('$ORIGIN t.\n@ 1 IN', 2, 'zone.type', /record type missing/);
    assertError('$ORIGIN t.\n@ 1 "A" 192.0.2.1', 2, 'zone.type', /expected a record type/);
  });

  test('parentheses must balance and not nest', () => {
    assertError('$ORIGIN t.\n@ 1 TXT ( "a"\n "b"\n', 2, 'zone.syntax', /'\(' is never closed/);
    assertError('$ORIGIN t.\n@ 1 TXT "a" )', 2, 'zone.syntax', /'\)' without a matching '\('/);
    assertError(
      '$ORIGIN t.\n@ 1 TXT ( "a"\n ( "b" ) )',
      3,
      'zone.syntax',
      /nested '\(' \(the '\(' on line 2 is open\)/,
    );
  });

  test('an unterminated quoted string is an error at its line', () => {
    assertError('$ORIGIN t.\n@ 1 TXT "abc\nwww 1 A 192.0.2.1', 2, 'zone.syntax', /unterminated quoted string/);
    assertError('$ORIGIN t.\n@ 1 TXT "abc', 2, 'zone.syntax', /unterminated/);
  });

  test('a CNAME may not share its name (RFC 1034 §3.6.2)', () => {
    assertError(
      '$ORIGIN t.\nwww 1 A 192.0.2.1\nwww 1 CNAME @',
      3,
      'zone.conflict',
      /CNAME at www\.t, which has other records \(line 2\)/,
    );
    assertError(
      '$ORIGIN t.\nwww 1 CNAME @\nwww 1 TXT "x"',
      3,
      'zone.conflict',
      /TXT at www\.t, which has a CNAME \(line 2\)/,
    );
    assertError('$ORIGIN t.\nwww 1 CNAME @\nwww 1 CNAME a', 3, 'zone.conflict', /second CNAME/);
    assertError('$ORIGIN t.\n@ 1 SOA a b 1 2 3 4 5\n@ 1 SOA a b 2 2 3 4 5', 3, 'zone.conflict', /second SOA/);
  });

  test('identical records are kept once; the same data under another type or owner is not identical', () => {
    const records = parse(
      '$ORIGIN t.\n@ 1 TXT "v=spf1 -all"\n@ 300 TXT "v=spf1 -all"\n@ 1 SPF "v=spf1 -all"\n@ 1 TXT "v=spf1" " -all"\nx 1 TXT "v=spf1 -all"',
    );
    assert.deepEqual(
      records.map((r) => `${r.name} ${r.type} ${r.ttl} ${texts(r).join('|')}`),
      ['t TXT 1 v=spf1 -all', 't SPF 1 v=spf1 -all', 't TXT 1 v=spf1| -all', 'x.t TXT 1 v=spf1 -all'],
    );
  });

  test('empty input, comments and blank lines only', () => {
    assert.deepEqual(parse(''), []);
    assert.deepEqual(parse('; nothing\n\n   \n\t; more\r\n'), []);
  });

  test('errors inside parentheses name the line of the bad token', () => {
    assertError('$ORIGIN t.\n@ 1 SOA ns hm (\n 1\n 2\n bad\n 4 5 )', 5, 'zone.ttl', /bad SOA retry 'bad'/);
  });
});

describe('parseZoneFile: malformed input never crashes or hangs', () => {
  function assertWellFormed(text: string, seed: number): void {
    let result;
    try {
      result = parseZoneFile(text, { origin: 'fuzz.test' });
    } catch (error) {
      assert.fail(`seed ${seed}: threw ${String(error)} for ${JSON.stringify(text.slice(0, 200))}`);
    }
    if (!result.ok) {
      const lines = text.split('\n').length;
      assert.ok(
        result.error.line !== undefined && result.error.line >= 1 && result.error.line <= lines,
        `seed ${seed}: line ${result.error.line}`,
      );
      assert.ok(result.error.message.startsWith(`line ${result.error.line}: `), result.error.message);
    }
  }

  const alphabet = [
    '\n',
    '\r\n',
    ' ',
    '\t',
    '(',
    ')',
    '"',
    '\\',
    ';',
    '@',
    '.',
    '$TTL',
    '$ORIGIN',
    'IN',
    'TXT',
    'A',
    'AAAA',
    'MX',
    'SOA',
    'CNAME',
    '1h',
    '10',
    '\\065',
    '\\999',
    'ü',
    '\u0000',
    '::',
    '192.0.2.1',
    'x',
  ];

  test('random tokens and random bytes: 3,000 cases', () => {
    let runs = 0;
    for (let seed = 1; runs < 3000; seed++, runs++) {
      const next = random(seed);
      const parts: string[] = [];
      const length = Math.floor(next() * 60);
      if (seed % 2 === 0) {
        for (let i = 0; i < length; i++) parts.push(alphabet[Math.floor(next() * alphabet.length)] ?? '');
      } else {
        for (let i = 0; i < length * 4; i++)
          parts.push(String.fromCharCode(Math.floor(next() * (next() < 0.8 ? 128 : 0x10000))));
      }
      assertWellFormed(parts.join(''), seed);
    }
    assert.ok(runs > 100, `only ${runs} runs`);
  });

  test('mutations of a valid zone: 2,000 cases', () => {
    let runs = 0;
    for (let seed = 1; runs < 2000; seed++, runs++) {
      const next = random(seed);
      let text = sample;
      for (let m = 0; m < 3; m++) {
        const at = Math.floor(next() * text.length);
        const insert = alphabet[Math.floor(next() * alphabet.length)] ?? '';
        text =
          next() < 0.5
            ? text.slice(0, at) + insert + text.slice(at)
            : text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 5));
      }
      assertWellFormed(text, seed);
    }
    assert.ok(runs > 100, `only ${runs} runs`);
  });

  test('huge lines and deep structure are handled in linear time', () => {
    const big = 1_000_000;
    const cases = [
      `$ORIGIN t.\n@ 1 TXT "${'x'.repeat(big)}"`,
      `$ORIGIN t.\n@ 1 TXT ${'x'.repeat(big)}`,
      `$ORIGIN t.\n@ 1 TXT "${'\\'.repeat(big)}"`,
      `$ORIGIN t.\n${'a.'.repeat(big / 2)} 1 A 192.0.2.1`,
      `$ORIGIN t.\n@ 1 TXT (${' "a"'.repeat(big / 4)})`,
      `$ORIGIN t.\n@ 1 TXT "${'x'.repeat(big)}`,
      `$ORIGIN t.\n@ 1 TXT (${'\n'.repeat(big)}`,
      `${';'.repeat(big)}\n`,
      `$ORIGIN t.\n@ 1 TXT "a" ${')'.repeat(big)}`,
      `$ORIGIN t.\n@ 1 TXT ${'\\256'.repeat(big / 4)}`,
    ];
    for (const [i, text] of cases.entries()) {
      assertWellFormed(text, -i);
    }
    const ok = parseZoneFile(`$ORIGIN t.\n@ 1 TXT (${' "a"'.repeat(30_000)})`);
    assert.ok(ok.ok && ok.value[0]?.type === 'TXT' && ok.value[0].strings.length === 30_000);
  });
});
