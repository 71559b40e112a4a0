/**
 * Zone data as a querier (`--zone FILE`): alone it is the offline resolver; {@link OverlayQuerier} puts it in front
 * of the network. The lookup rules (CNAME chains, empty non-terminals, wildcards) are {@link ZoneIndex}'s.
 */
import { canonicalIPv6 } from '../ip/address.js';
import { normalizeQueryName } from './names.js';
import type { QueryOutcome, Querier } from './querier.js';
import type { ZoneRecord } from './records.js';
import type { QueryType } from './types.js';
import type { RecordData } from './wire.js';
import { DnsClient } from './client.js';
import { ZoneIndex, type ZoneLookup } from './zone-index.js';

function toRecordData(record: ZoneRecord): RecordData | undefined {
  switch (record.type) {
    case 'A':
      return { type: 'A', address: record.address };
    case 'AAAA':
      return { type: 'AAAA', address: canonicalIPv6(record.address) ?? record.address };
    case 'TXT':
      return { type: 'TXT', strings: record.strings };
    case 'SPF':
      return undefined; // type 99 is never asked for (RFC 7208 §3.1 removed it)
    case 'MX':
      return { type: 'MX', priority: record.priority, exchange: normalizeQueryName(record.exchange) };
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return { type: record.type, target: normalizeQueryName(record.target) };
    case 'SOA':
      return { type: 'SOA', soa: record.soa };
  }
}

function toOutcome(lookup: ZoneLookup): QueryOutcome {
  if (!lookup.ok) return { ok: false, kind: lookup.kind, ttl: 0, source: 'zone', ms: 0 };
  const records: RecordData[] = [];
  for (const record of lookup.records) {
    const data = toRecordData(record);
    if (data) records.push(data);
  }
  return { ok: true, records, ttl: lookup.ttl, source: 'zone', ms: 0 };
}

/** Outcomes a {@link ZoneQuerier} keeps (zone data does not change); past this, answers are built per query. */
const MAX_ZONE_OUTCOMES = 10_000;

/** Queries answered from zone records in memory. */
export class ZoneQuerier implements Querier {
  readonly index: ZoneIndex;
  /** Outcome per question, by type then name: the zone never changes, so each is built once (records shared). */
  private readonly outcomes = new Map<QueryType, Map<string, QueryOutcome>>();
  private kept = 0;

  constructor(records: readonly ZoneRecord[] | ZoneIndex) {
    this.index = records instanceof ZoneIndex ? records : new ZoneIndex(records);
  }

  query(name: string, type: QueryType): Promise<QueryOutcome> {
    return Promise.resolve(this.peek(name, type));
  }

  peek(name: string, type: QueryType): QueryOutcome {
    let byName = this.outcomes.get(type);
    if (!byName) {
      byName = new Map();
      this.outcomes.set(type, byName);
    }
    let outcome = byName.get(name);
    if (!outcome) {
      outcome = toOutcome(this.index.lookup(name, type));
      if (this.kept < MAX_ZONE_OUTCOMES) {
        byName.set(name, outcome);
        this.kept++;
      }
    }
    return outcome;
  }
}

/**
 * Zone data in front of another querier: what the zone answers comes from the zone; a name it does not answer
 * goes to `inner` (and a CNAME chain that leaves the zone continues there at its target). Lets a user try a record
 * before publishing it (`--zone` with `--dns`).
 */
export class OverlayQuerier implements Querier {
  constructor(
    private readonly zone: ZoneIndex,
    private readonly inner: Querier,
  ) {}

  query(name: string, type: QueryType): Promise<QueryOutcome> {
    const local = this.zone.lookup(name, type);
    if (local.ok) return Promise.resolve(toOutcome(local));
    return this.inner.query(local.cnames.length > 0 ? local.name : name, type);
  }

  peek(name: string, type: QueryType): QueryOutcome | undefined {
    const local = this.zone.lookup(name, type);
    if (local.ok) return toOutcome(local);
    return this.inner.peek?.(local.cnames.length > 0 ? local.name : name, type);
  }
}

/**
 * A {@link Resolver} answering from zone records alone (docs/cli.md `--zone FILE`): the typed client over a
 * {@link ZoneQuerier}, so zone answers are shaped exactly like network ones.
 */
export function createZoneResolver(records: readonly ZoneRecord[] | ZoneIndex): DnsClient {
  return new DnsClient(new ZoneQuerier(records));
}
