/**
 * A real DNS server for tests: answers from zone data over UDP and TCP on 127.0.0.1 at a random port.
 *
 * It behaves like a recursive resolver that holds the zone: CNAME chains are followed into the answer, NXDOMAIN
 * and NODATA (RFC 2308 §2.1, §2.2) carry an SOA in the authority section for negative caching, EDNS0 (RFC 6891)
 * raises the UDP size, and answers that do not fit are sent with TC set so the client retries over TCP
 * (RFC 1035 §4.2.1, RFC 7766). Rules simulate trouble per name: no answer (timeout), SERVFAIL, REFUSED,
 * forced truncation, garbage bytes and added latency.
 *
 * The wire format here is the `dns-packet` library's, deliberately not mailtrust's own codec, so that a bug in one
 * is not hidden by the same bug in the other.
 */
import dnsPacket from 'dns-packet';
import type { Answer, Packet, Question } from 'dns-packet';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import type { ZoneRecord } from '../../src/core/dns/records.js';

export type RuleAction = 'timeout' | 'servfail' | 'refused' | 'truncate' | 'garbage' | 'wrong-id' | { delayMs: number };

/** Simulated trouble for queries whose name matches (and type, when given). */
export interface Rule {
  name: string | RegExp;
  type?: string;
  action: RuleAction;
  /** Apply to UDP only, TCP only, or both (default). */
  transport?: 'udp' | 'tcp';
}

/**
 * The resolver timeout for a test against this server: short when a rule leaves questions unanswered (a timeout is
 * then what the test shows, and a long one would only slow the suite), generous otherwise, so that a machine busy
 * with other jobs never turns an answer the server sent into a false temperror.
 */
export function resolverTimeoutFor(rules: readonly Rule[]): number {
  const drops = rules.some((rule) => rule.action === 'timeout' || rule.action === 'wrong-id');
  return drops ? 1_000 : 10_000;
}

export interface LoggedQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  edns: boolean;
}

export interface TestDnsServerOptions {
  records?: ZoneRecord[];
  rules?: Rule[];
  /** TTL of the synthesized SOA and its MINIMUM, for negative answers (RFC 2308 §5). Default 60. */
  negativeTtl?: number;
  /** The UDP port of the first bind attempt (default: any free one); for testing the retry when TCP's is taken. */
  firstPort?: number;
}

export interface TestDnsServer {
  host: string;
  port: number;
  /** `127.0.0.1:PORT`, the form `--dns` takes. */
  address: string;
  queries: LoggedQuery[];
  setRecords(records: ZoneRecord[]): void;
  setRules(rules: Rule[]): void;
  close(): Promise<void>;
}

const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function toAnswer(record: ZoneRecord, ownerName: string): Answer {
  const base = { name: ownerName, ttl: record.ttl, class: 'IN' as const };
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { ...base, type: record.type, data: record.address };
    case 'TXT':
      return { ...base, type: 'TXT', data: record.strings.map((s) => Buffer.from(s)) };
    case 'SPF':
      // dns-packet encodes no SPF RDATA of its own; type 99 shares TXT's format (RFC 4408 §3.1.1).
      return { ...base, type: 'TXT', data: record.strings.map((s) => Buffer.from(s)) } as Answer;
    case 'MX':
      return { ...base, type: 'MX', data: { preference: record.priority, exchange: record.exchange } };
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return { ...base, type: record.type, data: record.target };
    case 'SOA':
      return {
        ...base,
        type: 'SOA',
        data: {
          mname: record.soa.mname,
          rname: record.soa.rname,
          serial: record.soa.serial,
          refresh: record.soa.refresh,
          retry: record.soa.retry,
          expire: record.soa.expire,
          minimum: record.soa.minimum,
        },
      };
  }
}

class Zone {
  private byName = new Map<string, ZoneRecord[]>();
  private existing = new Set<string>();

  constructor(records: ZoneRecord[]) {
    for (const record of records) {
      const name = normalize(record.name);
      const list = this.byName.get(name) ?? [];
      list.push(record);
      this.byName.set(name, list);
      // Every ancestor of an owner name exists (an empty non-terminal answers NODATA, RFC 8020).
      const labels = name.split('.');
      for (let i = 0; i < labels.length; i++) this.existing.add(labels.slice(i).join('.'));
    }
  }

