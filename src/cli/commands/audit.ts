/**
 * `mailtrust audit DOMAIN [--ip IP]… [--helo NAME] [--selector S]…` (docs/audit.md): the sender-readiness
 * report, grouped by the recommendations (docs/audit.md#recommendations), with the records to publish.
 */
import { performance } from 'node:perf_hooks';
import {
  auditDomain,
  auditReportJson,
  canonicalAddress,
  defaultLimits,
  toAsciiDomain,
  type AuditArea,
  type AuditCheck,
  type AuditReport,
  type AuditStatus,
  type SuggestedRecord,
} from '../../core/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { stringListOption, stringOption } from '../options.js';

const help = `Usage: mailtrust audit DOMAIN [--ip IP]… [--helo NAME] [--selector S]… [--json]

Checks whether DOMAIN is ready to send mail that receivers trust, following the
recommendations of docs/audit.md: PTR records of the sending addresses (1), the HELO/EHLO name (2), SPF (3),
DKIM and DMARC (4), the MX records, and the checklist for web forms and scripts. Each check
says pass/warn/fail, the value found, the rule (RFC section) and the fix, and the report ends
with the records to publish: an SPF record built from the addresses and the mechanisms already
present (within 10 lookups), a DMARC record and the way to p=reject, the DKIM key record
(mailtrust dkim keygen makes it), and the PTR record to ask the address owner for.

Options:
  --ip IP          a sending address (repeat for each). Without --ip, the addresses of the
                   domain's MX hosts and the single ip4:/ip6: addresses of its SPF record are audited
  --helo NAME      the name your server greets with (EHLO). Without it, each address's PTR name
                   is checked as the name to use
  --selector S     a DKIM selector you sign with (repeat for each). Without it, a list of common
                   selectors is tried: DNS cannot list selectors (see docs/audit.md)
  --json           print { domain, result, checks, suggestions, addresses, selectors, dns }

Lookups run in parallel; a progress line shows on stderr when it is a terminal (not with --json).
Use --zone FILE (with --dns) to audit records before you publish them.

Exit codes: 0 all pass · 1 warnings · 2 failures · 75 DNS unreachable · 64 usage error

Examples:
  mailtrust audit example.com --ip 192.0.2.10 --helo mail.example.com --selector s2026
  mailtrust audit example.com --zone new-records.zone --dns 192.0.2.53 --json`;

/** Headings of the report, in the order of the recommendations (docs/audit.md#recommendations). */
const SECTIONS: readonly { title: string; areas: readonly AuditArea[] }[] = [
  { title: 'Recommendation 1: a PTR record for every sending IP', areas: ['ptr'] },
  { title: 'Recommendation 2: a HELO name that resolves to the sending IP', areas: ['helo'] },
  { title: 'Recommendation 3: an SPF record that authorizes every sending IP', areas: ['spf'] },
  { title: 'Recommendation 4: DKIM signatures and a DMARC policy', areas: ['dkim', 'dmarc'] },
  { title: 'A sender domain that exists: domain and MX records', areas: ['mx'] },
  {
    title: 'Recommendation 5: best practices for scripts and web forms (a checklist: DNS cannot show these)',
    areas: ['forms'],
  },
];

const MARK: Readonly<Record<AuditStatus, string>> = { pass: '[ok]  ', warn: '[warn]', fail: '[FAIL]', info: '[info]' };

/** Exit code of a report (docs/cli.md): 0 all pass · 1 warnings · 2 failures · 75 DNS unreachable. */
export function auditExitCode(report: AuditReport): ExitCodeValue {
  if (report.dns.unreachable) return ExitCode.tempFail;
  switch (report.result) {
    case 'pass':
      return ExitCode.ok;
    case 'warn':
      return ExitCode.warn;
    case 'fail':
      return ExitCode.fail;
    default: {
      const unreachable: never = report.result;
      return unreachable;
    }
  }
}

