/**
 * DMARC evaluation, RFC 7489 §6.6: discover the policy, check identifier alignment of the SPF and DKIM results
 * it is given (never re-checking or changing them), and say which policy applies.
 */
import type { CheckContext } from '../context.js';
import { toAsciiDomain } from '../domain/domain-name.js';
import { organizationalDomainOrSelf } from '../domain/organizational-domain.js';
import { lookup } from '../dns/lookup.js';
import type { DnsAnswer } from '../dns/types.js';
import { all, andThen, type MaybeAsync } from '../maybe-async.js';
import { isAligned } from './alignment.js';
import { dmarcDiscovery, type DmarcDiscovery } from './discovery.js';
import type { AlignmentMode, DmarcPolicy, DmarcRecord } from './record.js';
import type {
  DmarcDkimResultValue,
  DmarcInput,
  DmarcResult,
  IdentifierAlignment,
  PolicySource,
  DmarcSpfResultValue,
} from './types.js';

function identifier(
  domain: string,
  result: DmarcSpfResultValue | DmarcDkimResultValue,
  fromDomain: string,
  mode: AlignmentMode,
): IdentifierAlignment {
  const normalized = toAsciiDomain(domain) ?? '';
  const aligned = normalized.length > 0 && isAligned(normalized, fromDomain, mode);
  return {
    domain: normalized.length > 0 ? normalized : domain.slice(0, 255).toLowerCase(),
    result,
    aligned,
    counts: aligned && result === 'pass',
  };
}

function exists<T>(answer: DnsAnswer<T>): boolean | undefined {
  if (answer.ok) return true;
  switch (answer.kind) {
    case 'nxdomain':
    case 'nodata':
      return false;
    case 'timeout':
    case 'servfail':
    case 'refused':
      return undefined;
    default: {
      const unreachable: never = answer.kind;
      return unreachable;
    }
  }
}

/**
 * Whether a domain exists in the sense of RFC 9091 §2.1: a name with NXDOMAIN or NODATA for A, AAAA and MX is
 * non-existent. `undefined` when a lookup failed and no other answered.
 */
function domainExists(ctx: CheckContext, domain: string): MaybeAsync<boolean | undefined> {
  const answers = all([
    andThen(lookup(ctx.resolver, 'a', domain), exists),
    andThen(lookup(ctx.resolver, 'aaaa', domain), exists),
    andThen(lookup(ctx.resolver, 'mx', domain), exists),
  ]);
  return andThen(answers, (found) => {
    if (found.includes(true)) return true;
    if (found.includes(undefined)) return undefined;
    return false;
  });
}

/** The policy for the From domain (RFC 7489 §6.3 `p`/`sp`, RFC 9091 §4.1 `np`). */
function applicablePolicy(
  record: DmarcRecord,
  atOrganizationalDomain: boolean,
  fromDomainExists: boolean | undefined,
): { policy: DmarcPolicy; source: PolicySource } {
  if (!atOrganizationalDomain) return { policy: record.policy, source: 'p' };
  if (fromDomainExists === false && record.nonexistentPolicy !== undefined) {
    return { policy: record.nonexistentPolicy, source: 'np' };
  }
  if (record.subdomainPolicy !== undefined) return { policy: record.subdomainPolicy, source: 'sp' };
  return { policy: record.policy, source: 'p' };
}

/**
 * Evaluates DMARC for a message whose author domain is `input.fromDomain` (RFC 7489 §6.6.2, §6.6.3).
 *
 * `pass` when an SPF pass (for the MAIL FROM domain, or HELO for the null sender, as the caller gives it) or a
 * DKIM pass has a domain aligned with the From domain under `aspf`/`adkim`; `fail` when a record applies and none
 * is; `none` when no (single) DMARC record exists; `temperror` when the lookup failed for now; `permerror` for
 * an invalid From domain or a record without a usable policy. Alignment is reported in every case (relaxed when
 * there is no record), which is what docs/trust-model.md uses when no record is published. Never throws for bad input.
 */
export async function evaluateDmarc(ctx: CheckContext, input: DmarcInput): Promise<DmarcResult> {
  return dmarcResult(ctx, input);
}

type Modes = { spf: AlignmentMode; dkim: AlignmentMode };

const RELAXED: Modes = { spf: 'relaxed', dkim: 'relaxed' };

