/** ptr.generic heuristics: names that look residential/dynamic, and names that must not be flagged. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { genericNameReason } from '../../src/core/iprev/generic-name.js';

// [ptr name, client ip, org domain of the name, expected: undefined or the reason kind/form]
const cases: [string, string, string | undefined, string | undefined][] = [
  // The guide's examples.
  ['4-3-2-1-cable-subscribers.isp.com', '1.2.3.4', 'isp.com', 'embedded-ip:reversed'],
  ['mail.domain.com', '1.2.3.4', 'domain.com', undefined],
  // Real-world shapes of dynamic pools.
  ['c-73-15-12-10.hsd1.ca.comcast.net', '73.15.12.10', 'comcast.net', 'embedded-ip:dashed'],
  ['ip68-4-25-1.oc.oc.cox.net', '68.4.25.1', 'cox.net', 'embedded-ip:dashed'],
  ['cpe-1-2-3-4.socal.res.rr.com', '1.2.3.4', 'rr.com', 'embedded-ip:dashed'],
  ['pool-1-2-3-4.nycmny.fios.verizon.net', '1.2.3.4', 'verizon.net', 'embedded-ip:dashed'],
  ['1.2.3.4.dynamic.isp.example', '1.2.3.4', 'isp.example', 'embedded-ip:dashed'],
  ['host001002003004.isp.example', '1.2.3.4', 'isp.example', 'embedded-ip:zero-padded'],
  ['c0a80101.dhcp.isp.example', '192.168.1.1', 'isp.example', 'embedded-ip:hex'],
  ['x-2-3-4.isp.example', '1.2.3.4', 'isp.example', 'embedded-ip:partial'],
  ['dsl-pool7.isp.example', '198.51.100.7', 'isp.example', 'keyword:dsl'],
  ['adsl123.isp.example', '198.51.100.7', 'isp.example', 'keyword:adsl'],
  ['ppp-44.isp.example', '198.51.100.7', 'isp.example', 'keyword:ppp'],
  ['broadband.customer.isp.example', '198.51.100.7', 'isp.example', 'keyword:broadband'],
  ['2001-db8-0-0-1-2-3-4.dyn.isp.example', '2001:db8::1:2:3:4', 'isp.example', 'embedded-ip:ipv6 groups'],
  // Must NOT match.
  ['mail01.example.com', '10.0.0.1', 'example.com', undefined],
  ['mx1.example.com', '192.0.2.1', 'example.com', undefined],
  ['smtp-out-2.example.com', '192.0.2.2', 'example.com', undefined],
  ['o1.email.example.com', '1.1.1.1', 'example.com', undefined],
  ['mail-1234.example.com', '1.2.3.4', 'example.com', undefined],
  ['cable.example.com', '192.0.2.1', 'cable.example.com', undefined], // the keyword is the org domain itself
  ['static-1-2-3-4.isp.example', '1.2.3.4', 'isp.example', undefined], // static is exempt
  ['business-dsl-9.isp.example', '198.51.100.9', 'isp.example', undefined],
  ['mail.example.com', '2001:db8::25', 'example.com', undefined],
  ['21-2-3-40.isp.example', '1.2.3.4', 'isp.example', undefined], // digit runs must match whole: 21 ≠ 1, 40 ≠ 4
];

for (const [name, ip, org, expected] of cases) {
  test(`${name} for ${ip} → ${expected ?? 'not generic'}`, () => {
    const reason = genericNameReason(name, ip, org);
    const got = reason ? `${reason.kind}:${reason.kind === 'keyword' ? reason.keyword : reason.form}` : undefined;
    assert.equal(got, expected);
  });
}

test('without an org domain the last two labels are taken as the domain', () => {
  assert.equal(genericNameReason('1-2-3-4.isp.example', '1.2.3.4', undefined)?.kind, 'embedded-ip');
  assert.equal(genericNameReason('isp.example', '1.2.3.4', undefined), undefined);
});

test('a huge hostile name gets an answer (linear scan, no backtracking)', () => {
  const name = `${'1-'.repeat(50_000)}2.isp.example`;
  assert.equal(genericNameReason(name, '1.1.1.1', 'isp.example')?.kind, 'embedded-ip');
  assert.equal(genericNameReason(name, '9.9.9.9', 'isp.example'), undefined);
});
