/**
 * The milter protocol, version 6 (Sendmail 8 libmilter, as Postfix ≥ 2.6 speaks it): the packet framing, the
 * commands an MTA sends (SMFIC_*), the replies a filter sends back (SMFIR_*) and the option negotiation bits.
 *
 * A packet is a 4-byte length in network byte order, counting the command byte and the data, then the command
 * byte, then `length - 1` data bytes. Strings are NUL-terminated; body chunks are raw bytes. Pure: no I/O here.
 * Strings are decoded as latin1, so every byte maps to one code unit and `encode` gives the same bytes back
 * (header values in UTF-8 pass through unchanged).
 */

/** The protocol version spoken (Sendmail 8.14 / Postfix ≥ 2.6). */
export const MILTER_VERSION = 6;

/** The largest packet accepted by default: a 1 MiB body chunk (SMFIP_MDS_1M) plus the command byte. */
export const DEFAULT_MAX_PACKET_BYTES = 1024 * 1024;

/** Body chunks sent by MTAs are at most this long unless a larger size was negotiated (`mfdef.h`). */
export const MILTER_CHUNK_SIZE = 65_535;

/** Actions a filter may ask for in SMFIC_OPTNEG (`SMFIF_*`, `mfapi.h`). */
export const Action = {
  ADDHDRS: 0x01,
  CHGBODY: 0x02,
  ADDRCPT: 0x04,
  DELRCPT: 0x08,
  CHGHDRS: 0x10,
  QUARANTINE: 0x20,
  CHGFROM: 0x40,
  ADDRCPT_PAR: 0x80,
  SETSYMLIST: 0x100,
} as const;

/** Protocol steps a filter may skip or not answer (`SMFIP_*`, `mfdef.h`). */
export const Protocol = {
  NOCONNECT: 1 << 0,
  NOHELO: 1 << 1,
  NOMAIL: 1 << 2,
  NORCPT: 1 << 3,
  NOBODY: 1 << 4,
  NOHDRS: 1 << 5,
  NOEOH: 1 << 6,
  NR_HDR: 1 << 7,
  NOUNKNOWN: 1 << 8,
  NODATA: 1 << 9,
  SKIP: 1 << 10,
  RCPT_REJ: 1 << 11,
  NR_CONN: 1 << 12,
  NR_HELO: 1 << 13,
  NR_MAIL: 1 << 14,
  NR_RCPT: 1 << 15,
  NR_DATA: 1 << 16,
  NR_UNKN: 1 << 17,
  NR_EOH: 1 << 18,
  NR_BODY: 1 << 19,
  HDR_LEADSPC: 1 << 20,
} as const;

/** Macro stages of the OPTNEG reply's symbol lists (`SMFIM_*`). */
export const MacroStage = { CONNECT: 0, HELO: 1, ENVFROM: 2, ENVRCPT: 3, DATA: 4, EOM: 5, EOH: 6 } as const;

/** Command bytes (SMFIC_*). */
const C = {
  abort: 0x41, // 'A'
  body: 0x42, // 'B'
  connect: 0x43, // 'C'
  macro: 0x44, // 'D'
  eom: 0x45, // 'E'
  helo: 0x48, // 'H'
  quitNewConnection: 0x4b, // 'K'
  header: 0x4c, // 'L'
  mail: 0x4d, // 'M'
  eoh: 0x4e, // 'N'
  optneg: 0x4f, // 'O'
  quit: 0x51, // 'Q'
  rcpt: 0x52, // 'R'
  data: 0x54, // 'T'
  unknown: 0x55, // 'U'
} as const;

/** Reply bytes (SMFIR_*). */
const R = {
  addrcpt: 0x2b, // '+'
  delrcpt: 0x2d, // '-'
  shutdown: 0x34, // '4'
  accept: 0x61, // 'a'
  replbody: 0x62, // 'b'
  continue: 0x63, // 'c'
  discard: 0x64, // 'd'
  chgfrom: 0x65, // 'e'
  connfail: 0x66, // 'f'
  addheader: 0x68, // 'h'
  insheader: 0x69, // 'i'
  chgheader: 0x6d, // 'm'
  optneg: 0x4f, // 'O'
  progress: 0x70, // 'p'
  quarantine: 0x71, // 'q'
  reject: 0x72, // 'r'
  skip: 0x73, // 's'
  tempfail: 0x74, // 't'
  replycode: 0x79, // 'y'
} as const;

