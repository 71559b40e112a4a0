/**
 * Where mail for a domain goes: the MX lookup of RFC 5321 §5.1, done again for every delivery attempt.
 *
 * - MX records are tried in preference order, lowest first; hosts of equal preference are shuffled (§5.1: the
 *   sender "MUST randomize them to spread the load").
 * - No MX records but the name exists (NODATA): the domain itself is the one host, preference 0 (the implicit MX).
 * - A null MX (RFC 7505 §3: one record, preference 0, exchange ".") means the domain accepts no mail: permanent.
 * - NXDOMAIN is permanent (RFC 5321 §5.1: "a permanent failure"); SERVFAIL, a timeout or REFUSED is temporary.
 * - Addresses that are loopback, private, link-local or unspecified are refused unless `allowLocal`: a recipient
 *   domain must not be able to aim the relay at the operator's own network.
 * - At most `maxAddresses` addresses in all (Postfix's smtp_mx_address_limit, 5).
 */
import { inAnyNetwork, parseNetwork, toAsciiDomain } from '../core/index.js';
import type { DnsAnswer, IpNetwork, Resolver } from '../core/index.js';

/** One address to try, with the MX host it belongs to. */
export interface MxAddress {
  mx: string;
  preference: number;
  ip: string;
}

/** The outcome of routing one recipient domain. */
export type MxRoute =
  { ok: true; addresses: MxAddress[]; implicit: boolean } | { ok: false; permanent: boolean; reply: string };

export interface MxOptions {
  allowLocal: boolean;
  maxAddresses?: number;
  /** [0, 1); the shuffle of equal preferences. */
  random?: () => number;
}

/** Networks no relay delivery goes to unless `allowLocalMx` (RFC 1122 §3.2.1.3, RFC 1918, RFC 6598, RFC 4193). */
const LOCAL_NETWORKS: readonly IpNetwork[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
].map((text) => parseNetwork(text) as IpNetwork);

/** True for loopback, private, shared, link-local, multicast, reserved and unspecified addresses. */
export function isLocalAddress(ip: string): boolean {
  return inAnyNetwork(ip, LOCAL_NETWORKS);
}

/** Fisher–Yates shuffle of the runs of equal preference in a list already sorted by preference. */
export function shuffleEqualPreferences<T extends { preference: number }>(sorted: T[], random: () => number): T[] {
  const out = [...sorted];
  let start = 0;
  while (start < out.length) {
    let end = start + 1;
    while (end < out.length && (out[end] as T).preference === (out[start] as T).preference) end++;
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.floor(random() * (i - start + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    start = end;
  }
  return out;
}

function temporary(kind: string): boolean {
  return kind === 'timeout' || kind === 'servfail' || kind === 'refused';
}

function describe(answer: DnsAnswer<unknown>): string {
  return answer.ok ? 'records' : answer.kind.toUpperCase();
}

/** Looks up where mail for `domain` goes, per attempt (answers come from the shared resolver's cache by TTL). */
export async function routeMail(resolver: Resolver, domain: string, options: MxOptions): Promise<MxRoute> {
  const random = options.random ?? Math.random;
  const maxAddresses = options.maxAddresses ?? 5;
  const name = toAsciiDomain(domain);
  if (name === undefined) return { ok: false, permanent: true, reply: `5.1.2 ${domain} is not a domain name` };

  const mx = await resolver.mx(name);
  let hosts: { exchange: string; preference: number }[];
  let implicit = false;
  if (mx.ok) {
    const records = mx.records.map((r) => ({ exchange: r.exchange, preference: r.priority }));
    if (records.length === 1 && records[0]?.exchange === '')
      return {
        ok: false,
        permanent: true,
        reply: `556 5.1.10 ${name} publishes a null MX: it accepts no mail (RFC 7505)`,
      };
    // A null MX among real records is an error of the zone (RFC 7505 §3): the real ones are used.
    hosts = records.filter((r) => r.exchange !== '').sort((a, b) => a.preference - b.preference);
    hosts = shuffleEqualPreferences(hosts, random);
  } else if (mx.kind === 'nodata') {
    hosts = [{ exchange: name, preference: 0 }];
    implicit = true;
  } else if (mx.kind === 'nxdomain') {
    return { ok: false, permanent: true, reply: `5.1.2 ${name} does not exist (NXDOMAIN)` };
  } else {
    return { ok: false, permanent: false, reply: `4.4.3 MX lookup for ${name} failed for now (${describe(mx)})` };
  }

  const addresses: MxAddress[] = [];
  let temporaryFailure = false;
  let refusedLocal = 0;
  for (const host of hosts) {
    if (addresses.length >= maxAddresses) break;
    const [a, aaaa] = await Promise.all([resolver.a(host.exchange), resolver.aaaa(host.exchange)]);
    for (const answer of [a, aaaa]) {
      if (!answer.ok) {
        if (temporary(answer.kind)) temporaryFailure = true;
        continue;
      }
      for (const ip of answer.records) {
        if (!options.allowLocal && isLocalAddress(ip)) {
          refusedLocal++;
          continue;
        }
        if (addresses.length < maxAddresses) addresses.push({ mx: host.exchange, preference: host.preference, ip });
      }
    }
  }
  if (addresses.length > 0) return { ok: true, addresses, implicit };
  if (temporaryFailure)
    return {
      ok: false,
      permanent: false,
      reply: `4.4.3 the addresses of ${name}'s mail hosts could not be looked up for now`,
    };
  if (refusedLocal > 0)
    return {
      ok: false,
      permanent: true,
      reply: `5.4.4 ${name}'s mail hosts have only loopback or private addresses (refused unless allowLocalMx)`,
    };
  return {
    ok: false,
    permanent: true,
    reply: implicit
      ? `5.1.2 ${name} has no MX records and no address (RFC 5321 §5.1)`
      : `5.4.4 ${name}'s mail hosts have no address`,
  };
}
