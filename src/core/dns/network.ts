/**
 * The network querier: asks real DNS servers, RFC 1035 §7 as a stub resolver does.
 *
 * For each attempt it tries the servers in order: UDP with EDNS0 first, the same server over TCP when the answer
 * comes back truncated (RFC 7766 §5). NOERROR and NXDOMAIN are final; SERVFAIL, REFUSED, a malformed reply or no
 * reply moves on to the next server. After `retries` extra rounds the worst-but-most-informative outcome wins:
 * SERVFAIL over REFUSED over timeout.
 */
import { randomInt } from 'node:crypto';
import { checkQueryName } from './names.js';
import type { QueryOutcome, Querier } from './querier.js';
import { exchangeTcp, exchangeUdp, type ExchangeResult, type ServerAddress } from './transport.js';
import type { DnsFailureKind, QueryType } from './types.js';
import {
  RCODE,
  TYPE_CODES,
  WireFormatError,
  decodeResponse,
  encodeQuery,
  type RecordData,
  type WireResponse,
} from './wire.js';

export interface NetworkQuerierOptions {
  servers: ServerAddress[];
  /** Time allowed for one exchange with one server, in ms. */
  timeoutMs: number;
  /** Extra rounds over all servers after the first. */
  retries: number;
  signal?: AbortSignal;
}

/** Longest CNAME chain followed inside one answer (RFC 1034 §3.6.2 leaves it to the resolver). */
const MAX_CNAME_HOPS = 8;

/**
 * Reads the records for `name`/`type` out of a response, following its CNAME chain. A chain that loops or runs
 * past {@link MAX_CNAME_HOPS} is `servfail`, as recursive resolvers answer it (RFC 1034 §3.6.2 asks them to stop).
 */
export function answerFromResponse(response: WireResponse, name: string, type: QueryType, ms: number): QueryOutcome {
  const wanted = TYPE_CODES[type];
  let owner = name;
  let ttl = Number.MAX_SAFE_INTEGER;
  const records: RecordData[] = [];
  let cname: string | undefined;
  for (let hops = 0; hops <= MAX_CNAME_HOPS; hops++) {
    cname = undefined;
    for (const record of response.answers) {
      if (record.name !== owner) continue;
      if (record.typeCode === wanted && record.data) {
        records.push(record.data);
        ttl = Math.min(ttl, record.ttl);
      } else if (record.typeCode === TYPE_CODES.CNAME && record.data?.type === 'CNAME' && type !== 'CNAME') {
        cname = record.data.target;
        ttl = Math.min(ttl, record.ttl);
      }
    }
    if (records.length > 0) return { ok: true, records, ttl, source: 'network', ms };
    if (cname === undefined) break;
    owner = cname;
  }
  if (cname !== undefined) return { ok: false, kind: 'servfail', ttl: 0, source: 'network', ms };
  // RFC 2308 §5: a negative answer is cached for min(SOA TTL, SOA MINIMUM); without an SOA, not at all.
  const soa = response.authorities.find((r) => r.data?.type === 'SOA');
  const negativeTtl = soa?.data?.type === 'SOA' ? Math.min(soa.ttl, soa.data.soa.minimum) : 0;
  const kind: DnsFailureKind = response.rcode === RCODE.nxDomain ? 'nxdomain' : 'nodata';
  return { ok: false, kind, ttl: negativeTtl, source: 'network', ms };
}

type AttemptResult =
  { kind: 'final'; response: WireResponse } | { kind: 'failed'; failure: 'servfail' | 'refused' | 'timeout' };

export class NetworkQuerier implements Querier {
  constructor(private readonly options: NetworkQuerierOptions) {}

  async query(rawName: string, type: QueryType): Promise<QueryOutcome> {
    const started = performance.now();
    const checked = checkQueryName(rawName);
    // A name that cannot be put in a query cannot exist (RFC 7208 §4.3 treats it so).
    if (!checked.ok) return { ok: false, kind: 'nxdomain', ttl: 0, source: 'network', ms: 0 };
    const name = checked.name;
    const failures = new Set<'servfail' | 'refused' | 'timeout'>();
    for (let round = 0; round <= this.options.retries; round++) {
      for (const server of this.options.servers) {
        if (this.options.signal?.aborted) break;
        const result = await this.attempt(server, name, type);
        if (result.kind === 'final') {
          return answerFromResponse(result.response, name, type, performance.now() - started);
        }
        failures.add(result.failure);
      }
    }
    const kind: DnsFailureKind = failures.has('servfail')
      ? 'servfail'
      : failures.has('refused')
        ? 'refused'
        : 'timeout';
    return { ok: false, kind, ttl: 0, source: 'network', ms: performance.now() - started };
  }

  private async attempt(server: ServerAddress, name: string, type: QueryType): Promise<AttemptResult> {
    const id = randomInt(0, 0x10000);
    const query = encodeQuery(id, name, type);
    const { timeoutMs, signal } = this.options;
    let reply: ExchangeResult = await exchangeUdp(server, query, timeoutMs, signal);
    let response = this.decode(reply, name, type);
    if (response === 'truncated') {
      reply = await exchangeTcp(server, query, timeoutMs, signal);
      response = this.decode(reply, name, type);
    }
    if (response === 'truncated' || response === 'malformed') return { kind: 'failed', failure: 'servfail' };
    if (response === 'timeout') return { kind: 'failed', failure: 'timeout' };
    switch (response.rcode) {
      case RCODE.noError:
      case RCODE.nxDomain:
        return { kind: 'final', response };
      case RCODE.refused:
        return { kind: 'failed', failure: 'refused' };
      default:
        return { kind: 'failed', failure: 'servfail' };
    }
  }

  private decode(
    reply: ExchangeResult,
    name: string,
    type: QueryType,
  ): WireResponse | 'truncated' | 'malformed' | 'timeout' {
    if (reply.kind === 'timeout') return 'timeout';
    // A socket error (e.g. ICMP port unreachable) means no answer from this server.
    if (reply.kind === 'error') return 'timeout';
    let response: WireResponse;
    try {
      response = decodeResponse(reply.bytes);
    } catch (error) {
      if (error instanceof WireFormatError) return 'malformed';
      throw error;
    }
    if (response.truncated) return 'truncated';
    // RFC 5452 §4.2: the question must echo ours.
    if (!response.question || response.question.name !== name || response.question.typeCode !== TYPE_CODES[type]) {
      return 'malformed';
    }
    return response;
  }
}