function count(checks: readonly AuditCheck[], status: AuditStatus): number {
  return checks.filter((c) => c.status === status).length;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The verdict line: what the report says in one line. */
function verdictLine(report: AuditReport): string {
  const fails = count(report.checks, 'fail');
  const warns = count(report.checks, 'warn');
  // The same word as the JSON's `result` (pass | warn | fail): unchecked is a warning there, with dns.unreachable.
  if (report.dns.unreachable)
    return `${report.result.toUpperCase()} ${report.domain}: DNS did not answer (${report.dns.temporaryFailures} of ${report.dns.queries} lookups failed), so nothing could be checked`;
  if (!report.domainExists) return `FAIL ${report.domain}: the domain does not exist; mail from it is not trusted`;
  switch (report.result) {
    case 'pass':
      return `PASS ${report.domain} is ready to send trusted mail: every check passes`;
    case 'warn':
      return `WARN ${report.domain} can send, with ${plural(warns, 'warning')} to fix`;
    case 'fail':
      return `FAIL ${report.domain} is not ready: ${plural(fails, 'failure')}${warns > 0 ? `, ${plural(warns, 'warning')}` : ''}`;
    default: {
      const unreachable: never = report.result;
      return unreachable;
    }
  }
}

function checkLines(check: AuditCheck): string[] {
  const about = check.subject !== undefined && !check.message.includes(check.subject) ? `${check.subject}: ` : '';
  const lines = [`  ${MARK[check.status]} ${about}${check.message}`];
  if (check.status === 'warn' || check.status === 'fail') {
    if (check.record !== undefined) lines.push(`         record: ${check.record}`);
    lines.push(`         rule:   ${check.rule}`);
    if (check.remedy !== '') lines.push(`         fix:    ${check.remedy}`);
    lines.push(`         id:     ${check.id}`);
  } else if (check.status === 'info' && check.remedy !== '') {
    lines.push(`         ${check.remedy}`);
  }
  return lines;
}

function suggestionLines(s: SuggestedRecord): string[] {
  // RDATA as a zone file wants it: TXT as quoted strings, a PTR target absolute (RFC 1035 §5.1: a name without the
  // trailing dot is relative to the zone's origin, so a pasted PTR would point at NAME.<origin>).
  const quoted =
    s.type === 'TXT'
      ? (s.strings ?? [s.value]).map((x) => JSON.stringify(x)).join(' ')
      : s.type === 'PTR' && !s.value.endsWith('.')
        ? `${s.value}.`
        : s.value;
  const lines = [`  ${s.kind.toUpperCase()}: ${s.name}. IN ${s.type} ${quoted}`, `       ${s.note}`];
  if (s.steps && s.steps.length > 1) {
    lines.push('       the way to p=reject:');
    s.steps.forEach((step, i) => lines.push(`         ${i + 1}. ${step}`));
  }
  return lines;
}

/** The readable report: verdict first, then one section per recommendation, then the records to publish. */
export function auditText(report: AuditReport, wallMs: number): string {
  const lines = [verdictLine(report)];
  const a = report.addresses;
  if (a.source === 'given') lines.push(`addresses: ${a.ips.join(', ')} (given with --ip)`);
  else {
    const shown = a.ips.map((ip) => `${ip} (${(a.origins[ip] ?? []).join(', ')})`).join(', ');
    lines.push(
      `addresses: ${shown || 'none found'} — no --ip given, so the MX hosts' addresses and the SPF record's single ip4/ip6 addresses are audited; pass --ip for the addresses your mail really leaves from`,
    );
    if (a.skippedNetworks.length > 0)
      lines.push(`  SPF networks not audited address by address: ${a.skippedNetworks.join(' ')}`);
  }
  const sel = report.selectors;
  lines.push(
    sel.source === 'given'
      ? `DKIM selectors: ${sel.tried.join(', ')} (given with --selector)`
      : `DKIM selectors: tried ${sel.tried.length} common selectors (${sel.tried.join(', ')}) because DNS cannot list selectors; found: ${sel.found.join(', ') || 'none'}. Pass --selector for yours`,
  );
  if (report.heloSource === 'ptr')
    lines.push('HELO: no --helo given, so each address’s PTR name is checked as the name to greet with');
  for (const section of SECTIONS) {
    const checks = report.checks.filter((c) => section.areas.includes(c.area));
    if (checks.length === 0) continue;
    lines.push('', section.title);
    for (const check of checks) lines.push(...checkLines(check));
  }
  if (report.suggestions.length > 0) {
    lines.push('', 'Records to publish (zone-file lines):');
    for (const s of report.suggestions) lines.push(...suggestionLines(s));
  }
  lines.push(
    '',
    `DNS: ${plural(report.dns.queries, 'query', 'queries')}, ${Math.round(wallMs)} ms, critical path ${plural(report.dns.criticalPathDepth, 'lookup')} deep${report.dns.temporaryFailures > 0 ? `, ${report.dns.temporaryFailures} failed for now` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

/** `mailtrust audit`: the sender-readiness report. */
export const auditCommand: Command = {
  name: 'audit',
  summary: 'is a sending domain ready? PTR, HELO, SPF, DKIM, DMARC, MX, with the records to publish',
  help,
  options: {
    ip: { type: 'string', multiple: true },
    helo: { type: 'string' },
    selector: { type: 'string', multiple: true },
  },
  async run(values, positionals, env) {
    const [domainText, extra] = positionals;
    if (domainText === undefined || domainText.trim() === '')
      throw new UsageError('audit: DOMAIN is required, e.g. mailtrust audit example.com (see mailtrust audit --help)');
    if (extra !== undefined)
      throw new UsageError(`audit: unexpected argument ${JSON.stringify(extra)} (one DOMAIN per run)`);
    const domain = toAsciiDomain(domainText.trim());
    if (domain === undefined || !domain.includes('.'))
      throw new UsageError(`audit: ${JSON.stringify(domainText)} is not a domain name (give e.g. example.com)`);
    const ips: string[] = [];
    for (const text of stringListOption(values, 'ip')) {
      const ip = canonicalAddress(text);
      if (ip === undefined) throw new UsageError(`audit: --ip ${JSON.stringify(text)} is not an IPv4 or IPv6 address`);
      ips.push(ip);
    }
    const heloValue = stringOption(values, 'helo');
    if (heloValue !== undefined && heloValue.trim() === '')
      throw new UsageError('audit: --helo needs a name (the name your server greets with)');
    const selectors = stringListOption(values, 'selector');
    for (const s of selectors)
      if (!/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(s))
        throw new UsageError(`audit: --selector ${JSON.stringify(s)} is not a selector (letters, digits, - _ .)`);

    const progress = env.io.interactive && !env.json;
    let shown = false;
    const started = performance.now();
    const report = await auditDomain(
      { resolver: env.resolver, now: env.now, limits: { ...defaultLimits } },
      {
        domain,
        ips,
        selectors,
        ...(typeof heloValue === 'string' ? { helo: heloValue } : {}),
        ...(progress
          ? {
              onProgress: ({ queries, pending }: { queries: number; pending: number }) => {
                shown = true;
                env.io.stderr(`\rmailtrust audit ${domain}: ${queries} lookups, ${pending} pending\x1b[K`);
              },
            }
          : {}),
      },
    );
    const wallMs = performance.now() - started;
    if (shown) env.io.stderr('\r\x1b[K');
    if (env.json) env.io.stdout(`${JSON.stringify(auditReportJson(report, wallMs), null, 2)}\n`);
    else env.io.stdout(auditText(report, wallMs));
    const code = auditExitCode(report);
    if (code === ExitCode.tempFail)
      env.io.stderr(
        `mailtrust: audit: DNS did not answer (${report.dns.temporaryFailures} of ${report.dns.queries} lookups failed); check --dns or the network, then retry\n`,
      );
    return code;
  },
};
