/**
 * The milter codec: packets as Sendmail and Postfix send them (byte for byte, laid out per libmilter's mfdef.h and
 * Sendmail's milter.c), decode ∘ encode round trips over generated commands and replies, random bytes that never
 * throw out of the decoder, and the packet bounds (a length of 0, a length of 2 GB, truncated data).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeCommand,
  decodeReply,
  DEFAULT_MAX_PACKET_BYTES,
  encodeCommand,
  encodeReply,
  MILTER_CHUNK_SIZE,
  PacketReader,
  type MilterCommand,
  type MilterReply,
  type Packet,
} from '../../src/milter/codec.js';
import { seededRandom } from '../support/random.js';
import { ReferencePacketReader } from './reference-packet-reader.js';

/** Reads every packet of `bytes` (which must be whole packets). */
function packets(bytes: Uint8Array): Packet[] {
  const read = new PacketReader().push(bytes);
  assert.ok(read.ok, read.ok ? '' : read.error.message);
  return read.value;
}

function command(bytes: Uint8Array): MilterCommand {
  const [packet, ...rest] = packets(bytes);
  assert.equal(rest.length, 0);
  const decoded = decodeCommand(packet as Packet);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
  return decoded.value;
}

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('packets laid out as Sendmail writes them (hand-assembled: sendmail is not installed here)', () => {
  // Sendmail's OPTNEG offer: version 6, SMFI_CURR_ACTS 0x1ff, SMFI_CURR_PROT 0x1fffff.
  test('SMFIC_OPTNEG', () => {
    assert.deepEqual(command(hex('0000000d 4f 00000006 000001ff 001fffff')), {
      kind: 'optneg',
      version: 6,
      actions: 0x1ff,
      protocol: 0x1fffff,
    });
  });

  test('SMFIC_MACRO for CONNECT with {if_addr} and the IPv6 address tag', () => {
    const data = Buffer.concat([
      Buffer.from('C'),
      Buffer.from('j\0mail.example\0{if_addr}\0IPv6:::1\0_\0localhost [IPv6:::1]\0'),
    ]);
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, data.length + 1, 0x44]), data]);
    assert.deepEqual(command(bytes), {
      kind: 'macro',
      stage: 'C',
      macros: [
        ['j', 'mail.example'],
        ['{if_addr}', 'IPv6:::1'],
        ['_', 'localhost [IPv6:::1]'],
      ],
    });
  });

  test('SMFIC_CONNECT over IPv4 and IPv6 (port in network order) and from an unknown family', () => {
    // "localhost\0" '4' port 0xc350 (50000) "127.0.0.1\0"
    assert.deepEqual(command(hex('00000018 43 6c6f63616c686f737400 34 c350 3132372e302e302e3100')), {
      kind: 'connect',
      hostname: 'localhost',
      family: 'inet',
      port: 50_000,
      address: '127.0.0.1',
    });
    const v6 = Buffer.from('[IPv6:::1]\x006\x01\x19IPv6:::1\0', 'latin1');
    assert.deepEqual(command(Buffer.concat([Buffer.from([0, 0, 0, v6.length + 1, 0x43]), v6])), {
      kind: 'connect',
      hostname: '[IPv6:::1]',
      family: 'inet6',
      port: 0x0119,
      address: 'IPv6:::1',
    });
    assert.deepEqual(command(hex('0000000c 43 6c6f63616c686f737400 55')), {
      kind: 'connect',
      hostname: 'localhost',
      family: 'unknown',
      port: 0,
      address: '',
    });
  });

  test('SMFIC_MAIL with ESMTP parameters, SMFIC_HEADER with a folded value, body chunks kept raw', () => {
    assert.deepEqual(command(encodeRaw(0x4d, '<a@example.com>\0SIZE=120\0BODY=8BITMIME\0')), {
      kind: 'mail',
      args: ['<a@example.com>', 'SIZE=120', 'BODY=8BITMIME'],
    });
    assert.deepEqual(command(encodeRaw(0x4c, 'Subject\0 two\n\tlines\0')), {
      kind: 'header',
      name: 'Subject',
      value: ' two\n\tlines',
    });
    const body = command(encodeRaw(0x42, 'line\r\n\0binary\xff'));
    assert.equal(body.kind, 'body');
    assert.deepEqual(Buffer.from((body as { chunk: Uint8Array }).chunk), Buffer.from('line\r\n\0binary\xff', 'latin1'));
  });

  test('the single-byte commands', () => {
    for (const [byte, kind] of [
      [0x54, 'data'],
      [0x4e, 'eoh'],
      [0x41, 'abort'],
      [0x51, 'quit'],
      [0x4b, 'quitNewConnection'],
    ] as const)
      assert.equal(command(Buffer.from([0, 0, 0, 1, byte])).kind, kind);
    const eom = command(encodeRaw(0x45, ''));
    assert.ok(eom.kind === 'eom' && eom.chunk.length === 0);
    assert.deepEqual(command(encodeRaw(0x55, 'XFOO bar\0')), { kind: 'unknown', command: 'XFOO bar' });
  });

  test('replies are laid out as libmilter writes them', () => {
    assert.deepEqual(encodeReply({ kind: 'continue' }), hex('00000001 63'));
    assert.deepEqual(
      encodeReply({ kind: 'insheader', index: 0, name: 'A', value: ' b' }),
      hex('0000000a 69 00000000 4100 206200'),
    );
    assert.deepEqual(
      encodeReply({ kind: 'chgheader', index: 2, name: 'X', value: '' }),
      hex('00000008 6d 00000002 5800 00'),
    );
    assert.deepEqual(
      encodeReply({
        kind: 'optneg',
        version: 6,
        actions: 0x31,
        protocol: 0x100000,
        macros: [{ stage: 5, names: 'i' }],
      }),
      hex('00000013 4f 00000006 00000031 00100000 00000005 6900'),
    );
    assert.deepEqual(
      encodeReply({ kind: 'replycode', text: '550 5.7.1 no' }),
      Buffer.from('\0\0\0\x0e' + 'y550 5.7.1 no\0', 'latin1'),
    );
  });

  test('a reply string with a NUL cannot be encoded', () => {
    assert.throws(() => encodeReply({ kind: 'addheader', name: 'X', value: 'a\0b' }), /NUL/);
  });
});