/** Address family of SMFIC_CONNECT: `4`, `6`, `L` (unix socket) or `U` (unknown, no further data). */
export type ConnectFamily = 'inet' | 'inet6' | 'unix' | 'unknown';

/** A command from the MTA. */
export type MilterCommand =
  | { kind: 'optneg'; version: number; actions: number; protocol: number }
  /** Macros for the command named by `stage` (its command byte as a character); `name\0value\0` pairs. */
  | { kind: 'macro'; stage: string; macros: [string, string][] }
  | { kind: 'connect'; hostname: string; family: ConnectFamily; port: number; address: string }
  | { kind: 'helo'; name: string }
  /** `args[0]` is the reverse-path as sent (`<a@b>`), the rest are ESMTP parameters. */
  | { kind: 'mail'; args: string[] }
  | { kind: 'rcpt'; args: string[] }
  | { kind: 'data' }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'eoh' }
  | { kind: 'body'; chunk: Uint8Array }
  /** End of message, with an optional last body chunk. */
  | { kind: 'eom'; chunk: Uint8Array }
  | { kind: 'abort' }
  | { kind: 'quit' }
  | { kind: 'quitNewConnection' }
  /** An SMTP command the MTA did not know. */
  | { kind: 'unknown'; command: string };

/** A symbol list of the OPTNEG reply: which macros the MTA should send at `stage`. */
export interface MacroRequest {
  stage: number;
  names: string;
}

/** A reply from the filter. */
export type MilterReply =
  | { kind: 'optneg'; version: number; actions: number; protocol: number; macros: MacroRequest[] }
  | { kind: 'continue' }
  | { kind: 'accept' }
  | { kind: 'reject' }
  | { kind: 'tempfail' }
  | { kind: 'discard' }
  | { kind: 'progress' }
  | { kind: 'skip' }
  /** `550 5.7.1 text` or `451 4.7.0 text` (with `%` doubled, see formatReplyCode). */
  | { kind: 'replycode'; text: string }
  | { kind: 'addheader'; name: string; value: string }
  | { kind: 'insheader'; index: number; name: string; value: string }
  /** Changes the `index`-th (1-based) field named `name`; an empty value deletes it. */
  | { kind: 'chgheader'; index: number; name: string; value: string }
  | { kind: 'quarantine'; reason: string };

export type MilterErrorCode =
  | 'milter.empty-packet'
  | 'milter.packet-too-large'
  | 'milter.unknown-command'
  | 'milter.truncated'
  | 'milter.bad-value';

export interface MilterError {
  code: MilterErrorCode;
  message: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: MilterError };

/** One framed packet: the command (or reply) byte and its data. */
export interface Packet {
  code: number;
  data: Uint8Array;
}

const fail = (code: MilterErrorCode, message: string): { ok: false; error: MilterError } => ({
  ok: false,
  error: { code, message },
});

// ---------------------------------------------------------------------------------------------------------------
// Framing

/** Frames `data` under `code`: length (4 bytes, big-endian), the code byte, the data. */
export function frame(code: number, data: Uint8Array = new Uint8Array(0)): Buffer {
  const packet = Buffer.allocUnsafe(5 + data.length);
  packet.writeUInt32BE(data.length + 1, 0);
  packet[4] = code;
  packet.set(data, 5);
  return packet;
}

/**
 * Splits a byte stream into packets as it arrives. A length of 0, or above `maxPacketBytes`, is a protocol error
 * reported before any of the data is buffered: the caller closes the connection (never a 2 GB allocation).
 *
 * A packet wholly inside one read is a view of that read (no copy). A packet spread over reads (a 64 KiB body
 * chunk always is) keeps views of its pieces and is joined once, at its exact length, when its last byte arrives:
 * every byte is copied at most once, and what is held is only what was received.
 */
