/**
 * Recommendation 1 (a PTR record for every sending IP) for one sending address: a PTR record exists, its name resolves back to the address
 * (forward-confirmed reverse DNS, RFC 8601 §3 iprev), does not look residential or dynamic, and belongs to the
 * sending domain.
 */
import { organizationalDomainOrSelf } from '../domain/index.js';
import type { IprevResult } from '../iprev/check.js';
import { genericNameReason } from '../iprev/generic-name.js';
import { makeCheck, temporaryFailureCheck } from './check.js';
import type { AuditCheck } from './types.js';

const RULE_PTR =
  'Recommendation 1 (a PTR record for every sending IP); RFC 1912 §2.1: every sending address has a PTR record';
const RULE_FCRDNS =
  'Recommendation 1 (a PTR record for every sending IP); RFC 8601 §3 (iprev): the PTR name resolves back to the address';
const RULE_GENERIC =
  'Recommendation 1 (a PTR record for every sending IP): no address numbers or residential-ISP keywords in the PTR name';
const RULE_DOMAIN =
  'Recommendation 1 (a PTR record for every sending IP): the PTR name ideally belongs to the sending domain';

/** The checks of one address's reverse DNS, from its iprev result. */
export function ptrChecks(iprev: IprevResult, domain: string): AuditCheck[] {
  const ip = iprev.ip;
  const subject = { subject: ip };
  if (iprev.result === 'temperror')
    return [temporaryFailureCheck('ptr', `the PTR record of ${ip}`, iprev.dnsError, ip)];
  if (iprev.result === 'permerror')
    return [
      makeCheck(
        'ptr',
        'ptr.missing',
        'fail',
        {
          message: `${ip} has no PTR record (${iprev.dnsError ?? 'no answer'})`,
          remedy: `ask the owner of ${ip} (your hosting provider or ISP) to set a PTR record to your mail server's name, e.g. mail.${domain}`,
          rule: RULE_PTR,
        },
        { ...subject, value: iprev.dnsError },
      ),
    ];
  const checks: AuditCheck[] = [
    makeCheck(
      'ptr',
      'ptr.missing',
      'pass',
      { message: `${ip} has a PTR record: ${iprev.ptrNames.join(', ')}`, rule: RULE_PTR },
      { ...subject, value: iprev.ptrNames.join(', ') },
    ),
  ];
  if (iprev.result === 'fail')
    checks.push(
      makeCheck(
        'ptr',
        'ptr.not-confirmed',
        'fail',
        {
          message: `no PTR name of ${ip} resolves back to it (${iprev.ptrNames.join(', ')})`,
          remedy: `publish an ${ip.includes(':') ? 'AAAA' : 'A'} record ${iprev.ptrNames[0] ?? `mail.${domain}`} → ${ip}, or have the PTR changed to a name that has one`,
          rule: RULE_FCRDNS,
        },
        { ...subject, value: iprev.ptrNames.join(', ') },
      ),
    );
  else
    checks.push(
      makeCheck(
        'ptr',
        'ptr.not-confirmed',
        'pass',
        { message: `${iprev.names.join(', ')} resolves back to ${ip}`, rule: RULE_FCRDNS },
        { ...subject, value: iprev.names.join(', ') },
      ),
    );

  const generic = iprev.ptrNames
    .map((name) => ({ name, reason: genericNameReason(name, ip, organizationalDomainOrSelf(name)) }))
    .find((x) => x.reason !== undefined);
  if (generic?.reason)
    checks.push(
      makeCheck(
        'ptr',
        'ptr.generic',
        'fail',
        {
          message: `the PTR name ${generic.name} looks like a residential or dynamic address (${generic.reason.kind === 'keyword' ? `keyword “${generic.reason.keyword}”` : `the address embedded, ${generic.reason.form}`})`,
          remedy: `send from an address whose PTR is your own server name (mail.${domain}), or relay through your provider's smarthost`,
          rule: RULE_GENERIC,
        },
        { ...subject, value: generic.name },
      ),
    );
  else
    checks.push(
      makeCheck(
        'ptr',
        'ptr.generic',
        'pass',
        { message: `the PTR name does not look residential or dynamic`, rule: RULE_GENERIC },
        { ...subject, value: iprev.ptrNames.join(', ') },
      ),
    );

  const sender = organizationalDomainOrSelf(domain);
  const judged = iprev.names.length > 0 ? iprev.names : iprev.ptrNames;
  const own = judged.find((name) => organizationalDomainOrSelf(name) === sender);
  checks.push(
    own !== undefined
      ? makeCheck(
          'ptr',
          'ptr.foreign-domain',
          'pass',
          { message: `${own} belongs to ${sender}`, rule: RULE_DOMAIN },
          { ...subject, value: own },
        )
      : makeCheck(
          'ptr',
          'ptr.foreign-domain',
          'warn',
          {
            message: `the PTR name ${judged[0] ?? ''} is not in ${sender}`,
            remedy: `if you run this server, have its PTR set to a name in ${domain} (e.g. mail.${domain}); a provider's name is fine when you relay through that provider`,
            rule: RULE_DOMAIN,
          },
          { ...subject, value: judged.join(', ') },
        ),
  );
  if (iprev.ptrNames.length > 1)
    checks.push(
      makeCheck(
        'ptr',
        'ptr.multiple',
        'info',
        {
          message: `${ip} has ${iprev.ptrNames.length} PTR records; receivers may look at any one of them`,
          remedy: 'keep one PTR record per address',
          rule: 'RFC 1912 §2.1; RFC 7208 §5.5 (only some names are looked at)',
        },
        { ...subject, value: iprev.ptrNames.join(', ') },
      ),
    );
  return checks;
}
