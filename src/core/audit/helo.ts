/**
 * Recommendation 2 (a HELO name that resolves to the sending IP) for one sending address: the HELO/EHLO name is a fully qualified name that resolves
 * (RFC 5321 §2.3.5, §4.1.1.1), to the sending address, in the sending domain, and one of the domain's MX hosts;
 * never `localhost`, a bare IP, a special-use name or a name that does not exist.
 */
import { organizationalDomainOrSelf } from '../domain/index.js';
import type { HeloFinding, HeloResult } from '../helo/check.js';
import { classifyHelo } from '../helo/name.js';
import { makeCheck, temporaryFailureCheck } from './check.js';
import type { AuditCheck } from './types.js';

const RULE_RESOLVABLE =
  'Recommendation 2 (a HELO name that resolves to the sending IP); RFC 5321 §2.3.5, §4.1.1.1: the HELO name is a resolvable fully qualified name';
const RULE_MATCH =
  'Recommendation 2 (a HELO name that resolves to the sending IP): the HELO name resolves to the sending address';
const RULE_DOMAIN =
  'Recommendation 2 (a HELO name that resolves to the sending IP): the HELO name belongs to the sending domain';
const RULE_MX =
  'Recommendation 2 (a HELO name that resolves to the sending IP): the HELO name matches an MX record of the domain';

/** What is wrong, per failing HELO finding. */
function failureText(finding: HeloFinding, name: string, ip: string): { message: string; remedy: string } {
  const fix = `greet with your server's own name, e.g. EHLO mail.<your domain>, which has an A/AAAA record → ${ip}`;
  switch (finding) {
    case 'helo.missing':
      return { message: 'no HELO name', remedy: fix };
    case 'helo.not-fqdn':
      return { message: `HELO ${name} is not a fully qualified domain name`, remedy: fix };
    case 'helo.bare-ip':
      return { message: `HELO ${name} is a bare IP address, not a name`, remedy: fix };
    case 'helo.literal-mismatch':
      return { message: `HELO ${name} is an address literal that is not the sending address ${ip}`, remedy: fix };
    case 'helo.localhost':
      return { message: `HELO ${name} is localhost`, remedy: fix };
    case 'helo.special-use':
      return {
        message: `HELO ${name} is under a special-use or private suffix that does not exist in DNS`,
        remedy: fix,
      };
    case 'helo.nxdomain':
      return { message: `HELO ${name} does not exist (NXDOMAIN)`, remedy: fix };
    case 'helo.unresolvable':
      return { message: `HELO ${name} has no A, AAAA or MX record`, remedy: fix };
    case 'helo.ip-mismatch':
    case 'helo.foreign-domain':
    case 'helo.not-mx':
      return { message: `HELO ${name}: ${finding}`, remedy: fix };
    default: {
      const unreachable: never = finding;
      return unreachable;
    }
  }
}

/** What the HELO checks need besides the check result. */
export interface HeloAuditInput {
  ip: string;
  domain: string;
  /** `given` (--helo) or `ptr` (the address's PTR name, checked as the name to use). */
  source: 'given' | 'ptr';
  /** The domain's MX hosts, when known. */
  mxHosts: readonly string[] | undefined;
}

/** The checks of one address's HELO name, from its HELO check result. */
export function heloChecks(result: HeloResult, input: HeloAuditInput): AuditCheck[] {
  const { ip, domain } = input;
  const name = result.name;
  const subject = ip;
  const from =
    input.source === 'ptr' ? ` (the PTR name of ${ip}, suggested as the HELO name; pass --helo to check yours)` : '';
  if (result.result === 'temperror') return [temporaryFailureCheck('helo', `HELO ${name}`, result.dnsError, subject)];
  if (result.result === 'fail') {
    const finding = result.findings[0] ?? 'helo.unresolvable';
    const text = failureText(finding, name, ip);
    return [
      makeCheck(
        'helo',
        finding,
        'fail',
        { ...text, message: text.message + from, rule: RULE_RESOLVABLE },
        { subject, value: name },
      ),
    ];
  }
  const checks: AuditCheck[] = [
    makeCheck(
      'helo',
      'helo.unresolvable',
      'pass',
      {
        message: `HELO ${name} is a fully qualified name that resolves${from}`,
        rule: RULE_RESOLVABLE,
      },
      { subject, value: result.addresses.join(', ') || name },
    ),
  ];
  checks.push(
    result.matchesClient
      ? makeCheck(
          'helo',
          'helo.ip-mismatch',
          'pass',
          { message: `HELO ${name} resolves to ${ip}`, rule: RULE_MATCH },
          { subject },
        )
      : makeCheck(
          'helo',
          'helo.ip-mismatch',
          'warn',
          {
            message: `HELO ${name} does not resolve to the sending address ${ip}`,
            remedy: `publish ${ip.includes(':') ? 'AAAA' : 'A'} ${name} → ${ip}, or greet with the name that has it`,
            rule: RULE_MATCH,
          },
          { subject, value: result.addresses.join(', ') },
        ),
  );
  const syntax = classifyHelo(name);
  if (syntax.kind !== 'domain') return checks;
  const org = organizationalDomainOrSelf(syntax.name);
  const sender = organizationalDomainOrSelf(domain);
  checks.push(
    org === sender
      ? makeCheck(
          'helo',
          'helo.foreign-domain',
          'pass',
          { message: `HELO ${name} is in ${sender}`, rule: RULE_DOMAIN },
          { subject },
        )
      : makeCheck(
          'helo',
          'helo.foreign-domain',
          'warn',
          {
            message: `HELO ${name} belongs to ${org}, not to ${sender}`,
            remedy: `greet with a name in ${domain} (e.g. mail.${domain}), unless you relay through ${org}`,
            rule: RULE_DOMAIN,
          },
          { subject, value: org },
        ),
  );
  if (input.mxHosts !== undefined) {
    const isMx = input.mxHosts.includes(syntax.name);
    checks.push(
      isMx
        ? makeCheck(
            'helo',
            'helo.not-mx',
            'pass',
            { message: `HELO ${name} is an MX host of ${domain}`, rule: RULE_MX },
            { subject },
          )
        : makeCheck(
            'helo',
            'helo.not-mx',
            'warn',
            {
              message: `HELO ${name} is not among the MX hosts of ${domain} (${input.mxHosts.join(', ') || 'none'})`,
              remedy: `greet with the name of an MX host, or add ${name} as an MX host if it also receives mail`,
              rule: RULE_MX,
            },
            { subject, value: input.mxHosts.join(', ') },
          ),
    );
  }
  return checks;
}

/** The check when there is no HELO name to audit for an address. */
export function heloMissingCheck(ip: string): AuditCheck {
  return makeCheck(
    'helo',
    'helo.missing',
    'info',
    {
      message: `no HELO name given, and ${ip} has no forward-confirmed PTR name to suggest one`,
      remedy: 'pass --helo NAME (the name your server greets with) to check it',
      rule: RULE_RESOLVABLE,
    },
    { subject: ip },
  );
}
