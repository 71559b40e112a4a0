/**
 * The offline resolver: answers from zone data in-process, the way a recursive server holding that zone
 * authoritatively would (RFC 1034 §4.3.2), for `--zone FILE` alone, and as the zone half of a zone-over-network
 * overlay.
 *
 * - Records of the asked type at the name: the answer, with the smallest TTL of the records and of any CNAMEs
 *   followed to reach them.
 * - A CNAME at the name (and another type asked): followed, at most {@link MAX_CNAME_HOPS} times; a loop or a
 *   longer chain is `servfail`, as recursive servers report it.
 * - The name exists (it owns records, or is an ancestor of an owner name: an empty non-terminal, RFC 8020) but
 *   has no records of that type: `nodata` (RFC 2308 §2.2). Otherwise `nxdomain` (RFC 2308 §2.1).
 * - A name that does not exist is matched by a wildcard `*.<closest encloser>` when the zone has one (RFC 4592 §3).
 *
 * Lookups are O(1) map reads; the index is built once.
 */
import type { ParseError } from '../parse-result.js';
import { normalizeQueryName } from './names.js';
import type { ZoneRecord, ZoneRecordType } from './records.js';

/** CNAME records followed for one query before giving up with `servfail`. */
export const MAX_CNAME_HOPS = 8;

/**
 * What the zone says about one name and type. `name` is where the lookup ended (the query name, or the last
 * CNAME target); `cnames` are the CNAME targets followed, in order. When a failure has `cnames`, the chain left
 * the zone's data at `name`: an overlay may continue there on the network.
 */
export type ZoneLookup =
  | { ok: true; records: ZoneRecord[]; ttl: number; name: string; cnames: string[] }
  | { ok: false; kind: 'nxdomain' | 'nodata' | 'servfail'; name: string; cnames: string[] };

/** Zone records indexed by owner name and type. */
export class ZoneIndex {
  private readonly byName = new Map<string, Map<ZoneRecordType, ZoneRecord[]>>();
  /** Owner names and all their ancestors. */
  private readonly existing = new Set<string>();

  constructor(records: readonly ZoneRecord[]) {
    for (const record of records) {
      const name = normalizeQueryName(record.name);
      let types = this.byName.get(name);
      if (!types) {
        types = new Map();
        this.byName.set(name, types);
        for (let dot = -1; ;) {
          const ancestor = name.slice(dot + 1);
          if (this.existing.has(ancestor)) break;
          this.existing.add(ancestor);
          dot = name.indexOf('.', dot + 1);
          if (dot < 0) break;
        }
      }
      const list = types.get(record.type);
      if (list) list.push(record);
      else types.set(record.type, [record]);
    }
  }

  /** True when the zone holds records of `type` at exactly `name` (no CNAME following, no wildcard). */
  has(name: string, type: ZoneRecordType): boolean {
    return (this.byName.get(normalizeQueryName(name))?.get(type)?.length ?? 0) > 0;
  }

  /** True when the zone owns records at `name` or below it (so `name` exists, RFC 8020). */
  exists(name: string): boolean {
    return this.existing.has(normalizeQueryName(name));
  }

  /** Answers one query from the zone, following CNAMEs (see the module comment). */
  lookup(name: string, type: ZoneRecordType): ZoneLookup {
    let current = normalizeQueryName(name);
    const cnames: string[] = [];
    let ttl = Infinity;
    for (;;) {
      const types = this.byName.get(current) ?? this.wildcard(current);
      const records = types?.get(type);
      if (records && records.length > 0) {
        for (const record of records) ttl = Math.min(ttl, record.ttl);
        return { ok: true, records, ttl, name: current, cnames };
      }
      const cname = type === 'CNAME' ? undefined : types?.get('CNAME')?.[0];
      if (!cname || cname.type !== 'CNAME')
        return { ok: false, kind: types || this.existing.has(current) ? 'nodata' : 'nxdomain', name: current, cnames };
      const target = normalizeQueryName(cname.target);
      if (cnames.length >= MAX_CNAME_HOPS || target === current || cnames.includes(target))
        return { ok: false, kind: 'servfail', name: current, cnames };
      ttl = Math.min(ttl, cname.ttl);
      cnames.push(target);
      current = target;
    }
  }

  /** The records of `*.<closest encloser>` for a name that does not exist (RFC 4592 §3.3.1), if any. */
  private wildcard(name: string): Map<ZoneRecordType, ZoneRecord[]> | undefined {
    if (this.existing.has(name)) return undefined;
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
      const ancestor = name.slice(dot + 1);
      if (this.existing.has(ancestor)) return this.byName.get(`*.${ancestor}`);
    }
    return this.byName.get('*'); // the root is the closest encloser
  }
}

/** {@link ZoneIndex.lookup} as a function. */
export function lookupZone(index: ZoneIndex, name: string, type: ZoneRecordType): ZoneLookup {
  return index.lookup(name, type);
}

/**
 * The first CNAME of the zone whose chain no lookup can finish: one that loops back to a name already in it, or
 * that needs more than {@link MAX_CNAME_HOPS} hops (RFC 1034 §3.6.2: a CNAME points at the canonical name, and
 * resolvers give up on loops and long chains). A query would meet it as `servfail`; zone data given to mailtrust is
 * checked with this when it is loaded, so the mistake is reported once, naming the chain
 * (`zone.cname-chain`, e.g. `CNAME loop: a.example → b.example → a.example`). `undefined` when every chain ends.
 */
export function findBrokenCnameChain(records: readonly ZoneRecord[]): ParseError | undefined {
  const index = new ZoneIndex(records);
  const checked = new Set<string>();
  for (const record of records) {
    if (record.type !== 'CNAME') continue;
    const start = normalizeQueryName(record.name);
    if (checked.has(start)) continue;
    checked.add(start);
    // Asking for A follows CNAMEs exactly as every query of another type does.
    const lookup = index.lookup(start, 'A');
    if (lookup.ok || lookup.kind !== 'servfail') continue;
    const names = [start, ...lookup.cnames];
    const closes = (): boolean => names.indexOf(names[names.length - 1] as string) < names.length - 1;
    // The lookup stops before the hop that repeats a name or goes one too far: show that hop too.
    if (!closes()) {
      const last = index.lookup(lookup.name, 'CNAME');
      if (last.ok && last.records[0]?.type === 'CNAME') names.push(normalizeQueryName(last.records[0].target));
    }
    const chain = names.join(' → ');
    const loops = closes();
    return {
      code: 'zone.cname-chain',
      message: loops
        ? `CNAME loop: ${chain}`
        : `CNAME chain longer than ${MAX_CNAME_HOPS} hops: ${chain} (resolvers give up after ${MAX_CNAME_HOPS})`,
    };
  }
  return undefined;
}
