/**
 * DNS messages on the wire, RFC 1035 §4.1, with the EDNS0 OPT pseudo-record of RFC 6891 §6.
 *
 * mailtrust speaks DNS itself rather than through `node:dns`, because the checks need what `node:dns` hides:
 * the TTL of TXT/MX/PTR answers (for the cache), the SOA of negative answers (RFC 2308 negative caching), the
 * exact response code (NXDOMAIN vs NODATA vs SERVFAIL vs REFUSED), the TC bit with a TCP retry under our control,
 * per-query timeouts, and a trace of every query. The decoder treats every byte as hostile: bounds are checked,
 * compression pointers may only point backwards and are limited in number, so garbage yields an error, never a
 * crash or a loop.
 */
import { formatIPv6 } from '../ip/address.js';
import type { SoaData } from './records.js';
import type { QueryType } from './types.js';

/** RR type codes, RFC 1035 §3.2.2, RFC 3596 §2.1, RFC 6891 §6.1.1. */
export const TYPE_CODES: Readonly<Record<QueryType | 'OPT' | 'SPF', number>> = Object.freeze({
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  SPF: 99,
});

/** Response codes, RFC 1035 §4.1.1. */
export const RCODE = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;

/** Record data as decoded from an answer. */
export type RecordData =
  | { type: 'A' | 'AAAA'; address: string }
  | { type: 'TXT'; strings: Uint8Array[] }
  | { type: 'MX'; priority: number; exchange: string }
  | { type: 'PTR' | 'CNAME' | 'NS'; target: string }
  | { type: 'SOA'; soa: SoaData };

/** One resource record of a response; `data` is undefined for types mailtrust does not read. */
export interface WireRecord {
  name: string;
  typeCode: number;
  ttl: number;
  data: RecordData | undefined;
}

/** A decoded response. */
export interface WireResponse {
  id: number;
  truncated: boolean;
  rcode: number;
  question: { name: string; typeCode: number } | undefined;
  answers: WireRecord[];
  authorities: WireRecord[];
}

/** Thrown by the decoder for a malformed message; the client turns it into a failed attempt. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

/** The EDNS0 UDP payload size mailtrust advertises (the DNS Flag Day 2020 value). */
export const EDNS_UDP_SIZE = 1232;