export class PacketReader {
  /** The length prefix when it is split across reads. */
  private readonly prefix = Buffer.alloc(4);
  private prefixFilled = 0;
  /** The length of the packet being read (command byte and data), or -1 while its prefix is not complete. */
  private expected = -1;
  /** Pieces of the packet being read, when it spreads over reads, and how many bytes they hold. */
  private pieces: Buffer[] = [];
  private collected = 0;
  private failed: MilterError | undefined;

  constructor(private readonly maxPacketBytes = DEFAULT_MAX_PACKET_BYTES) {}

  /** Adds bytes and returns the packets now complete, or the protocol error that ends the stream. */
  push(bytes: Uint8Array): Decoded<Packet[]> {
    if (this.failed) return { ok: false, error: this.failed };
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const packets: Packet[] = [];
    let at = 0;
    while (at < input.length) {
      if (this.expected < 0) {
        if (this.prefixFilled === 0 && input.length - at >= 4) {
          this.expected = input.readUInt32BE(at);
          at += 4;
        } else {
          const n = Math.min(4 - this.prefixFilled, input.length - at);
          input.copy(this.prefix, this.prefixFilled, at, at + n);
          this.prefixFilled += n;
          at += n;
          if (this.prefixFilled < 4) break;
          this.expected = this.prefix.readUInt32BE(0);
          this.prefixFilled = 0;
        }
        if (this.expected === 0) return this.fail('milter.empty-packet', 'a packet of length 0 (no command byte)');
        if (this.expected > this.maxPacketBytes)
          return this.fail(
            'milter.packet-too-large',
            `a packet of ${this.expected} bytes, more than the ${this.maxPacketBytes} accepted`,
          );
      }
      const wanted = this.expected - this.collected;
      const available = input.length - at;
      if (this.collected === 0 && available >= wanted) {
        packets.push(packetOf(input.subarray(at, at + wanted)));
        at += wanted;
        this.expected = -1;
        continue;
      }
      const n = Math.min(wanted, available);
      this.pieces.push(input.subarray(at, at + n));
      this.collected += n;
      at += n;
      if (this.collected === this.expected) {
        packets.push(packetOf(Buffer.concat(this.pieces, this.expected)));
        this.pieces = [];
        this.collected = 0;
        this.expected = -1;
      }
    }
    return { ok: true, value: packets };
  }

  /** Bytes received but not yet part of a whole packet (a truncated packet at the end of the stream). */
  get pending(): number {
    return this.prefixFilled + (this.expected >= 0 ? 4 + this.collected : 0);
  }

  private fail(code: MilterErrorCode, message: string): { ok: false; error: MilterError } {
    this.failed = { code, message };
    this.pieces = [];
    this.collected = 0;
    return { ok: false, error: this.failed };
  }
}

/** A packet from its bytes after the length prefix: the command (or reply) byte, then the data. */
function packetOf(bytes: Buffer): Packet {
  return { code: bytes[0] as number, data: bytes.subarray(1) };
}

// ---------------------------------------------------------------------------------------------------------------
// Strings

/** Reads NUL-terminated strings from `data`; a missing final NUL is a truncated packet. */
function readStrings(data: Uint8Array, what: string): Decoded<string[]> {
  const out: string[] = [];
  let start = 0;
  while (start < data.length) {
    const end = data.indexOf(0, start);
    if (end < 0) return fail('milter.truncated', `${what}: a string without its terminating NUL`);
    out.push(Buffer.from(data.buffer, data.byteOffset + start, end - start).toString('latin1'));
    start = end + 1;
  }
  return { ok: true, value: out };
}

function strings(values: readonly string[]): Buffer {
  return Buffer.concat(values.map((v) => Buffer.from(`${v}\0`, 'latin1')));
}

function u32s(...values: number[]): Buffer {
  const out = Buffer.allocUnsafe(4 * values.length);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, 4 * i));
  return out;
}

function hasNul(text: string): boolean {
  return text.includes('\0');
}

// ---------------------------------------------------------------------------------------------------------------
// Commands (MTA → filter)