  lookup(qname: string, qtype: string): { rcode: number; answers: Answer[]; soa: ZoneRecord | undefined } {
    const answers: Answer[] = [];
    let name = normalize(qname);
    let owner = qname.replace(/\.$/, '');
    for (let hops = 0; hops < 16; hops++) {
      const records = this.byName.get(name) ?? [];
      const wanted = records.filter((r) => r.type === qtype);
      if (wanted.length > 0) {
        for (const r of wanted) answers.push(toAnswer(r, owner));
        return { rcode: RCODE.NOERROR, answers, soa: undefined };
      }
      const cname = records.find((r) => r.type === 'CNAME');
      if (cname && cname.type === 'CNAME' && qtype !== 'CNAME') {
        answers.push(toAnswer(cname, owner));
        name = normalize(cname.target);
        owner = cname.target;
        continue;
      }
      const exists = this.existing.has(name);
      return { rcode: exists ? RCODE.NOERROR : RCODE.NXDOMAIN, answers, soa: this.soaFor(name) };
    }
    return { rcode: RCODE.SERVFAIL, answers: [], soa: undefined };
  }

  private soaFor(name: string): ZoneRecord | undefined {
    const labels = name.split('.');
    for (let i = 0; i <= labels.length; i++) {
      const candidate = labels.slice(i).join('.');
      const soa = this.byName.get(candidate)?.find((r) => r.type === 'SOA');
      if (soa) return soa;
    }
    return undefined;
  }
}

