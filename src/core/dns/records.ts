/** Resource records as zone data holds them (RFC 1035 §3.3, RFC 3596), for zone files and the offline resolver. */

/** Record types a zone file may hold for mailtrust. `SPF` is the obsolete type 99 (RFC 4408 §3.1.1). */
export type ZoneRecordType = 'A' | 'AAAA' | 'TXT' | 'SPF' | 'MX' | 'PTR' | 'CNAME' | 'NS' | 'SOA';

/** SOA RDATA, RFC 1035 §3.3.13. */
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/**
 * One resource record. `name` is absolute, lower case, without the trailing dot (the root is '').
 * Domain names in RDATA follow the same form.
 */
export type ZoneRecord =
  | { name: string; ttl: number; type: 'A' | 'AAAA'; address: string }
  | { name: string; ttl: number; type: 'TXT' | 'SPF'; strings: Uint8Array[] }
  | { name: string; ttl: number; type: 'MX'; priority: number; exchange: string }
  | { name: string; ttl: number; type: 'PTR' | 'CNAME' | 'NS'; target: string }
  | { name: string; ttl: number; type: 'SOA'; soa: SoaData };
