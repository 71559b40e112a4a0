/**
 * Recommendation 4 (DKIM signatures and a DMARC policy) (DMARC): a policy record at `_dmarc.domain` or at its Organizational Domain (RFC 7489
 * §6.6.3) that parses, enforces (`p=quarantine`/`reject`) on all mail (`pct=100`), does not weaken the policy for
 * subdomains (`sp`, RFC 9091 `np`), asks for aggregate reports (`rua`), and whose external report addresses have
 * authorized the domain (§7.1).
 */
import type { CheckContext } from '../context.js';
import { discoverDmarcRecord, type DmarcDiscovery } from '../dmarc/discovery.js';
import { isDmarcRecord } from '../dmarc/record.js';
import type { DmarcPolicy, DmarcRecord } from '../dmarc/record.js';
import { organizationalDomainOrSelf, toAsciiDomain } from '../domain/index.js';
import { isTemporary, makeCheck, temporaryFailureCheck } from './check.js';
import type { AuditCheck } from './types.js';

const RULE_RECORD =
  'Recommendation 4 (DKIM signatures and a DMARC policy); RFC 7489 §6.6.3: a DMARC record at _dmarc.domain or the Organizational Domain';
const RULE_SYNTAX = 'RFC 7489 §6.3, §6.4: DMARC record syntax';
const RULE_POLICY = 'RFC 7489 §6.3 p: none only monitors; quarantine or reject protect the domain';
const RULE_PCT = 'RFC 7489 §6.3 pct: the policy applies to pct% of failing mail';
const RULE_SUBDOMAIN = 'RFC 7489 §6.3 sp, RFC 9091 §4.1 np: subdomain policies no weaker than p';
const RULE_RUA = 'RFC 7489 §6.3 rua, §7.2: aggregate reports show who sends as the domain';
const RULE_EXTERNAL = 'RFC 7489 §7.1: an external report address must publish <domain>._report._dmarc.<its domain>';

const STRENGTH: Readonly<Record<DmarcPolicy, number>> = { none: 0, quarantine: 1, reject: 2 };

/** The result of auditing DMARC. */
export interface DmarcAudit {
  checks: AuditCheck[];
  discovery: DmarcDiscovery;
}

/** The domain of a `mailto:` report URI, A-label, or undefined for other schemes. */
function mailtoDomain(uri: string): string | undefined {
  const match = /^mailto:[^@]+@([^?!,]+)/i.exec(uri);
  return match?.[1] !== undefined ? toAsciiDomain(decodeURIComponent(match[1])) : undefined;
}

async function externalReportChecks(
  ctx: CheckContext,
  record: DmarcRecord,
  recordDomain: string,
): Promise<AuditCheck[]> {
  const own = organizationalDomainOrSelf(recordDomain);
  const destinations = new Map<string, string[]>();
  for (const { uri } of [...record.aggregateReportUris, ...record.failureReportUris]) {
    const target = mailtoDomain(uri);
    if (target === undefined || organizationalDomainOrSelf(target) === own) continue;
    const uris = destinations.get(target) ?? [];
    uris.push(uri);
    destinations.set(target, uris);
  }
  return Promise.all(
    [...destinations].slice(0, 10).map(async ([target, uris]) => {
      const name = `${recordDomain}._report._dmarc.${target}`;
      const answer = await ctx.resolver.txt(name);
      if (!answer.ok && isTemporary(answer.kind))
        return temporaryFailureCheck('dmarc', `the report authorization ${name}`, answer.kind, name);
      const authorized = answer.ok && answer.records.some(isDmarcRecord);
      return authorized
        ? makeCheck(
            'dmarc',
            'dmarc.rua-unauthorized',
            'pass',
            { message: `${target} accepts reports for ${recordDomain} (${name})`, rule: RULE_EXTERNAL },
            { subject: name, value: uris.join(', ') },
          )
        : makeCheck(
            'dmarc',
            'dmarc.rua-unauthorized',
            'warn',
            {
              message: `${uris.join(', ')} is outside ${own} and ${name} has no v=DMARC1 record, so receivers will not send reports there`,
              remedy: `ask the operator of ${target} to publish TXT "v=DMARC1" at ${name}, or report to an address in ${own}`,
              rule: RULE_EXTERNAL,
            },
            { subject: name, value: uris.join(', ') },
          );
    }),
  );
}

