/**
 * The HELO/EHLO check (guide recommendation 2; RFC 5321 §2.3.5, §4.1.1.1, §4.1.3): the name a client greets with
 * must be a fully qualified domain name that resolves (an address literal must be the client's own address).
 *
 * `checkHelo` needs only the greeting and the client address, so an SMTP server can run it at EHLO time; how the
 * name relates to the sender (same organizational domain, one of its MX hosts) is judged once the sender is known.
 */
import type { CheckContext } from '../context.js';
import { canonicalIpText, formatIpAddress, type IpAddress } from '../ip/address.js';
import { lookup } from '../dns/lookup.js';
import { isTemporaryDnsFailure, type DnsAnswer, type DnsFailureKind } from '../dns/types.js';
import { all, andThen, type MaybeAsync } from '../maybe-async.js';
import { classifyHelo } from './name.js';

export type HeloFinding =
  | 'helo.missing'
  | 'helo.not-fqdn'
  | 'helo.bare-ip'
  | 'helo.literal-mismatch'
  | 'helo.localhost'
  | 'helo.special-use'
  | 'helo.nxdomain'
  | 'helo.unresolvable'
  | 'helo.ip-mismatch'
  | 'helo.foreign-domain'
  | 'helo.not-mx';

/** docs/cli.md `helo`: `fail` when the greeting is not a resolvable name, `temperror` when DNS could not tell. */
export interface HeloResult {
  result: 'pass' | 'fail' | 'temperror';
  /** The greeting as given (trimmed). */
  name: string;
  findings: HeloFinding[];
  /** The name's A/AAAA addresses (empty for literals and failures). */
  addresses: string[];
  /** True when the name's addresses (or the literal) include the client address. */
  matchesClient: boolean;
  dnsError?: DnsFailureKind;
}

/** An address in the form addresses are compared in (IPv4-mapped IPv6 as IPv4), or the text as given. */
function comparable(ip: string): string {
  return canonicalIpText(ip) ?? ip;
}

/** Checks a HELO/EHLO argument against DNS and the client address. Never throws. */
export async function checkHelo(
  ctx: CheckContext,
  input: { helo: string | undefined; ip: string },
): Promise<HeloResult> {
  return heloResult(ctx, input);
}

/**
 * {@link checkHelo}, synchronous when every answer it needs is known (`Resolver.known`). `client` is `input.ip`
 * already parsed (an evaluation parses the client address once).
 */
export function heloResult(
  ctx: CheckContext,
  input: { helo: string | undefined; ip: string },
  client?: IpAddress,
): MaybeAsync<HeloResult> {
  const name = (input.helo ?? '').trim();
  const clientText = client === undefined ? comparable(input.ip) : formatIpAddress(client);
  const syntax = classifyHelo(name);
  const fail = (finding: HeloFinding): HeloResult => ({
    result: 'fail',
    name,
    findings: [finding],
    addresses: [],
    matchesClient: false,
  });
  switch (syntax.kind) {
    case 'missing':
      return fail('helo.missing');
    case 'bare-ip':
      return { ...fail('helo.bare-ip'), matchesClient: comparable(syntax.address) === clientText };
    case 'localhost':
      return fail('helo.localhost');
    case 'special-use':
      return fail('helo.special-use');
    case 'not-fqdn':
      return fail('helo.not-fqdn');
    case 'address-literal': {
      if (!syntax.valid) return fail('helo.not-fqdn');
      const matches = comparable(syntax.address) === clientText;
      // RFC 5321 §4.1.4 allows a literal; it must be the address the client connects from.
      return matches
        ? { result: 'pass', name, findings: [], addresses: [], matchesClient: true }
        : fail('helo.literal-mismatch');
    }
    case 'domain':
      break;
    default: {
      const unreachable: never = syntax;
      return unreachable;
    }
  }
  const host = syntax.name;
  const answers = all([lookup(ctx.resolver, 'a', host), lookup(ctx.resolver, 'aaaa', host)]);
  return andThen(answers, ([a, aaaa]) => fromAddresses(ctx, name, host, clientText, a!, aaaa!));
}

/** The result from the name's A and AAAA answers (and its MX, when it has no address). */
function fromAddresses(
  ctx: CheckContext,
  name: string,
  host: string,
  client: string,
  a: DnsAnswer<string>,
  aaaa: DnsAnswer<string>,
): MaybeAsync<HeloResult> {
  const addresses: string[] = a.ok ? [...a.records] : [];
  if (aaaa.ok) for (const address of aaaa.records) addresses.push(comparable(address));
  // Half an answer is no answer: a lookup that failed for now could change the result, so the check says so
  // (a DNS failure never yields a trusted verdict).
  const halfAnswered =
    !a.ok && isTemporaryDnsFailure(a.kind) ? a : !aaaa.ok && isTemporaryDnsFailure(aaaa.kind) ? aaaa : undefined;
  if (halfAnswered && !halfAnswered.ok) {
    return { result: 'temperror', name, findings: [], addresses, matchesClient: false, dnsError: halfAnswered.kind };
  }
  if (addresses.length > 0) {
    const matchesClient = addresses.some((address) => comparable(address) === client);
    return { result: 'pass', name, findings: matchesClient ? [] : ['helo.ip-mismatch'], addresses, matchesClient };
  }
  // No address and no temporary failure: both answers are failures (NXDOMAIN or NODATA), or empty.
  const failures: DnsFailureKind[] = [];
  if (!a.ok) failures.push(a.kind);
  if (!aaaa.ok) failures.push(aaaa.kind);
  if (failures.every((kind) => kind === 'nxdomain')) {
    return {
      result: 'fail',
      name,
      findings: ['helo.nxdomain'],
      addresses: [],
      matchesClient: false,
      dnsError: 'nxdomain',
    };
  }
  // The name exists but has no address: a mail host name may still be an MX target elsewhere; RFC 5321 §2.3.5
  // asks only that it resolve. An MX at the name is the last thing that counts as resolving.
  return andThen(lookup(ctx.resolver, 'mx', host), (mx): HeloResult => {
    if (mx.ok) return { result: 'pass', name, findings: ['helo.ip-mismatch'], addresses, matchesClient: false };
    if (isTemporaryDnsFailure(mx.kind))
      return { result: 'temperror', name, findings: [], addresses, matchesClient: false, dnsError: mx.kind };
    return { result: 'fail', name, findings: ['helo.unresolvable'], addresses: [], matchesClient: false };
  });
}
