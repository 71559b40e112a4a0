/**
 * Loaders for the SPF conformance suites (test/conformance/spf, see its SOURCES.md): the openspf YAML suites
 * with pyspf's driver rules, and stalwart's line-oriented files with its harness rules. Both turn zone data into
 * records and trouble rules for the test DNS server, so the suites run over real DNS on loopback.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { ZoneRecord } from '../../src/core/dns/records.js';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { reverseName } from '../../src/core/dns/reverse-name.js';
import { canonicalIPv6 } from '../../src/core/ip/address.js';
import type { Rule, TestDnsServer } from '../support/dns-server.js';

export const CONFORMANCE_DIR = new URL('../../../test/conformance/spf/', import.meta.url);

export interface SuiteCase {
  id: string;
  helo: string;
  ip: string;
  mailFrom: string;
  /** Acceptable results. */
  results: string[];
  /** Expected explanation; 'DEFAULT' means none from exp= (the implementation's default). */
  explanation?: string;
  spec?: string;
}

export interface SuiteScenario {
  description: string;
  cases: SuiteCase[];
  records: ZoneRecord[];
  rules: Rule[];
}

/** Strings from YAML become bytes: code points up to 0xFF as single bytes (the suite's "\xEF" means byte 0xEF). */
function bytesOf(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0xff) out.push(c);
    else out.push(...new TextEncoder().encode(ch));
  }
  return Uint8Array.from(out);
}

const QUERY_TYPES = ['A', 'AAAA', 'TXT', 'MX', 'PTR'] as const;

/**
 * Zone data of one openspf scenario, by pyspf's driver rules (SOURCES.md): SPF records are also served as TXT
 * unless the name has a TXT entry; `NONE` is no record; `TIMEOUT` makes the query time out for every type that
 * has no record listed; a missing name starting with `error.` times out.
 */
export function openspfZone(zonedata: Record<string, unknown[]>): { records: ZoneRecord[]; rules: Rule[] } {
  const records: ZoneRecord[] = [];
  const rules: Rule[] = [];
  const ttl = 300;
  for (const [rawName, entries] of Object.entries(zonedata ?? {})) {
    const name = rawName.toLowerCase().replace(/\.$/, '');
    const hasTxt = entries.some((e) => typeof e === 'object' && e !== null && 'TXT' in e);
    let timeout = false;
    const typesWithRecords = new Set<string>();
    for (const entry of entries) {
      if (entry === 'TIMEOUT') {
        timeout = true;
        continue;
      }
      for (const [type, value] of Object.entries(entry as Record<string, unknown>)) {
        if (value === 'NONE') continue;
        if (value === 'TIMEOUT') {
          timeout = true;
          continue;
        }
        switch (type) {
          case 'SPF':
          case 'TXT': {
            const strings = (Array.isArray(value) ? value : [value]).map((s) => bytesOf(String(s)));
            records.push({ name, ttl, type: type === 'SPF' ? 'SPF' : 'TXT', strings });
            if (type === 'TXT' || !hasTxt) {
              if (type === 'SPF') records.push({ name, ttl, type: 'TXT', strings });
              typesWithRecords.add('TXT');
            }
            break;
          }
          case 'A':
          case 'AAAA':
            records.push({ name, ttl, type, address: String(value) });
            typesWithRecords.add(type);
            break;
          case 'MX': {
            const [priority, exchange] = value as [number, string];
            records.push({ name, ttl, type: 'MX', priority: Number(priority), exchange: String(exchange) });
            typesWithRecords.add('MX');
            break;
          }
          case 'PTR':
          case 'CNAME':
            records.push({ name, ttl, type, target: String(value) });
            typesWithRecords.add(type);
            break;
          default:
            throw new Error(`unknown zonedata type ${type}`);
        }
      }
    }
    if (timeout)
      for (const type of QUERY_TYPES) if (!typesWithRecords.has(type)) rules.push({ name, type, action: 'timeout' });
  }
  const names = new Set(Object.keys(zonedata ?? {}).map((n) => n.toLowerCase()));
  if (![...names].some((n) => n.startsWith('error.'))) rules.push({ name: /^error\./, action: 'timeout' });
  return { records, rules };
}

/** Reads an openspf suite (multi-document YAML). */
export function loadOpenspfSuite(file: string): SuiteScenario[] {
  const text = readFileSync(new URL(`openspf/${file}`, CONFORMANCE_DIR), 'utf8');
  const scenarios: SuiteScenario[] = [];
  for (const doc of parseAllDocuments(text)) {
    const data = doc.toJS() as {
      description?: string;
      tests?: Record<string, Record<string, unknown>>;
      zonedata?: Record<string, unknown[]>;
    } | null;
    if (!data || !data.tests) continue;
    const { records, rules } = openspfZone(data.zonedata ?? {});
    const cases: SuiteCase[] = Object.entries(data.tests).map(([id, t]) => ({
      id,
      helo: String(t.helo ?? ''),
      ip: String(t.host),
      mailFrom: String(t.mailfrom ?? ''),
      results: (Array.isArray(t.result) ? t.result : [t.result]).map((r) => String(r).toLowerCase()),
      ...(t.explanation !== undefined ? { explanation: String(t.explanation) } : {}),
      ...(t.spec !== undefined ? { spec: String(t.spec) } : {}),
    }));
    scenarios.push({ description: data.description ?? '(no description)', cases, records, rules });
  }
  return scenarios;
}