function recordChecks(record: DmarcRecord, recordDomain: string, forSubdomain: boolean): AuditCheck[] {
  const details = { subject: `_dmarc.${recordDomain}`, record: record.text };
  const checks: AuditCheck[] = [];
  for (const warning of record.warnings)
    checks.push(
      makeCheck(
        'dmarc',
        warning.code,
        'warn',
        {
          message: warning.message,
          remedy: `correct the ${warning.tag} tag (see the suggested record)`,
          rule: RULE_SYNTAX,
        },
        { ...details, value: warning.tag },
      ),
    );
  const applied = forSubdomain ? (record.subdomainPolicy ?? record.policy) : record.policy;
  const tag = forSubdomain && record.subdomainPolicy !== undefined ? 'sp' : 'p';
  checks.push(
    applied === 'none'
      ? makeCheck(
          'dmarc',
          'dmarc.policy-none',
          'warn',
          {
            message: `${tag}=none: failing mail is only reported, not refused`,
            remedy:
              'once the reports show all your senders pass, move to p=quarantine, then p=reject (see the suggested steps)',
            rule: RULE_POLICY,
          },
          { ...details, value: `${tag}=none` },
        )
      : makeCheck(
          'dmarc',
          'dmarc.policy-none',
          'pass',
          { message: `${tag}=${applied}`, rule: RULE_POLICY },
          { ...details, value: `${tag}=${applied}` },
        ),
  );
  checks.push(
    record.pct < 100
      ? makeCheck(
          'dmarc',
          'dmarc.pct',
          'warn',
          {
            message: `pct=${record.pct}: the policy applies to ${record.pct}% of failing mail`,
            remedy: 'raise pct to 100 (or remove it) once the reports are clean',
            rule: RULE_PCT,
          },
          { ...details, value: `pct=${record.pct}` },
        )
      : makeCheck(
          'dmarc',
          'dmarc.pct',
          'pass',
          { message: 'the policy applies to all failing mail', rule: RULE_PCT },
          { ...details, value: 'pct=100' },
        ),
  );
  const weaker: string[] = [];
  if (record.subdomainPolicy !== undefined && STRENGTH[record.subdomainPolicy] < STRENGTH[record.policy])
    weaker.push(`sp=${record.subdomainPolicy}`);
  if (record.nonexistentPolicy !== undefined && STRENGTH[record.nonexistentPolicy] < STRENGTH[record.policy])
    weaker.push(`np=${record.nonexistentPolicy}`);
  if (weaker.length > 0)
    checks.push(
      makeCheck(
        'dmarc',
        'dmarc.weaker-subdomain-policy',
        'warn',
        {
          message: `${weaker.join(', ')} is weaker than p=${record.policy}: spoofed subdomains get less protection`,
          remedy: `remove ${weaker.map((w) => w.split('=')[0]).join(' and ')} or set it to ${record.policy}`,
          rule: RULE_SUBDOMAIN,
        },
        { ...details, value: weaker.join(', ') },
      ),
    );
  else if (record.subdomainPolicy !== undefined || record.nonexistentPolicy !== undefined)
    checks.push(
      makeCheck(
        'dmarc',
        'dmarc.weaker-subdomain-policy',
        'pass',
        { message: `subdomain policies are no weaker than p=${record.policy}`, rule: RULE_SUBDOMAIN },
        details,
      ),
    );
  const rua = record.aggregateReportUris.map((u) => u.uri);
  checks.push(
    rua.length === 0
      ? makeCheck(
          'dmarc',
          'dmarc.no-rua',
          'warn',
          {
            message: 'no rua: you get no aggregate reports, so you cannot see who sends as your domain',
            remedy: `add rua=mailto:dmarc-reports@${recordDomain} (see the suggested record)`,
            rule: RULE_RUA,
          },
          details,
        )
      : makeCheck(
          'dmarc',
          'dmarc.no-rua',
          'pass',
          { message: `aggregate reports go to ${rua.join(', ')}`, rule: RULE_RUA },
          { ...details, value: rua.join(', ') },
        ),
  );
  return checks;
}

/** Finds and audits the DMARC record of `domain`. */
export async function auditDmarc(ctx: CheckContext, domain: string): Promise<DmarcAudit> {
  const discovery = await discoverDmarcRecord(ctx, domain);
  const remedy = `publish the suggested DMARC record as TXT at _dmarc.${domain}`;
  switch (discovery.kind) {
    case 'temperror':
      return {
        discovery,
        checks: [temporaryFailureCheck('dmarc', `the DMARC record (${discovery.name})`, discovery.dns, discovery.name)],
      };
    case 'none':
      return {
        discovery,
        checks: [
          discovery.reason === 'multiple-records'
            ? makeCheck(
                'dmarc',
                'dmarc.multiple-records',
                'fail',
                {
                  message: `${discovery.name} has several DMARC records, so none applies`,
                  remedy: 'keep exactly one',
                  rule: RULE_RECORD,
                },
                { subject: discovery.name },
              )
            : makeCheck(
                'dmarc',
                'dmarc.none',
                'fail',
                { message: `no DMARC record at ${discovery.queried.join(' or ')}`, remedy, rule: RULE_RECORD },
                { subject: discovery.name },
              ),
        ],
      };
    case 'invalid':
      return {
        discovery,
        checks: [
          makeCheck(
            'dmarc',
            'dmarc.permerror',
            'fail',
            {
              message: `the DMARC record at _dmarc.${discovery.recordDomain} is unusable: ${discovery.error.message}`,
              remedy,
              rule: RULE_SYNTAX,
            },
            { subject: `_dmarc.${discovery.recordDomain}`, record: discovery.text },
          ),
        ],
      };
    case 'found': {
      const where = discovery.atOrganizationalDomain
        ? `found at the Organizational Domain: _dmarc.${discovery.recordDomain}`
        : `_dmarc.${discovery.recordDomain}`;
      const checks: AuditCheck[] = [
        makeCheck(
          'dmarc',
          'dmarc.none',
          'pass',
          { message: `DMARC record ${where}`, rule: RULE_RECORD },
          { subject: `_dmarc.${discovery.recordDomain}`, record: discovery.record.text, value: discovery.recordDomain },
        ),
        ...recordChecks(discovery.record, discovery.recordDomain, discovery.atOrganizationalDomain),
        ...(await externalReportChecks(ctx, discovery.record, discovery.recordDomain)),
      ];
      return { discovery, checks };
    }
    default: {
      const unreachable: never = discovery;
      return unreachable;
    }
  }
}