function encodeRaw(code: number, data: string): Buffer {
  const payload = Buffer.from(data, 'latin1');
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + 1, 0);
  head[4] = code;
  return Buffer.concat([head, payload]);
}

// -------------------------------------------------------------------------------------------------------------

function randomString(random: () => number, max = 40, nul = false): string {
  let out = '';
  const length = Math.floor(random() * max);
  for (let i = 0; i < length; i++) {
    let code = Math.floor(random() * 256);
    if (!nul && code === 0) code = 0x41;
    out += String.fromCharCode(code);
  }
  return out;
}

function randomBytes(random: () => number, max = 300): Uint8Array {
  const out = new Uint8Array(Math.floor(random() * max));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

const u32 = (random: () => number) => Math.floor(random() * 2 ** 32);

function randomCommand(random: () => number): MilterCommand {
  const s = () => randomString(random);
  switch (Math.floor(random() * 15)) {
    case 0:
      return { kind: 'optneg', version: u32(random), actions: u32(random), protocol: u32(random) };
    case 1: {
      const macros: [string, string][] = [];
      for (let i = Math.floor(random() * 5); i > 0; i--) macros.push([s(), s()]);
      return { kind: 'macro', stage: String.fromCharCode(1 + Math.floor(random() * 255)), macros };
    }
    case 2: {
      const family = (['inet', 'inet6', 'unix', 'unknown'] as const)[Math.floor(random() * 4)]!;
      return family === 'unknown'
        ? { kind: 'connect', hostname: s(), family, port: 0, address: '' }
        : { kind: 'connect', hostname: s(), family, port: Math.floor(random() * 65_536), address: s() };
    }
    case 3:
      return { kind: 'helo', name: s() };
    case 4:
    case 5: {
      const args = [s()];
      for (let i = Math.floor(random() * 3); i > 0; i--) args.push(s());
      return { kind: random() < 0.5 ? 'mail' : 'rcpt', args };
    }
    case 6:
      return { kind: 'header', name: s(), value: s() };
    case 7:
      return { kind: 'body', chunk: randomBytes(random) };
    case 8:
      return { kind: 'eom', chunk: randomBytes(random) };
    case 9:
      return { kind: 'unknown', command: s() };
    default:
      return { kind: (['data', 'eoh', 'abort', 'quit', 'quitNewConnection'] as const)[Math.floor(random() * 5)]! };
  }
}

function randomReply(random: () => number): MilterReply {
  const s = () => randomString(random);
  switch (Math.floor(random() * 12)) {
    case 0: {
      const macros = [];
      for (let i = Math.floor(random() * 4); i > 0; i--) macros.push({ stage: u32(random), names: s() });
      return { kind: 'optneg', version: u32(random), actions: u32(random), protocol: u32(random), macros };
    }
    case 1:
      return { kind: 'replycode', text: s() };
    case 2:
      return { kind: 'addheader', name: s(), value: s() };
    case 3:
      return { kind: 'insheader', index: u32(random), name: s(), value: s() };
    case 4:
      return { kind: 'chgheader', index: u32(random), name: s(), value: s() };
    case 5:
      return { kind: 'quarantine', reason: s() };
    default:
      return {
        kind: (['continue', 'accept', 'reject', 'tempfail', 'discard', 'progress', 'skip'] as const)[
          Math.floor(random() * 7)
        ]!,
      };
  }
}

/** Body chunks as plain arrays, so a Buffer and a Uint8Array of the same bytes compare equal. */
function normalize(values: readonly MilterCommand[]): unknown[] {
  return values.map((c) => ('chunk' in c ? { ...c, chunk: [...c.chunk] } : c));
}

describe('properties', () => {
  test('decodeCommand ∘ encodeCommand is the identity (2,000 generated commands, one stream)', () => {
    const random = seededRandom(7);
    const commands = Array.from({ length: 2000 }, () => randomCommand(random));
    const stream = Buffer.concat(commands.map(encodeCommand));
    // Fed in random pieces, as a socket delivers it.
    const reader = new PacketReader();
    const decoded: MilterCommand[] = [];
    for (let at = 0; at < stream.length;) {
      const size = 1 + Math.floor(random() * 700);
      const read = reader.push(stream.subarray(at, at + size));
      assert.ok(read.ok);
      for (const packet of read.value) {
        const result = decodeCommand(packet);
        assert.ok(result.ok, result.ok ? '' : result.error.message);
        decoded.push(result.value);
      }
      at += size;
    }
    assert.equal(reader.pending, 0);
    assert.deepEqual(normalize(decoded), normalize(commands));
  });

  test('PacketReader splits any stream as the plain reference does (body chunks of 64 KiB, random reads)', () => {
    // A fixed linear congruential sequence (Numerical Recipes' constants): the same streams on every run.
    let state = 23;
    const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let round = 0; round < 40; round++) {
      const commands: MilterCommand[] = Array.from({ length: 30 }, () =>
        random() < 0.3
          ? { kind: 'body', chunk: randomBytes(random, random() < 0.5 ? MILTER_CHUNK_SIZE : 3000) }
          : randomCommand(random),
      );
      const stream = Buffer.concat(commands.map(encodeCommand));
      // A bad packet at the end of some streams: both must fail alike after the same packets.
      const tail = round % 4 === 3 ? hex(round % 8 === 3 ? '00000000' : '7fffffff 42') : Buffer.alloc(0);
      const whole = Buffer.concat([stream, tail]);
      const fast = new PacketReader();
      const reference = new ReferencePacketReader();
      for (let at = 0; at < whole.length;) {
        const size = random() < 0.1 ? 1 + Math.floor(random() * 4) : 1 + Math.floor(random() * 70_000);
        const piece = whole.subarray(at, at + size);
        const got = fast.push(piece);
        const want = reference.push(piece);
        assert.equal(got.ok, want.ok);
        if (!got.ok || !want.ok) {
          assert.equal(!got.ok && got.error.code, !want.ok && want.code);
          break;
        }
        assert.deepEqual(
          got.value.map((p) => [p.code, Buffer.from(p.data).toString('hex')]),
          want.value.map((p) => [p.code, Buffer.from(p.data).toString('hex')]),
        );
        assert.equal(fast.pending, reference.pending);
        at += size;
      }
    }
  });

  test('decodeReply ∘ encodeReply is the identity (2,000 generated replies)', () => {
    const random = seededRandom(11);
    for (let i = 0; i < 2000; i++) {
      const reply = randomReply(random);
      const [packet] = packets(encodeReply(reply));
      const decoded = decodeReply(packet as Packet);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
      assert.deepEqual(decoded.value, reply);
    }
  });

  test('random bytes never throw out of the reader or the decoders (20,000 inputs)', () => {
    const random = seededRandom(3);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const bytes = randomBytes(random, 64);
      // Half of the inputs get a plausible length prefix, so the decoders see the data, not only the bounds.
      if (i % 2 === 0 && bytes.length >= 5) new DataView(bytes.buffer).setUint32(0, bytes.length - 4);
      const read = new PacketReader(4096).push(bytes);
      if (!read.ok) {
        seen.add(read.error.code);
        continue;
      }
      for (const packet of read.value) {
        for (const result of [decodeCommand(packet), decodeReply(packet)]) {
          seen.add(result.ok ? `ok:${result.value.kind}` : result.error.code);
          if (!result.ok) assert.match(result.error.message, /\S/);
        }
      }
    }
    // The generator reached the decoders' error paths, not only their bounds.
    for (const code of ['milter.unknown-command', 'milter.truncated', 'milter.packet-too-large'])
      assert.ok(seen.has(code), `no input gave ${code}`);
  });
});

