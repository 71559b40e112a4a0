/**
 * The sending domain's MX records: the domain exists, has MX hosts (RFC 5321 §5.1), is not a null MX (RFC 7505:
 * a domain that accepts no mail cannot be replied to, and receivers may refuse its mail), and each host resolves
 * and has a PTR record. Receivers do not trust mail from "non-existent or non-resolvable domain names".
 */
import type { CheckContext } from '../context.js';
import type { DnsFailureKind } from '../dns/types.js';
import { makeCheck, isTemporary, temporaryFailureCheck } from './check.js';
import type { AuditCheck } from './types.js';

const RULE_EXISTS = 'trustworthy sender domains (docs/audit.md#recommendations): the sender domain exists and resolves';
const RULE_MX = 'RFC 5321 §5.1: mail for the domain goes to its MX hosts (else its A/AAAA)';
const RULE_NULL = 'RFC 7505 §4: a domain with a null MX accepts no mail; its mail may be refused';
const RULE_HOST = 'RFC 5321 §5.1: an MX host name has A or AAAA records';
const RULE_HOST_PTR = 'Recommendation 1 (a PTR record for every sending IP): mail servers have PTR records';

/** MX hosts looked at at most (RFC 7208 §4.6.4 bounds the same work for SPF). */
const MAX_HOSTS = 10;
/** Addresses per host looked at at most. */
const MAX_ADDRESSES = 10;

/** The MX audit, with the hosts and their addresses for the other areas. */
export interface MxAudit {
  checks: AuditCheck[];
  /** False when the domain does not exist (NXDOMAIN). */
  exists: boolean;
  /** MX host names (lower case), or undefined when the lookup failed for now. */
  hosts: string[] | undefined;
  /** Each host's addresses. */
  addresses: Map<string, string[]>;
}

/** A and AAAA addresses of a host, with the failure when there are none. */
export async function hostAddresses(
  ctx: CheckContext,
  host: string,
): Promise<{ addresses: string[]; temporary: DnsFailureKind | undefined }> {
  const [a, aaaa] = await Promise.all([ctx.resolver.a(host), ctx.resolver.aaaa(host)]);
  const addresses = [...(a.ok ? a.records : []), ...(aaaa.ok ? aaaa.records : [])].slice(0, MAX_ADDRESSES);
  const temporary = [a, aaaa].flatMap((x) => (!x.ok && isTemporary(x.kind) ? [x.kind] : []))[0];
  return { addresses, temporary };
}

async function hostChecks(ctx: CheckContext, host: string, addresses: Map<string, string[]>): Promise<AuditCheck[]> {
  const found = await hostAddresses(ctx, host);
  addresses.set(host, found.addresses);
  if (found.addresses.length === 0) {
    if (found.temporary !== undefined) return [temporaryFailureCheck('mx', `MX host ${host}`, found.temporary, host)];
    return [
      makeCheck(
        'mx',
        'mx.host-unresolvable',
        'fail',
        {
          message: `MX host ${host} has no A or AAAA record`,
          remedy: `publish an A/AAAA record for ${host}, or point the MX at a host that has one`,
          rule: RULE_HOST,
        },
        { subject: host },
      ),
    ];
  }
  const checks: AuditCheck[] = [
    makeCheck(
      'mx',
      'mx.host-unresolvable',
      'pass',
      { message: `MX host ${host} resolves to ${found.addresses.join(', ')}`, rule: RULE_HOST },
      { subject: host, value: found.addresses.join(', ') },
    ),
  ];
  const ptrs = await Promise.all(found.addresses.map((ip) => ctx.resolver.ptr(ip)));
  ptrs.forEach((answer, i) => {
    const ip = found.addresses[i]!;
    const subject = `${host} (${ip})`;
    if (answer.ok)
      checks.push(
        makeCheck(
          'mx',
          'mx.host-no-ptr',
          'pass',
          { message: `${ip} has PTR ${answer.records.join(', ')}`, rule: RULE_HOST_PTR },
          { subject, value: answer.records.join(', ') },
        ),
      );
    else if (isTemporary(answer.kind))
      checks.push(temporaryFailureCheck('mx', `the PTR record of ${ip}`, answer.kind, subject));
    else
      checks.push(
        makeCheck(
          'mx',
          'mx.host-no-ptr',
          'warn',
          {
            message: `MX host address ${ip} has no PTR record`,
            remedy: `ask the owner of ${ip} to set its PTR to ${host}`,
            rule: RULE_HOST_PTR,
          },
          { subject, value: answer.kind },
        ),
      );
  });
  return checks;
}

