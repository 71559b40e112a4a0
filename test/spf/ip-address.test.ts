/** IP parsing and CIDR matching for SPF (RFC 7208 §5.6). Pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dottedIpForm,
  formatIpAddress,
  inNetwork,
  parseIPv4Number,
  parseIPv6Number,
  parseIpAddress,
} from '../../src/core/spf/ip-address.js';

test('IPv4: strict dotted quads', () => {
  assert.equal(parseIPv4Number('192.0.2.1'), 0xc0000201);
  assert.equal(parseIPv4Number('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4Number('0.0.0.0'), 0);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '', '1.2.3.-4'])
    assert.equal(parseIPv4Number(bad), undefined, bad);
});

test('IPv6: groups, ::, embedded IPv4', () => {
  assert.equal(parseIPv6Number('::'), 0n);
  assert.equal(parseIPv6Number('::1'), 1n);
  assert.equal(parseIPv6Number('2001:db8::1'), (0x20010db8n << 96n) | 1n);
  assert.equal(parseIPv6Number('1::'), 1n << 112n);
  assert.equal(parseIPv6Number('::ffff:1.2.3.4'), (0xffffn << 32n) | 0x01020304n);
  assert.equal(parseIPv6Number('1:2:3:4:5:6:7:8'), 0x00010002000300040005000600070008n);
  for (const bad of [
    ':',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '::CAFE::BABE',
    ':1::',
    '1:',
    '12345::',
    '1.2.3.4::',
    'g::1',
    '1:2:3:4:5:6:7',
  ])
    assert.equal(parseIPv6Number(bad), undefined, bad);
});

test('IPv4-mapped client addresses are IPv4 (RFC 7208 §5)', () => {
  assert.deepEqual(parseIpAddress('::FFFF:1.2.3.4'), { family: 4, value: 0x01020304 });
  assert.deepEqual(parseIpAddress('::ffff:102:304'), { family: 4, value: 0x01020304 });
  assert.equal(parseIpAddress('::1.2.3.4')?.family, 6);
});

test('CIDR matching within one family only', () => {
  const ip = parseIpAddress('192.0.2.130')!;
  assert.ok(inNetwork(ip, parseIpAddress('192.0.2.128')!, 25));
  assert.ok(!inNetwork(ip, parseIpAddress('192.0.2.0')!, 25));
  assert.ok(inNetwork(ip, parseIpAddress('10.0.0.0')!, 0));
  assert.ok(!inNetwork(ip, parseIpAddress('::')!, 0), 'IPv4 never matches an IPv6 network');
  const v6 = parseIpAddress('2001:db8:1234::cafe:babe')!;
  assert.ok(inNetwork(v6, parseIpAddress('2001:db8:1234::dead:beef')!, 64));
  assert.ok(!inNetwork(v6, parseIpAddress('2001:db8:1235::')!, 48));
  assert.ok(inNetwork(v6, parseIpAddress('::')!, 0));
});

test('text forms for %{c} and %{i}', () => {
  assert.equal(formatIpAddress(parseIpAddress('CAFE:BABE:0:0::1')!), 'cafe:babe::1');
  assert.equal(formatIpAddress(parseIpAddress('::ffff:192.0.2.1')!), '192.0.2.1');
  assert.equal(
    dottedIpForm(parseIpAddress('2001:db8::cb01')!),
    '2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.C.B.0.1',
  );
});