/**
 * Reads a stalwart SPF file line by line, the way its harness does (SOURCES.md): records pile up across the
 * documents of one file; domain/sender/ip carry over between test items; `_dns_error.` names give temperror.
 * Each case carries the zone as it stood when its `expect:` line was read.
 */
export function loadStalwartFile(file: string): { cases: (SuiteCase & { records: ZoneRecord[] })[]; rules: Rule[] } {
  const text = readFileSync(new URL(`stalwart/${file}`, CONFORMANCE_DIR), 'utf8');
  // The harness's caches map a (name, type) to its records: a later line for the same name and type replaces them.
  const sets = new Map<string, ZoneRecord[]>();
  const put = (owner: string, type: string, list: ZoneRecord[]) => sets.set(`${owner.toLowerCase()} ${type}`, list);
  const cases: (SuiteCase & { records: ZoneRecord[] })[] = [];
  const ttl = 300;
  const enc = new TextEncoder();
  let name = '';
  let helo = '';
  let sender = '';
  let ip = '127.0.0.1';
  let n = 0;
  const splitFirst = (value: string): [string, string] => {
    const v = value.trim();
    const space = v.indexOf(' ');
    return space < 0 ? [v, ''] : [v.slice(0, space).trim(), v.slice(space + 1)];
  };
  for (const rawLine of text.split('\n')) {
    let line = rawLine.trim();
    if (line.startsWith('-')) line = line.slice(1).trim();
    const field = (prefix: string) => (line.startsWith(prefix) ? line.slice(prefix.length) : undefined);
    let value: string | undefined;
    if ((value = field('name:')) !== undefined) name = value.trim();
    else if ((value = field('spf:')) !== undefined || (value = field('exp:')) !== undefined) {
      const [owner, record] = splitFirst(value);
      put(owner, 'TXT', [{ name: owner.toLowerCase(), ttl, type: 'TXT', strings: [enc.encode(record)] }]);
    } else if ((value = field('a:')) !== undefined) {
      const [owner, list] = splitFirst(value);
      put(
        owner,
        'A',
        list.split(',').map((address) => ({ name: owner.toLowerCase(), ttl, type: 'A', address: address.trim() })),
      );
    } else if ((value = field('aaaa:')) !== undefined) {
      const [owner, list] = splitFirst(value);
      put(
        owner,
        'AAAA',
        list.split(',').map((address) => ({
          name: owner.toLowerCase(),
          ttl,
          type: 'AAAA',
          address: canonicalIPv6(address.trim()) ?? address.trim(),
        })),
      );
    } else if ((value = field('ptr:')) !== undefined) {
      const [address, list] = splitFirst(value);
      const reverse = reverseName(address);
      if (!reverse) throw new Error(`bad ptr address ${address}`);
      put(
        reverse,
        'PTR',
        list
          .split(',')
          .filter((target) => target.trim() !== '')
          .map((target) => ({ name: reverse, ttl, type: 'PTR', target: target.trim() })),
      );
    } else if ((value = field('mx:')) !== undefined) {
      const [owner, list] = splitFirst(value);
      const mx: ZoneRecord[] = [];
      list.split(',').forEach((item, pos) => {
        const address = item.trim();
        const v6 = address.includes(':');
        const shown = v6 ? (canonicalIPv6(address) ?? address) : address;
        const host = `mx.${shown}.${pos}`;
        put(host, v6 ? 'AAAA' : 'A', [{ name: host.toLowerCase(), ttl, type: v6 ? 'AAAA' : 'A', address: shown }]);
        mx.push({ name: owner.toLowerCase(), ttl, type: 'MX', priority: pos + 1, exchange: host });
      });
      put(owner, 'MX', mx);
    } else if ((value = field('domain:')) !== undefined) helo = value.trim();
    else if ((value = field('sender:')) !== undefined) sender = value.trim();
    else if ((value = field('ip:')) !== undefined) ip = value.trim();
    else if ((value = field('expect:')) !== undefined) {
      const [result, explanation] = splitFirst(value);
      n++;
      cases.push({
        id: `${file} #${n} ${name}`,
        helo,
        ip,
        mailFrom: sender,
        results: [result.toLowerCase()],
        ...(explanation.trim() !== '' ? { explanation: explanation.trim() } : {}),
        records: [...sets.values()].flat(),
      });
    }
  }
  return { cases, rules: [{ name: /(^|\.)_dns_error\./, action: 'servfail' }] };
}

/**
 * A check context over the test server. The time allowed is generous: the suites' TIMEOUT entries are never
 * answered, so it only makes those cases slower, while a short one turned answered questions into `temperror`
 * on a busy machine (the server shares this process's event loop).
 */
export function contextFor(server: TestDnsServer): CheckContext {
  return {
    resolver: createResolver({ servers: [server.address], timeoutMs: 2000, retries: 0, cache: true }),
    now: () => new Date('2026-01-01T00:00:00Z'),
    limits: { ...defaultLimits },
  };
}