/** Alignment of the input's identifiers with `domain` under `modes` (RFC 7489 §3.1). */
function align(
  input: DmarcInput,
  modes: Modes,
  domain: string,
): Pick<DmarcResult, 'alignment' | 'modes' | 'identifiers'> {
  const spf = input.spf ? identifier(input.spf.domain, input.spf.result, domain, modes.spf) : undefined;
  const dkim: IdentifierAlignment[] = [];
  let dkimCounts = false;
  for (const signature of input.dkim) {
    const entry = identifier(signature.domain, signature.result, domain, modes.dkim);
    if (entry.counts) dkimCounts = true;
    dkim.push(entry);
  }
  return {
    alignment: { spf: spf?.counts ?? false, dkim: dkimCounts },
    modes: { spf: modes.spf, dkim: modes.dkim },
    identifiers: spf ? { spf, dkim } : { dkim },
  };
}

/** {@link evaluateDmarc}, synchronous when the answers it needs are known (`Resolver.known`). */
export function dmarcResult(ctx: CheckContext, input: DmarcInput): MaybeAsync<DmarcResult> {
  const fromDomain = toAsciiDomain(input.fromDomain);
  if (fromDomain === undefined) {
    const domain = String(input.fromDomain ?? '').toLowerCase();
    return {
      result: 'permerror',
      domain,
      organizationalDomain: domain,
      policy: 'none',
      pct: 100,
      ...align(input, RELAXED, ''),
      queried: [],
      error: {
        code: 'headers.from-invalid',
        message: `the From domain ${JSON.stringify(domain.slice(0, 100))} is not a domain name`,
      },
    };
  }
  return andThen(dmarcDiscovery(ctx, fromDomain), (discovery) => fromDiscovery(ctx, input, fromDomain, discovery));
}

/** The result once the policy is discovered (§6.6.3), or known to be missing. */
function fromDiscovery(
  ctx: CheckContext,
  input: DmarcInput,
  fromDomain: string,
  discovery: DmarcDiscovery,
): MaybeAsync<DmarcResult> {
  const organizationalDomain = organizationalDomainOrSelf(fromDomain);
  const base = { domain: fromDomain, organizationalDomain, queried: discovery.queried };
  switch (discovery.kind) {
    case 'temperror':
      return {
        result: 'temperror',
        ...base,
        policy: 'none',
        pct: 100,
        ...align(input, RELAXED, fromDomain),
        error: { code: `dns.${discovery.dns}`, message: `${discovery.name} TXT: ${discovery.dns}` },
      };
    case 'none':
      return {
        result: 'none',
        ...base,
        policy: 'none',
        pct: 100,
        ...align(input, RELAXED, fromDomain),
        error:
          discovery.reason === 'multiple-records'
            ? {
                code: 'dmarc.multiple-records',
                message: `${discovery.name} has more than one DMARC record (RFC 7489 §6.6.3)`,
              }
            : { code: 'dmarc.none', message: `no DMARC record at ${discovery.queried.join(' or ')}` },
      };
    case 'invalid':
      return {
        result: 'permerror',
        ...base,
        policy: 'none',
        pct: 100,
        ...align(input, RELAXED, fromDomain),
        recordDomain: discovery.recordDomain,
        error: {
          code: 'dmarc.policy-missing',
          message: `_dmarc.${discovery.recordDomain}: ${discovery.error.message}`,
        },
      };
    case 'found':
      // np applies only to subdomains that do not exist, and only with a record found at the org domain.
      if (discovery.atOrganizationalDomain && discovery.record.nonexistentPolicy !== undefined) {
        return andThen(domainExists(ctx, fromDomain), (fromDomainExists) =>
          withRecord(input, fromDomain, organizationalDomain, discovery, fromDomainExists),
        );
      }
      return withRecord(input, fromDomain, organizationalDomain, discovery, undefined);
    default: {
      const unreachable: never = discovery;
      return unreachable;
    }
  }
}

/** The result under a discovered record (§6.6.2 step 4–5): pass when an identifier aligns, else fail. */
function withRecord(
  input: DmarcInput,
  fromDomain: string,
  organizationalDomain: string,
  discovery: Extract<DmarcDiscovery, { kind: 'found' }>,
  fromDomainExists: boolean | undefined,
): DmarcResult {
  const { record } = discovery;
  const { policy, source } = applicablePolicy(record, discovery.atOrganizationalDomain, fromDomainExists);
  const aligned = align(input, { spf: record.spfAlignment, dkim: record.dkimAlignment }, fromDomain);
  // Written out field by field, in the order of the other results (see docs/performance.md on spreads).
  const result: DmarcResult = {
    result: aligned.alignment.spf || aligned.alignment.dkim ? 'pass' : 'fail',
    domain: fromDomain,
    organizationalDomain,
    queried: discovery.queried,
    policy,
    policySource: source,
    pct: record.pct,
    alignment: aligned.alignment,
    modes: aligned.modes,
    identifiers: aligned.identifiers,
    record,
    recordDomain: discovery.recordDomain,
  };
  if (fromDomainExists !== undefined) result.fromDomainExists = fromDomainExists;
  return result;
}