/** Decodes one command packet. Never throws: bad data is a `milter.*` error. */
export function decodeCommand(packet: Packet): Decoded<MilterCommand> {
  const { code, data } = packet;
  switch (code) {
    case C.optneg: {
      if (data.length < 12) return fail('milter.truncated', `SMFIC_OPTNEG: ${data.length} bytes, 12 needed`);
      const view = Buffer.from(data.buffer, data.byteOffset, data.length);
      return {
        ok: true,
        value: {
          kind: 'optneg',
          version: view.readUInt32BE(0),
          actions: view.readUInt32BE(4),
          protocol: view.readUInt32BE(8),
        },
      };
    }
    case C.macro: {
      if (data.length < 1) return fail('milter.truncated', 'SMFIC_MACRO without the command it belongs to');
      const parts = readStrings(data.subarray(1), 'SMFIC_MACRO');
      if (!parts.ok) return parts;
      if (parts.value.length % 2 !== 0) return fail('milter.truncated', 'SMFIC_MACRO: a macro name without a value');
      const macros: [string, string][] = [];
      for (let i = 0; i < parts.value.length; i += 2)
        macros.push([parts.value[i] as string, parts.value[i + 1] as string]);
      return { ok: true, value: { kind: 'macro', stage: String.fromCharCode(data[0] as number), macros } };
    }
    case C.connect:
      return decodeConnect(data);
    case C.helo: {
      const parts = readStrings(data, 'SMFIC_HELO');
      if (!parts.ok) return parts;
      if (parts.value.length !== 1) return fail('milter.bad-value', 'SMFIC_HELO: one string expected');
      return { ok: true, value: { kind: 'helo', name: parts.value[0] as string } };
    }
    case C.mail:
    case C.rcpt: {
      const what = code === C.mail ? 'SMFIC_MAIL' : 'SMFIC_RCPT';
      const parts = readStrings(data, what);
      if (!parts.ok) return parts;
      if (parts.value.length < 1) return fail('milter.truncated', `${what}: no address`);
      return { ok: true, value: { kind: code === C.mail ? 'mail' : 'rcpt', args: parts.value } };
    }
    case C.header: {
      const parts = readStrings(data, 'SMFIC_HEADER');
      if (!parts.ok) return parts;
      if (parts.value.length !== 2) return fail('milter.bad-value', 'SMFIC_HEADER: a name and a value expected');
      return { ok: true, value: { kind: 'header', name: parts.value[0] as string, value: parts.value[1] as string } };
    }
    case C.body:
      return { ok: true, value: { kind: 'body', chunk: data } };
    case C.eom:
      return { ok: true, value: { kind: 'eom', chunk: data } };
    case C.unknown: {
      const parts = readStrings(data, 'SMFIC_UNKNOWN');
      if (!parts.ok) return parts;
      return { ok: true, value: { kind: 'unknown', command: parts.value[0] ?? '' } };
    }
    case C.data:
      return { ok: true, value: { kind: 'data' } };
    case C.eoh:
      return { ok: true, value: { kind: 'eoh' } };
    case C.abort:
      return { ok: true, value: { kind: 'abort' } };
    case C.quit:
      return { ok: true, value: { kind: 'quit' } };
    case C.quitNewConnection:
      return { ok: true, value: { kind: 'quitNewConnection' } };
    default:
      return fail('milter.unknown-command', `unknown command byte 0x${code.toString(16).padStart(2, '0')}`);
  }
}

