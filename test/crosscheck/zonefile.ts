/**
 * Cross-check of parseZoneFile against dnspython's zone parser (Debian python3-dnspython), not part of the test
 * suite. Parses hand-written zones and random mutations of them with both, and reports where they disagree.
 *
 *   apt-get install python3-dnspython
 *   npx tsc -p . && node dist/test/crosscheck/zonefile.js [mutations-per-zone [examples-shown-per-kind]]
 *
 * Differences that are by design (mailtrust refuses what dnspython accepts): other record types and classes,
 * $INCLUDE/$GENERATE, escaped dots in labels, CNAME beside other data, escapes inside addresses and numbers, URL
 * delimiters beside non-ASCII characters in a label. dnspython 2.3 does not take the class before the TTL
 * (`IN 300 A`, which RFC 1035 §5.1 allows) and reads a relative `$ORIGIN` differently from BIND, so these zones
 * avoid both. Rejections that only a zone (not a master file) makes, like an SOA below the origin, are ignored. Those print as "mailtrust rejects"; the
 * exit status is 1 only when both accept but the records differ, or dnspython rejects what mailtrust accepts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseZoneFile } from '../../src/core/dns/zonefile.js';
import type { ZoneRecord } from '../../src/core/dns/records.js';
import { parseIPv6 } from '../../src/core/ip/address.js';
import { seededRandom as random } from '../support/random.js';

type Reference = { ok: true; rrsets: Record<string, { ttl: number; rdata: string[] }> } | { ok: false; error: string };

const origin = 'example.com.';

const zones: string[] = [
  `$TTL 1h
@ IN SOA ns1 hostmaster ( 2024010101 ; serial
    2h 15m 1w 300 )
@        NS    ns1
         NS    ns2.example.net.
         MX    10 mail
         MX    20 backup.example.net.
         TXT   "v=spf1 ip4:192.0.2.0/24 -all" ; the SPF record
mail     300 IN A 192.0.2.1
mail     300 IN AAAA 2001:DB8:0:0:0:0:0:1
www      CNAME mail
_dmarc   TXT   "v=DMARC1; p=reject; rua=mailto:d@example.com"
`,
  `$TTL 300
@ TXT "a\\"b" "c\\\\d" "\\065\\000\\255" bare\\ word "" \\059semi
s1._domainkey IN TXT ( "v=DKIM1; k=rsa; "
   "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" ; key
 )
long TXT "${'x'.repeat(255)}" "${'y'.repeat(10)}"
`,
  `$TTL 1W2D3H4M5S
a 1h30m A 192.0.2.1
b 20 A 192.0.2.2
c in A 192.0.2.3
  A 192.0.2.4
d 0 AAAA ::ffff:192.0.2.1
e AAAA 2001:db8:0:0:1:0:0:1
f AAAA ::
g MX 0 .
h PTR mail
$ORIGIN sub.example.com.
@ A 192.0.2.5
x A 192.0.2.6
`,
  '$TTL 60\r\nWWW.Example.COM. A 192.0.2.1\r\nmail MX 10 MX.example.com.\r\n',
  '$TTL 60\nbücher A 192.0.2.1\n@ MX 10 mäil\n',
  'a 50 A 192.0.2.1\nb A 192.0.2.2\nc 60 A 192.0.2.3\nd A 192.0.2.4\n',
  '$TTL 5\n@ A 192.0.2.1\n@ A 192.0.2.1\n@ A 192.0.2.2\n',
];

const pieces = ['\n', ' ', '\t', '(', ')', '"', '\\', ';', '@', '.', 'IN', 'TXT', 'A', 'MX', '1h', '10', '\\065', 'x'];

function mutate(text: string, seed: number): string {
  const next = random(seed);
  let out = text;
  for (let m = 0; m < 1 + Math.floor(next() * 3); m++) {
    const at = Math.floor(next() * out.length);
    const piece = pieces[Math.floor(next() * pieces.length)] ?? '';
    out = next() < 0.6 ? out.slice(0, at) + piece + out.slice(at) : out.slice(0, at) + out.slice(at + 1);
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function rdataText(record: ZoneRecord): string {
  switch (record.type) {
    case 'A':
      return record.address;
    case 'AAAA':
      return (parseIPv6(record.address) ?? []).map((g) => g.toString(16).padStart(4, '0')).join('');
    case 'TXT':
    case 'SPF':
      return record.strings.map(hex).join(' ');
    case 'MX':
      return `${record.priority} ${record.exchange}`;
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return record.target;
    case 'SOA': {
      const s = record.soa;
      return `${s.mname} ${s.rname} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
    }
  }
}

function ours(records: ZoneRecord[]): Record<string, { ttl: number; rdata: string[] }> {
  const sets: Record<string, { ttl: number; rdata: string[] }> = {};
  for (const record of records) {
    // A zone holds only names at or below its origin; dnspython drops the others.
    if (record.name !== 'example.com' && !record.name.endsWith('.example.com')) continue;
    const key = `${record.name} ${record.type}`;
    const set = (sets[key] ??= { ttl: record.ttl, rdata: [] });
    set.ttl = Math.min(set.ttl, record.ttl);
    set.rdata.push(rdataText(record));
  }
  for (const set of Object.values(sets)) set.rdata.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return sets;
}

function canonicalJson(value: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))));
}

const perZone = Number(process.argv[2] ?? 300);
const examples = Number(process.argv[3] ?? 5);
const cases: string[] = [];
for (const [z, text] of zones.entries()) {
  cases.push(text);
  for (let i = 0; i < perZone; i++) cases.push(mutate(text, z * 100_000 + i + 1));
}

const script = fileURLToPath(new URL('../../../test/crosscheck/zonefile_dnspython.py', import.meta.url));
const run = spawnSync('/usr/bin/python3', [script], {
  input: JSON.stringify(cases.map((text) => ({ text, origin }))),
  maxBuffer: 1 << 28,
  encoding: 'utf8',
});
if (run.status !== 0) {
  console.error(`dnspython side failed (is python3-dnspython installed?):\n${run.stderr}`);
  process.exit(2);
}
const references = JSON.parse(run.stdout) as Reference[];

const tally = { agree: 0, bothReject: 0, weReject: 0, theyReject: 0, differ: 0, ignored: 0 };
const zoneOnly = /non-origin SOA|not a subdomain/;
/** A mutation that made `$ORIGIN` relative: BIND (and mailtrust) append the current origin, dnspython does not. */
/** A CR not before LF: white space to mailtrust, part of a token to dnspython. */
const loneCr = /\r(?!\n)/;
const relativeOrigin = /^\$ORIGIN[ \t]+[^\s;]*[^.\s;][ \t]*(;.*)?$/m;
const shown: Record<string, number> = {};
function report(kind: string, text: string, detail: string): void {
  shown[kind] = (shown[kind] ?? 0) + 1;
  if ((shown[kind] ?? 0) <= examples) console.log(`--- ${kind}: ${detail}\n${JSON.stringify(text)}\n`);
}

for (const [i, text] of cases.entries()) {
  const reference = references[i];
  const mine = parseZoneFile(text, { origin });
  if (!reference) throw new Error('missing reference result');
  if ((!reference.ok && zoneOnly.test(reference.error)) || relativeOrigin.test(text) || loneCr.test(text))
    tally.ignored++;
  else if (!mine.ok && !reference.ok) tally.bothReject++;
  else if (!mine.ok && reference.ok) {
    tally.weReject++;
    report('mailtrust rejects, dnspython accepts', text, mine.error.message);
  } else if (mine.ok && !reference.ok) {
    tally.theyReject++;
    report('dnspython rejects, mailtrust accepts', text, reference.error);
  } else if (mine.ok && reference.ok) {
    const a = canonicalJson(ours(mine.value));
    const b = canonicalJson(reference.rrsets);
    if (a === b) tally.agree++;
    else {
      tally.differ++;
      report('records differ', text, `mailtrust ${a}\n   dnspython ${b}`);
    }
  }
}
console.log(JSON.stringify(tally));
process.exit(tally.differ > 0 || tally.theyReject > 0 ? 1 : 0);