function matches(rule: Rule, name: string, type: string, transport: 'udp' | 'tcp'): boolean {
  if (rule.transport && rule.transport !== transport) return false;
  if (rule.type && rule.type !== type) return false;
  const n = normalize(name);
  return typeof rule.name === 'string' ? normalize(rule.name) === n : rule.name.test(n);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a test DNS server on 127.0.0.1 (UDP and TCP on the same random port). */
export async function startTestDnsServer(options: TestDnsServerOptions = {}): Promise<TestDnsServer> {
  let zone = new Zone(options.records ?? []);
  let rules = options.rules ?? [];
  const negativeTtl = options.negativeTtl ?? 60;
  const queries: LoggedQuery[] = [];

  /** Builds the response bytes, or null for "no answer"; 'garbage' returns junk. */
  async function respond(message: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | null> {
    let query: Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return null;
    }
    const question = query.questions?.[0] as Question | undefined;
    if (!question) return null;
    const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    queries.push({ name: question.name, type: question.type, transport, edns: opt !== undefined });

    let rcode: number = RCODE.NOERROR;
    let forceTruncate = false;
    let wrongId = false;
    for (const rule of rules) {
      if (!matches(rule, question.name, question.type, transport)) continue;
      const action = rule.action;
      if (typeof action === 'object') await sleep(action.delayMs);
      else if (action === 'timeout') return null;
      // Garbage that carries the query's ID, so the client has to decode it and find it malformed.
      else if (action === 'garbage')
        return Buffer.from([message[0] ?? 0, message[1] ?? 0, 0x81, 0x80, 0, 1, 0, 9, 0xc0]);
      else if (action === 'servfail') rcode = RCODE.SERVFAIL;
      else if (action === 'refused') rcode = RCODE.REFUSED;
      else if (action === 'truncate') forceTruncate = true;
      else if (action === 'wrong-id') wrongId = true;
    }

    let answers: Answer[] = [];
    const authorities: Answer[] = [];
    if (rcode === RCODE.NOERROR) {
      const result = zone.lookup(question.name, question.type);
      rcode = result.rcode;
      answers = result.answers;
      if (answers.length === 0 || rcode === RCODE.NXDOMAIN) {
        const soa: ZoneRecord = result.soa ?? {
          name: question.name.split('.').slice(1).join('.') || question.name,
          ttl: negativeTtl,
          type: 'SOA',
          soa: {
            mname: 'ns.test',
            rname: 'hostmaster.test',
            serial: 1,
            refresh: 3600,
            retry: 600,
            expire: 86400,
            minimum: negativeTtl,
          },
        };
        authorities.push(toAnswer(soa, soa.name));
      }
    }

    const response: Packet = {
      id: wrongId ? ((query.id ?? 0) + 1) & 0xffff : (query.id ?? 0),
      type: 'response',
      flags: FLAG_AA | FLAG_RA | ((query.flags ?? 0) & FLAG_RD) | rcode,
      questions: [question],
      answers,
      authorities,
      additionals: opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as Answer] : [],
    };
    let bytes = dnsPacket.encode(response);
    const limit = opt ? Math.min(Math.max(opt.udpPayloadSize ?? 512, 512), 1232) : 512;
    if (transport === 'udp' && (forceTruncate || bytes.length > limit)) {
      bytes = dnsPacket.encode({
        ...response,
        flags: (response.flags ?? 0) | FLAG_TC,
        answers: [],
        authorities: [],
      });
    }
    return bytes;
  }

  /** A UDP socket answering queries (a closed socket cannot be bound again: each bind attempt gets a new one). */
  const udpSocket = (): Socket => {
    const socket = createSocket('udp4');
    socket.on('message', (message, remote) => {
      void respond(message, 'udp').then((bytes) => {
        if (bytes) socket.send(bytes, remote.port, remote.address);
      });
    });
    return socket;
  };
  let udp = udpSocket();

  const sockets = new Set<TcpSocket>();
  const tcp: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        void respond(message, 'tcp').then((bytes) => {
          if (!bytes || socket.destroyed) return;
          const frame = Buffer.alloc(2 + bytes.length);
          frame.writeUInt16BE(bytes.length, 0);
          bytes.copy(frame, 2);
          socket.write(frame);
        });
      }
    });
  });

  // Bind UDP first on a random port, then TCP on the same one; retry if TCP's port is taken.
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(attempt === 0 ? (options.firstPort ?? 0) : 0, '127.0.0.1', () => {
        udp.off('error', reject);
        resolve();
      });
    });
    port = udp.address().port;
    const bound = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) break;
    if (attempt > 20) throw new Error('test DNS server: could not bind UDP and TCP to one port');
    // TCP's port was taken: give the UDP port back and try another pair.
    const taken = udp;
    await new Promise<void>((resolve) => taken.close(() => resolve()));
    udp = udpSocket();
  }
  udp.unref();
  tcp.unref();

  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    queries,
    setRecords(records) {
      zone = new Zone(records);
    },
    setRules(next) {
      rules = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** Shorthand zone data for tests: `{ 'example.com': { TXT: ['v=spf1 -all'], A: ['192.0.2.1'], MX: [[10, 'mx.example.com']] } }`. */
export type ZoneShorthand = Record<
  string,
  {
    A?: string[];
    AAAA?: string[];
    TXT?: (string | string[])[];
    SPF?: (string | string[])[];
    MX?: [number, string][];
    PTR?: string[];
    CNAME?: string;
    NS?: string[];
    ttl?: number;
  }
>;

/** Expands zone shorthand into records (default TTL 300). */
export function zoneRecords(data: ZoneShorthand): ZoneRecord[] {
  const records: ZoneRecord[] = [];
  const enc = new TextEncoder();
  for (const [rawName, sets] of Object.entries(data)) {
    const name = normalize(rawName);
    const ttl = sets.ttl ?? 300;
    for (const address of sets.A ?? []) records.push({ name, ttl, type: 'A', address });
    for (const address of sets.AAAA ?? []) records.push({ name, ttl, type: 'AAAA', address });
    for (const value of sets.TXT ?? [])
      records.push({
        name,
        ttl,
        type: 'TXT',
        strings: (Array.isArray(value) ? value : [value]).map((s) => enc.encode(s)),
      });
    for (const value of sets.SPF ?? [])
      records.push({
        name,
        ttl,
        type: 'SPF',
        strings: (Array.isArray(value) ? value : [value]).map((s) => enc.encode(s)),
      });
    for (const [priority, exchange] of sets.MX ?? []) records.push({ name, ttl, type: 'MX', priority, exchange });
    for (const target of sets.PTR ?? []) records.push({ name, ttl, type: 'PTR', target });
    for (const target of sets.NS ?? []) records.push({ name, ttl, type: 'NS', target });
    if (sets.CNAME) records.push({ name, ttl, type: 'CNAME', target: sets.CNAME });
  }
  return records;
}