function decodeConnect(data: Uint8Array): Decoded<MilterCommand> {
  const end = data.indexOf(0);
  if (end < 0) return fail('milter.truncated', 'SMFIC_CONNECT: the host name has no terminating NUL');
  const hostname = Buffer.from(data.buffer, data.byteOffset, end).toString('latin1');
  if (end + 1 >= data.length) return fail('milter.truncated', 'SMFIC_CONNECT: no address family');
  const familyByte = data[end + 1] as number;
  const family = familyOf(familyByte);
  if (!family) return fail('milter.bad-value', `SMFIC_CONNECT: unknown address family 0x${familyByte.toString(16)}`);
  if (family === 'unknown') {
    if (end + 2 !== data.length) return fail('milter.bad-value', 'SMFIC_CONNECT: data after family U');
    return { ok: true, value: { kind: 'connect', hostname, family, port: 0, address: '' } };
  }
  if (end + 4 > data.length) return fail('milter.truncated', 'SMFIC_CONNECT: no port');
  const port = ((data[end + 2] as number) << 8) | (data[end + 3] as number);
  const rest = readStrings(data.subarray(end + 4), 'SMFIC_CONNECT');
  if (!rest.ok) return rest;
  if (rest.value.length !== 1) return fail('milter.bad-value', 'SMFIC_CONNECT: one address expected');
  return { ok: true, value: { kind: 'connect', hostname, family, port, address: rest.value[0] as string } };
}

function familyOf(byte: number): ConnectFamily | undefined {
  switch (byte) {
    case 0x34: // '4'
      return 'inet';
    case 0x36: // '6'
      return 'inet6';
    case 0x4c: // 'L'
      return 'unix';
    case 0x55: // 'U'
      return 'unknown';
    default:
      return undefined;
  }
}

const FAMILY_BYTE: Record<ConnectFamily, number> = { inet: 0x34, inet6: 0x36, unix: 0x4c, unknown: 0x55 };