/** Encodes a query with RD set and an EDNS0 OPT record. `name` must already be a valid ASCII name. */
export function encodeQuery(id: number, name: string, type: QueryType, edns = true): Uint8Array {
  const labels = name === '' ? [] : name.split('.');
  let nameLength = 1;
  for (const label of labels) nameLength += 1 + label.length;
  const size = 12 + nameLength + 4 + (edns ? 11 : 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint16(0, id);
  view.setUint16(2, 0x0100); // RD
  view.setUint16(4, 1); // QDCOUNT
  view.setUint16(10, edns ? 1 : 0); // ARCOUNT
  let offset = 12;
  for (const label of labels) {
    out[offset++] = label.length;
    for (let i = 0; i < label.length; i++) out[offset++] = label.charCodeAt(i);
  }
  out[offset++] = 0;
  view.setUint16(offset, TYPE_CODES[type]);
  view.setUint16(offset + 2, 1); // IN
  offset += 4;
  if (edns) {
    out[offset++] = 0; // root name
    view.setUint16(offset, TYPE_CODES.OPT);
    view.setUint16(offset + 2, EDNS_UDP_SIZE); // CLASS = UDP payload size
    view.setUint32(offset + 4, 0); // extended RCODE, version 0, flags
    view.setUint16(offset + 8, 0); // RDLEN
  }
  return out;
}

const MAX_POINTERS = 64;

/** Reads a possibly compressed domain name (RFC 1035 §4.1.4); returns it lower-cased, no trailing dot. */
function readName(bytes: Uint8Array, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  let pointers = 0;
  let length = 0;
  for (;;) {
    if (offset >= bytes.length) throw new WireFormatError('name runs past the end of the message');
    const len = bytes[offset]!;
    if (len === 0) {
      if (next < 0) next = offset + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (offset + 1 >= bytes.length) throw new WireFormatError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | bytes[offset + 1]!;
      if (next < 0) next = offset + 2;
      // Pointers must point backwards; together with the count limit this rules out loops.
      if (target >= offset || ++pointers > MAX_POINTERS) throw new WireFormatError('bad compression pointer');
      offset = target;
      continue;
    }
    if (kind !== 0) throw new WireFormatError('unsupported label type');
    if (offset + 1 + len > bytes.length) throw new WireFormatError('label runs past the end of the message');
    length += len + 1;
    if (length > 255) throw new WireFormatError('name longer than 255 octets');
    let label = '';
    for (let i = offset + 1; i <= offset + len; i++) {
      const c = bytes[i]!;
      // Keep names printable and unambiguous: escape dots and non-printables as \DDD (RFC 4343 §2.1).
      if (c >= 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c)
        label += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
      else label += '\\' + c.toString().padStart(3, '0');
    }
    labels.push(label);
    offset += 1 + len;
  }
  return { name: labels.join('.'), next };
}

function readRecordData(
  bytes: Uint8Array,
  view: DataView,
  typeCode: number,
  start: number,
  end: number,
): RecordData | undefined {
  switch (typeCode) {
    case TYPE_CODES.A:
      if (end - start !== 4) throw new WireFormatError('A record of wrong length');
      return { type: 'A', address: `${bytes[start]}.${bytes[start + 1]}.${bytes[start + 2]}.${bytes[start + 3]}` };
    case TYPE_CODES.AAAA: {
      if (end - start !== 16) throw new WireFormatError('AAAA record of wrong length');
      const groups: number[] = [];
      for (let i = start; i < end; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
      return { type: 'AAAA', address: formatIPv6(groups) };
    }
    case TYPE_CODES.TXT:
    case TYPE_CODES.SPF: {
      const strings: Uint8Array[] = [];
      let offset = start;
      while (offset < end) {
        const len = bytes[offset]!;
        if (offset + 1 + len > end) throw new WireFormatError('TXT string runs past its record');
        strings.push(bytes.slice(offset + 1, offset + 1 + len));
        offset += 1 + len;
      }
      return { type: 'TXT', strings };
    }
    case TYPE_CODES.MX: {
      if (end - start < 3) throw new WireFormatError('MX record too short');
      const { name, next } = readName(bytes, start + 2);
      if (next > end) throw new WireFormatError('MX exchange runs past its record');
      return { type: 'MX', priority: view.getUint16(start), exchange: name };
    }
    case TYPE_CODES.PTR:
    case TYPE_CODES.CNAME:
    case TYPE_CODES.NS: {
      const { name, next } = readName(bytes, start);
      if (next > end) throw new WireFormatError('name runs past its record');
      const type = typeCode === TYPE_CODES.PTR ? 'PTR' : typeCode === TYPE_CODES.CNAME ? 'CNAME' : 'NS';
      return { type, target: name };
    }
    case TYPE_CODES.SOA: {
      const m = readName(bytes, start);
      const r = readName(bytes, m.next);
      if (r.next + 20 > end) throw new WireFormatError('SOA record too short');
      const at = r.next;
      return {
        type: 'SOA',
        soa: {
          mname: m.name,
          rname: r.name,
          serial: view.getUint32(at),
          refresh: view.getUint32(at + 4),
          retry: view.getUint32(at + 8),
          expire: view.getUint32(at + 12),
          minimum: view.getUint32(at + 16),
        },
      };
    }
    default:
      return undefined;
  }
}

/** Decodes a response message. Throws WireFormatError when it is malformed. */
export function decodeResponse(bytes: Uint8Array): WireResponse {
  if (bytes.length < 12) throw new WireFormatError('message shorter than a DNS header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = view.getUint16(0);
  const flags = view.getUint16(2);
  if ((flags & 0x8000) === 0) throw new WireFormatError('not a response');
  const qdCount = view.getUint16(4);
  const anCount = view.getUint16(6);
  const nsCount = view.getUint16(8);
  let offset = 12;
  let question: WireResponse['question'];
  for (let i = 0; i < qdCount; i++) {
    const { name, next } = readName(bytes, offset);
    if (next + 4 > bytes.length) throw new WireFormatError('question runs past the end of the message');
    if (i === 0) question = { name, typeCode: view.getUint16(next) };
    offset = next + 4;
  }
  const readSection = (count: number): WireRecord[] => {
    const records: WireRecord[] = [];
    for (let i = 0; i < count; i++) {
      const { name, next } = readName(bytes, offset);
      if (next + 10 > bytes.length) throw new WireFormatError('record header runs past the end of the message');
      const typeCode = view.getUint16(next);
      const ttl = view.getUint32(next + 4);
      const rdLength = view.getUint16(next + 8);
      const start = next + 10;
      const end = start + rdLength;
      if (end > bytes.length) throw new WireFormatError('record data runs past the end of the message');
      // RFC 2181 §8: a TTL with the top bit set is treated as zero.
      records.push({
        name,
        typeCode,
        ttl: ttl > 0x7fffffff ? 0 : ttl,
        data: readRecordData(bytes, view, typeCode, start, end),
      });
      offset = end;
    }
    return records;
  };
  const answers = readSection(anCount);
  const authorities = readSection(nsCount);
  return { id, truncated: (flags & 0x0200) !== 0, rcode: flags & 0x000f, question, answers, authorities };
}