/** Audits the MX records of `domain`. */
export async function auditMx(ctx: CheckContext, domain: string): Promise<MxAudit> {
  const addresses = new Map<string, string[]>();
  /** The audit of a domain that names no mail host: one check says why. */
  const noHosts = (exists: boolean, check: AuditCheck): MxAudit => ({ exists, hosts: [], addresses, checks: [check] });
  const mx = await ctx.resolver.mx(domain);
  if (!mx.ok) {
    switch (mx.kind) {
      case 'nxdomain':
        return noHosts(
          false,
          makeCheck(
            'mx',
            'mx.nxdomain',
            'fail',
            {
              message: `${domain} does not exist (NXDOMAIN): receivers refuse mail from it`,
              remedy: `check the spelling, or register ${domain} and publish its records`,
              rule: RULE_EXISTS,
            },
            { subject: domain, value: 'nxdomain' },
          ),
        );
      case 'nodata': {
        const own = await hostAddresses(ctx, domain);
        return noHosts(
          true,
          makeCheck(
            'mx',
            'mx.none',
            own.addresses.length > 0 ? 'warn' : 'fail',
            {
              message:
                own.addresses.length > 0
                  ? `${domain} has no MX record; replies go to its A/AAAA address (${own.addresses.join(', ')})`
                  : `${domain} has no MX, A or AAAA record: nothing can reply to its mail`,
              remedy: `publish an MX record for ${domain}, e.g. "10 mail.${domain}"`,
              rule: own.addresses.length > 0 ? RULE_MX : RULE_EXISTS,
            },
            { subject: domain, value: 'nodata' },
          ),
        );
      }
      case 'timeout':
      case 'servfail':
      case 'refused':
        return {
          exists: true,
          hosts: undefined,
          addresses,
          checks: [temporaryFailureCheck('mx', `the MX records of ${domain}`, mx.kind, domain)],
        };
      default: {
        const unreachable: never = mx.kind;
        return unreachable;
      }
    }
  }
  const isNull = mx.records.some((r) => r.exchange === '' || r.exchange === '.');
  if (isNull)
    return noHosts(
      true,
      makeCheck(
        'mx',
        'mx.null',
        'fail',
        {
          message: `${domain} publishes a null MX (RFC 7505): it accepts no mail, so mail from it cannot be answered and may be refused`,
          remedy: `if ${domain} sends mail, replace the null MX with your mail servers`,
          rule: RULE_NULL,
        },
        { subject: domain, value: mx.records.map((r) => `${r.priority} ${r.exchange || '.'}`).join(', ') },
      ),
    );
  const hosts = [...new Set(mx.records.map((r) => r.exchange.toLowerCase()))];
  const checks: AuditCheck[] = [
    makeCheck(
      'mx',
      'mx.none',
      'pass',
      {
        message: `${domain} has MX hosts: ${mx.records.map((r) => `${r.priority} ${r.exchange}`).join(', ')}`,
        rule: RULE_MX,
      },
      { subject: domain, value: hosts.join(', ') },
    ),
  ];
  const perHost = await Promise.all(hosts.slice(0, MAX_HOSTS).map((host) => hostChecks(ctx, host, addresses)));
  for (const list of perHost) checks.push(...list);
  return { exists: true, hosts, addresses, checks };
}
