/**
 * iprev, RFC 8601 §3: the reverse-DNS check of the client address (guide recommendation 1: every sending IP has a
 * PTR record that resolves back to it — forward-confirmed reverse DNS).
 *
 * 1. PTR lookup of the address (IPv4 `in-addr.arpa`, IPv6 nibble `ip6.arpa`).
 * 2. For at most {@link MAX_PTR_NAMES} of the names, A (IPv4) or AAAA (IPv6) lookups, in parallel.
 * 3. `pass` when a name's addresses include the client address; `fail` when none does; `permerror` when there is
 *    no PTR record (NXDOMAIN or NODATA); `temperror` when a lookup failed temporarily and nothing confirmed.
 */
import type { CheckContext } from '../context.js';
import { canonicalIPv6, formatIPv4, parseIpAddress, type IpAddress } from '../ip/address.js';
import { lookup } from '../dns/lookup.js';
import { isVoidDnsFailure, type DnsAnswer, type DnsFailureKind } from '../dns/types.js';
import { all, andThen, type MaybeAsync } from '../maybe-async.js';

/** PTR names checked at most, as RFC 7208 §4.6.4 bounds the same work for SPF `ptr`. */
export const MAX_PTR_NAMES = 10;

export type IprevResultCode = 'pass' | 'fail' | 'temperror' | 'permerror';

/** Findings of the PTR check (docs/trust-model.md, `ptr.*`). Org-domain relations are judged with the sender in view. */
export type IprevFinding = 'ptr.missing' | 'ptr.not-confirmed' | 'ptr.multiple';

/** The iprev result; `names` are the forward-confirmed names (docs/cli.md), `ptrNames` all PTR names seen. */
export interface IprevResult {
  result: IprevResultCode;
  ip: string;
  names: string[];
  ptrNames: string[];
  findings: IprevFinding[];
  /** The DNS failure behind a temperror (or the PTR outcome behind a permerror). */
  dnsError?: DnsFailureKind;
}

function sameAddress(candidate: string, ip: string, v4: boolean): boolean {
  if (v4) return candidate === ip;
  return canonicalIPv6(candidate) === canonicalIPv6(ip);
}

/** Runs iprev for the client address. Never throws; a string that is no IP address is a permerror. */
export async function checkIprev(ctx: CheckContext, ip: string): Promise<IprevResult> {
  return iprevResult(ctx, ip);
}

/**
 * {@link checkIprev}, synchronous when every answer it needs is known (`Resolver.known`). `parsed` is `ip` already
 * parsed (an evaluation parses the client address once).
 */
export function iprevResult(
  ctx: CheckContext,
  ip: string,
  parsed: IpAddress | undefined = parseIpAddress(ip),
): MaybeAsync<IprevResult> {
  if (parsed === undefined) return { result: 'permerror', ip, names: [], ptrNames: [], findings: ['ptr.missing'] };
  // An IPv4-mapped IPv6 address is the IPv4 host (RFC 8601 §3): its PTR and A records are checked.
  const isV4 = parsed.family === 4;
  const address = isV4 ? formatIPv4(parsed.value) : ip;
  return andThen(lookup(ctx.resolver, 'ptr', address), (ptr) => {
    if (!ptr.ok) {
      if (isVoidDnsFailure(ptr.kind)) {
        return { result: 'permerror', ip, names: [], ptrNames: [], findings: ['ptr.missing'], dnsError: ptr.kind };
      }
      return { result: 'temperror', ip, names: [], ptrNames: [], findings: [], dnsError: ptr.kind };
    }
    const ptrNames =
      ptr.records.length === 1
        ? [ptr.records[0]!.toLowerCase()]
        : [...new Set(ptr.records.map((name) => name.toLowerCase()))];
    const checked = ptrNames.length > MAX_PTR_NAMES ? ptrNames.slice(0, MAX_PTR_NAMES) : ptrNames;
    const forward: MaybeAsync<DnsAnswer<string>>[] = [];
    for (const name of checked) forward.push(lookup(ctx.resolver, isV4 ? 'a' : 'aaaa', name));
    return andThen(all(forward), (answers) => confirm(ip, address, isV4, ptrNames, checked, answers));
  });
}

/** Step 3: the names whose addresses include the client address. */
function confirm(
  ip: string,
  address: string,
  isV4: boolean,
  ptrNames: string[],
  checked: string[],
  answers: DnsAnswer<string>[],
): IprevResult {
  const names: string[] = [];
  let temporary: DnsFailureKind | undefined;
  for (let i = 0; i < answers.length; i++) {
    const answer = answers[i]!;
    if (answer.ok) {
      if (answer.records.some((r) => sameAddress(r, address, isV4))) names.push(checked[i]!);
    } else if (answer.kind !== 'nxdomain' && answer.kind !== 'nodata') {
      temporary ??= answer.kind;
    }
  }
  const findings: IprevFinding[] = ptrNames.length > 1 ? ['ptr.multiple'] : [];
  if (names.length > 0) return { result: 'pass', ip, names, ptrNames, findings };
  if (temporary) return { result: 'temperror', ip, names, ptrNames, findings, dnsError: temporary };
  return { result: 'fail', ip, names, ptrNames, findings: ['ptr.not-confirmed', ...findings] };
}
