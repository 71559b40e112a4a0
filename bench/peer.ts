/**
 * The peer of the benchmark: mailauth 4.13.x `authenticate()` (SPF + DKIM + DMARC + ARC; BIMI off), given a
 * resolver answering from the same zone records as mailtrust's in-memory resolver, with zero latency.
 *
 * mailauth's resolver contract (lib/spf, lib/tools.js getPublicKey, lib/dmarc/get-dmarc-record.js): an async
 * `(name, rrtype) => answers` — TXT as arrays of character-strings per record, A/AAAA/PTR as strings, MX as
 * `{ exchange, priority }`; a missing name throws an error with code `ENOTFOUND`, a name without that type
 * `ENODATA`.
 */
import { authenticate, type AuthenticateResult, type DNSResolver } from 'mailauth';
import type { ZoneRecord } from '../src/core/index.js';
import type { CorpusMessage } from './corpus.js';

const decoder = new TextDecoder();

/** A counting, zero-latency resolver in mailauth's shape over zone records. */
export interface PeerResolver {
  resolve: DNSResolver;
  /** Lookups made since the last reset. */
  lookups: number;
}

export function peerResolver(zone: readonly ZoneRecord[]): PeerResolver {
  const answers = new Map<string, unknown[]>();
  const names = new Set<string>();
  for (const record of zone) {
    names.add(record.name);
    let value: unknown;
    switch (record.type) {
      case 'TXT':
        value = record.strings.map((s) => decoder.decode(s));
        break;
      case 'A':
      case 'AAAA':
        value = record.address;
        break;
      case 'MX':
        value = { exchange: record.exchange, priority: record.priority };
        break;
      case 'PTR':
      case 'CNAME':
      case 'NS':
        value = record.target;
        break;
      case 'SPF':
      case 'SOA':
        continue;
    }
    const key = `${record.type} ${record.name}`;
    const list = answers.get(key) ?? [];
    list.push(value);
    answers.set(key, list);
  }
  const state: PeerResolver = {
    lookups: 0,
    resolve: async (domain, rrtype) => {
      state.lookups++;
      const name = domain.toLowerCase().replace(/\.$/, '');
      const found = answers.get(`${rrtype.toUpperCase()} ${name}`);
      if (found) return found as string[];
      const error = new Error(`${rrtype} ${name}`) as Error & { code: string };
      error.code = names.has(name) ? 'ENODATA' : 'ENOTFOUND';
      throw error;
    },
  };
  return state;
}

/** Runs mailauth on one corpus message. */
export function peerAuthenticate(message: CorpusMessage, resolver: DNSResolver): Promise<AuthenticateResult> {
  return authenticate(Buffer.from(message.raw.buffer, message.raw.byteOffset, message.raw.byteLength), {
    ip: message.envelope.ip,
    ...(message.envelope.helo !== undefined ? { helo: message.envelope.helo } : {}),
    sender: message.envelope.mailFrom ?? '',
    mta: 'mx.bench.example',
    resolver,
    disableBimi: true,
  });
}

/** Why mailauth's answer is not the expected pass for this corpus message, or undefined when it is. */
export function peerMismatch(message: CorpusMessage, result: AuthenticateResult): string | undefined {
  const dkim = result.dkim.results[0]?.status.result;
  if (dkim !== 'pass') return `dkim=${String(dkim)}`;
  const spf = result.spf ? result.spf.status.result : 'missing';
  if (spf !== 'pass') return `spf=${spf}`;
  const dmarc = result.dmarc ? result.dmarc.status.result : 'missing';
  if (dmarc !== 'pass') return `dmarc=${dmarc}`;
  const arc = result.arc ? result.arc.status.result : 'missing';
  if (arc !== (message.arc ? 'pass' : 'none')) return `arc=${arc}`;
  return undefined;
}
