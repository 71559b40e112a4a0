/** IP parsing, text forms and CIDR matching (RFC 4291 §2.2, RFC 5952, RFC 7208 §5.6). Pure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalIpText,
  canonicalIPv6,
  dottedIpForm,
  formatIpAddress,
  parseIPv4,
  parseIPv6Number,
  parseIpAddress,
  unmapIPv4,
} from '../../src/core/ip/address.js';
import { inAnyNetwork, inNetwork, parseNetwork } from '../../src/core/ip/network.js';

test('IPv4: strict dotted quads', () => {
  assert.equal(parseIPv4('192.0.2.1'), 0xc0000201);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4('0.0.0.0'), 0);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '', '1.2.3.-4'])
    assert.equal(parseIPv4(bad), undefined, bad);
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

test('zone indexes and other decorations are not addresses', () => {
  for (const bad of ['fe80::1%eth0', 'fe80::1%1', '[::1]', ' 192.0.2.1', 'IPv6:::1', '192.0.2.1/32'])
    assert.equal(parseIpAddress(bad), undefined, bad);
});

test('one text form to compare: IPv4-mapped as IPv4, other IPv6 as RFC 5952', () => {
  assert.equal(canonicalIpText('192.0.2.1'), '192.0.2.1');
  assert.equal(canonicalIpText('::FFFF:192.0.2.1'), '192.0.2.1');
  assert.equal(canonicalIpText('0:0:0:0:0:ffff:c000:201'), '192.0.2.1');
  assert.equal(canonicalIpText('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(canonicalIpText('01.2.3.4'), undefined);
  assert.equal(canonicalIPv6('0:0:0:0:0:ffff:c000:201'), '::ffff:192.0.2.1', 'RFC 5952 §5 keeps the mapped form');
  assert.equal(canonicalIPv6('192.0.2.1'), undefined);
});

test('unmapIPv4 changes only IPv4-mapped addresses', () => {
  assert.equal(unmapIPv4('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(unmapIPv4('::1'), '::1');
  assert.equal(unmapIPv4('2001:DB8::1'), '2001:DB8::1');
  assert.equal(unmapIPv4('fe80::1%eth0'), 'fe80::1%eth0');
  assert.equal(unmapIPv4(''), '');
});

test('networks: CIDR text, a bare address as one host, membership', () => {
  assert.deepEqual(parseNetwork('10.0.0.0/8'), { address: { family: 4, value: 0x0a000000 }, prefix: 8 });
  assert.equal(parseNetwork('::1')?.prefix, 128);
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/+8', 'fe80::%eth0/64', 'example.com'])
    assert.equal(parseNetwork(bad), undefined, bad);
  const networks = [parseNetwork('10.0.0.0/8')!, parseNetwork('2001:db8::/32')!];
  assert.ok(inAnyNetwork('10.1.2.3', networks));
  assert.ok(inAnyNetwork('::ffff:10.1.2.3', networks), 'an IPv4-mapped address is in the IPv4 network');
  assert.ok(inAnyNetwork(parseIpAddress('2001:db8::5')!, networks));
  assert.ok(!inAnyNetwork('11.0.0.1', networks));
  assert.ok(!inAnyNetwork('not an address', networks));
});