/** Encodes a command as an MTA sends it (for tests, benchmarks and recorded sessions). */
export function encodeCommand(command: MilterCommand): Buffer {
  switch (command.kind) {
    case 'optneg':
      return frame(C.optneg, u32s(command.version, command.actions, command.protocol));
    case 'macro':
      return frame(
        C.macro,
        Buffer.concat([Buffer.from(command.stage.slice(0, 1), 'latin1'), strings(command.macros.flat())]),
      );
    case 'connect': {
      const head = Buffer.from(`${command.hostname}\0`, 'latin1');
      if (command.family === 'unknown') return frame(C.connect, Buffer.concat([head, Buffer.of(0x55)]));
      const port = Buffer.of(FAMILY_BYTE[command.family], (command.port >> 8) & 0xff, command.port & 0xff);
      return frame(C.connect, Buffer.concat([head, port, strings([command.address])]));
    }
    case 'helo':
      return frame(C.helo, strings([command.name]));
    case 'mail':
      return frame(C.mail, strings(command.args));
    case 'rcpt':
      return frame(C.rcpt, strings(command.args));
    case 'data':
      return frame(C.data);
    case 'header':
      return frame(C.header, strings([command.name, command.value]));
    case 'eoh':
      return frame(C.eoh);
    case 'body':
      return frame(C.body, command.chunk);
    case 'eom':
      return frame(C.eom, command.chunk);
    case 'abort':
      return frame(C.abort);
    case 'quit':
      return frame(C.quit);
    case 'quitNewConnection':
      return frame(C.quitNewConnection);
    case 'unknown':
      return frame(C.unknown, strings([command.command]));
    default: {
      const unreachable: never = command;
      throw new Error(`milter codec: unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Replies (filter → MTA)

/** Encodes a reply. Strings with a NUL cannot be sent and throw (a bug in the caller, never input). */
export function encodeReply(reply: MilterReply): Buffer {
  switch (reply.kind) {
    case 'optneg': {
      const lists = reply.macros.map((m) => Buffer.concat([u32s(m.stage), strings([m.names])]));
      return frame(R.optneg, Buffer.concat([u32s(reply.version, reply.actions, reply.protocol), ...lists]));
    }
    case 'continue':
      return frame(R.continue);
    case 'accept':
      return frame(R.accept);
    case 'reject':
      return frame(R.reject);
    case 'tempfail':
      return frame(R.tempfail);
    case 'discard':
      return frame(R.discard);
    case 'progress':
      return frame(R.progress);
    case 'skip':
      return frame(R.skip);
    case 'replycode':
      return frame(R.replycode, checked([reply.text]));
    case 'addheader':
      return frame(R.addheader, checked([reply.name, reply.value]));
    case 'insheader':
      return frame(R.insheader, Buffer.concat([u32s(reply.index), checked([reply.name, reply.value])]));
    case 'chgheader':
      return frame(R.chgheader, Buffer.concat([u32s(reply.index), checked([reply.name, reply.value])]));
    case 'quarantine':
      return frame(R.quarantine, checked([reply.reason]));
    default: {
      const unreachable: never = reply;
      throw new Error(`milter codec: unknown reply ${JSON.stringify(unreachable)}`);
    }
  }
}

function checked(values: readonly string[]): Buffer {
  if (values.some(hasNul)) throw new Error('milter codec: a reply string holds a NUL byte');
  return strings(values);
}

/** Decodes one reply packet (the MTA's side; for tests, and for reading recorded sessions). Never throws. */
export function decodeReply(packet: Packet): Decoded<MilterReply> {
  const { code, data } = packet;
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  switch (code) {
    case R.optneg: {
      if (data.length < 12) return fail('milter.truncated', `SMFIR_OPTNEG: ${data.length} bytes, 12 needed`);
      const macros: MacroRequest[] = [];
      let at = 12;
      while (at < data.length) {
        if (at + 4 > data.length) return fail('milter.truncated', 'SMFIR_OPTNEG: a symbol list without its stage');
        const end = data.indexOf(0, at + 4);
        if (end < 0) return fail('milter.truncated', 'SMFIR_OPTNEG: a symbol list without its NUL');
        macros.push({ stage: view.readUInt32BE(at), names: view.subarray(at + 4, end).toString('latin1') });
        at = end + 1;
      }
      return {
        ok: true,
        value: {
          kind: 'optneg',
          version: view.readUInt32BE(0),
          actions: view.readUInt32BE(4),
          protocol: view.readUInt32BE(8),
          macros,
        },
      };
    }
    case R.continue:
      return { ok: true, value: { kind: 'continue' } };
    case R.accept:
      return { ok: true, value: { kind: 'accept' } };
    case R.reject:
      return { ok: true, value: { kind: 'reject' } };
    case R.tempfail:
      return { ok: true, value: { kind: 'tempfail' } };
    case R.discard:
      return { ok: true, value: { kind: 'discard' } };
    case R.progress:
      return { ok: true, value: { kind: 'progress' } };
    case R.skip:
      return { ok: true, value: { kind: 'skip' } };
    case R.replycode:
    case R.quarantine: {
      const parts = readStrings(data, code === R.replycode ? 'SMFIR_REPLYCODE' : 'SMFIR_QUARANTINE');
      if (!parts.ok) return parts;
      if (parts.value.length !== 1) return fail('milter.bad-value', 'one string expected');
      const text = parts.value[0] as string;
      return {
        ok: true,
        value: code === R.replycode ? { kind: 'replycode', text } : { kind: 'quarantine', reason: text },
      };
    }
    case R.addheader: {
      const parts = readStrings(data, 'SMFIR_ADDHEADER');
      if (!parts.ok) return parts;
      if (parts.value.length !== 2) return fail('milter.bad-value', 'SMFIR_ADDHEADER: a name and a value expected');
      return {
        ok: true,
        value: { kind: 'addheader', name: parts.value[0] as string, value: parts.value[1] as string },
      };
    }
    case R.insheader:
    case R.chgheader: {
      const what = code === R.insheader ? 'SMFIR_INSHEADER' : 'SMFIR_CHGHEADER';
      if (data.length < 4) return fail('milter.truncated', `${what}: no index`);
      const parts = readStrings(data.subarray(4), what);
      if (!parts.ok) return parts;
      if (parts.value.length !== 2) return fail('milter.bad-value', `${what}: a name and a value expected`);
      return {
        ok: true,
        value: {
          kind: code === R.insheader ? 'insheader' : 'chgheader',
          index: view.readUInt32BE(0),
          name: parts.value[0] as string,
          value: parts.value[1] as string,
        },
      };
    }
    default:
      return fail('milter.unknown-command', `unknown reply byte 0x${code.toString(16).padStart(2, '0')}`);
  }
}
