/**
 * Answers from zone data in memory (`--zone FILE`), as an authoritative server for the data would, and the
 * overlay that puts zone data in front of the network.
 */
import type { QueryOutcome, Querier } from './querier.js';
import type { ZoneRecord } from './records.js';
import type { QueryType } from './types.js';
import type { RecordData } from './wire.js';

function toRecordData(record: ZoneRecord): RecordData | undefined {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { type: record.type, address: record.address };
    case 'TXT':
      return { type: 'TXT', strings: record.strings };
    case 'SPF':
      return undefined; // type 99 is never asked for (RFC 7208 §3.1 removed it)
    case 'MX':
      return { type: 'MX', priority: record.priority, exchange: record.exchange };
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return { type: record.type, target: record.target };
    case 'SOA':
      return { type: 'SOA', soa: record.soa };
  }
}

const MAX_CNAME_HOPS = 8;

/** Queries answered from zone records: NXDOMAIN for names that do not exist, NODATA for empty non-terminals. */
export class ZoneQuerier implements Querier {
  private readonly byName = new Map<string, ZoneRecord[]>();
  /** Owner names and all their ancestors (RFC 8020: an ancestor of an existing name exists). */
  private readonly existing = new Set<string>();

  constructor(records: readonly ZoneRecord[]) {
    for (const record of records) {
      const name = record.name.toLowerCase();
      const list = this.byName.get(name);
      if (list) list.push(record);
      else this.byName.set(name, [record]);
      let rest = name;
      for (;;) {
        this.existing.add(rest);
        const dot = rest.indexOf('.');
        if (dot < 0) break;
        rest = rest.slice(dot + 1);
      }
    }
  }

  query(rawName: string, type: QueryType): Promise<QueryOutcome> {
    return Promise.resolve(this.lookup(rawName, type));
  }

  /** Synchronous lookup, for callers that know they hold zone data. */
  lookup(rawName: string, type: QueryType): QueryOutcome {
    let name = rawName.toLowerCase().replace(/\.$/, '');
    let ttl = Number.MAX_SAFE_INTEGER;
    const seen = new Set<string>();
    for (let hops = 0; hops <= MAX_CNAME_HOPS; hops++) {
      const records = this.byName.get(name) ?? [];
      const found: RecordData[] = [];
      let cname: string | undefined;
      for (const record of records) {
        if (record.type === type) {
          const data = toRecordData(record);
          if (data) {
            found.push(data);
            ttl = Math.min(ttl, record.ttl);
          }
        } else if (record.type === 'CNAME' && type !== 'CNAME') {
          cname = record.target;
          ttl = Math.min(ttl, record.ttl);
        }
      }
      if (found.length > 0) return { ok: true, records: found, ttl, source: 'zone', ms: 0 };
      if (cname === undefined) {
        const kind = this.existing.has(name) ? 'nodata' : 'nxdomain';
        return { ok: false, kind, ttl: 0, source: 'zone', ms: 0 };
      }
      seen.add(name);
      name = cname.toLowerCase();
      // A CNAME loop has no answer (RFC 1034 §3.6.2); servers report SERVFAIL.
      if (seen.has(name)) break;
    }
    return { ok: false, kind: 'servfail', ttl: 0, source: 'zone', ms: 0 };
  }
}

/**
 * Zone data in front of another querier: a name and type the zone holds records for is answered from the zone;
 * everything else goes to `inner`. Lets a user try a record before publishing it (`--zone` with `--dns`).
 */
export class OverlayQuerier implements Querier {
  constructor(
    private readonly zone: ZoneQuerier,
    private readonly inner: Querier,
  ) {}

  query(name: string, type: QueryType): Promise<QueryOutcome> {
    const local = this.zone.lookup(name, type);
    return local.ok ? Promise.resolve(local) : this.inner.query(name, type);
  }
}