describe('bounds and bad input', () => {
  test('a length of 2 GB is refused at once, before any data is buffered', () => {
    const reader = new PacketReader();
    const before = process.memoryUsage().arrayBuffers;
    const read = reader.push(hex('80000000 42 0000'));
    assert.equal(read.ok, false);
    assert.equal(!read.ok && read.error.code, 'milter.packet-too-large');
    assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024);
    // The reader stays failed: later bytes are not taken as a new packet.
    assert.equal(reader.push(hex('00000001 63')).ok, false);
  });

  test('a length of 0 is a protocol error; the bound is the default 1 MiB', () => {
    const zero = new PacketReader().push(hex('00000000'));
    assert.equal(!zero.ok && zero.error.code, 'milter.empty-packet');
    const atBound = new PacketReader().push(hex(DEFAULT_MAX_PACKET_BYTES.toString(16).padStart(8, '0')));
    assert.ok(atBound.ok);
    const over = new PacketReader().push(hex((DEFAULT_MAX_PACKET_BYTES + 1).toString(16).padStart(8, '0')));
    assert.equal(!over.ok && over.error.code, 'milter.packet-too-large');
  });

  test('a truncated packet waits for its rest; a split length prefix is joined', () => {
    const reader = new PacketReader();
    const whole = encodeCommand({ kind: 'helo', name: 'mail.example.com' });
    let read = reader.push(whole.subarray(0, 2));
    assert.ok(read.ok && read.value.length === 0);
    read = reader.push(whole.subarray(2, 9));
    assert.ok(read.ok && read.value.length === 0);
    assert.equal(reader.pending, 9);
    read = reader.push(whole.subarray(9));
    assert.ok(read.ok && read.value.length === 1);
    assert.equal(reader.pending, 0);
  });

  test('truncated data inside a packet is a clear error', () => {
    const cases: [string, Buffer, string][] = [
      ['OPTNEG of 8 bytes', encodeRaw(0x4f, '\0\0\0\x06\0\0\0\0'), 'milter.truncated'],
      ['CONNECT without NUL', encodeRaw(0x43, 'host'), 'milter.truncated'],
      ['CONNECT without port', encodeRaw(0x43, 'host\x004'), 'milter.truncated'],
      ['CONNECT with a bad family', encodeRaw(0x43, 'host\0X\0\0a\0'), 'milter.bad-value'],
      ['HEADER without value', encodeRaw(0x4c, 'Subject\0'), 'milter.bad-value'],
      ['MAIL without NUL', encodeRaw(0x4d, '<a@b>'), 'milter.truncated'],
      ['MAIL empty', encodeRaw(0x4d, ''), 'milter.truncated'],
      ['MACRO name without value', encodeRaw(0x44, 'Cj\0'), 'milter.truncated'],
      ['unknown command byte', encodeRaw(0x5a, ''), 'milter.unknown-command'],
    ];
    for (const [what, bytes, code] of cases) {
      const [packet] = packets(bytes);
      const decoded = decodeCommand(packet as Packet);
      assert.equal(decoded.ok, false, what);
      assert.equal(!decoded.ok && decoded.error.code, code, what);
    }
  });
});
