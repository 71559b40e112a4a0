/** The DNS wire codec against hostile bytes (RFC 1035 §4.1). Pure: no network. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { WireFormatError, decodeResponse, encodeQuery } from '../../src/core/dns/wire.js';

function header(id: number, flags: number, qd: number, an: number): number[] {
  return [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, 0, 0, 0];
}

test('encodes a query with RD and an EDNS0 OPT record', () => {
  const bytes = encodeQuery(0x1234, 'example.com', 'TXT');
  assert.equal(bytes[0], 0x12);
  assert.equal(bytes[1], 0x34);
  assert.equal(bytes[2], 0x01, 'RD set');
  assert.equal(bytes[11], 1, 'ARCOUNT 1 (OPT)');
  const text = Buffer.from(bytes.subarray(12, 25)).toString('latin1');
  assert.equal(text, '\x07example\x03com\x00');
});

test('a compression pointer loop is an error, not a hang', () => {
  // Question name is a pointer to itself.
  const bytes = Uint8Array.from([...header(1, 0x8180, 1, 0), 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(() => decodeResponse(bytes), WireFormatError);
});

test('forward pointers are rejected', () => {
  const bytes = Uint8Array.from([...header(1, 0x8180, 1, 0), 0xc0, 14, 0, 0, 1, 0, 1]);
  assert.throws(() => decodeResponse(bytes), WireFormatError);
});

test('records running past the end are rejected', () => {
  const question = [7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 16, 0, 1];
  const answer = [0xc0, 12, 0, 16, 0, 1, 0, 0, 1, 0, 0, 50, 10, 65];
  const bytes = Uint8Array.from([...header(1, 0x8180, 1, 1), ...question, ...answer]);
  assert.throws(() => decodeResponse(bytes), /runs past/);
});

test('a TXT string longer than its record is rejected', () => {
  const question = [1, 120, 0, 0, 16, 0, 1];
  const answer = [0xc0, 12, 0, 16, 0, 1, 0, 0, 1, 0, 0, 3, 9, 65, 66];
  assert.throws(() => decodeResponse(Uint8Array.from([...header(1, 0x8180, 1, 1), ...question, ...answer])));
});

test('TTLs with the top bit set count as zero (RFC 2181 §8)', () => {
  const question = [1, 120, 0, 0, 1, 0, 1];
  const answer = [0xc0, 12, 0, 1, 0, 1, 0x80, 0, 0, 0, 0, 4, 192, 0, 2, 1];
  const response = decodeResponse(Uint8Array.from([...header(1, 0x8180, 1, 1), ...question, ...answer]));
  assert.equal(response.answers[0]!.ttl, 0);
  assert.deepEqual(response.answers[0]!.data, { type: 'A', address: '192.0.2.1' });
});

test('random bytes never crash the decoder with anything but WireFormatError', () => {
  for (let i = 0; i < 5000; i++) {
    const bytes = randomBytes(12 + (i % 200));
    bytes[2] = (bytes[2] ?? 0) | 0x80; // a response, so decoding goes past the header
    try {
      decodeResponse(bytes);
    } catch (error) {
      assert.ok(error instanceof WireFormatError, String(error));
    }
  }
});
