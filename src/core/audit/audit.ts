/**
 * `auditDomain()`: the sending-domain audit (docs/audit.md) — every DNS-visible check of the recommendations in docs/audit.md
 * (PTR, HELO, SPF, DKIM, DMARC, MX) plus the web-form checklist, with the records to publish.
 *
 * Independent lookups run in parallel: MX, the SPF record tree, DMARC, every DKIM selector and every address start
 * at once, and each address's PTR/SPF/HELO work starts as soon as the address is known. Every question is asked
 * once (LookupTracker), so the wall time follows the longest chain of dependent lookups.
 */
import type { CheckContext } from '../context.js';
import type { DnsFailureKind } from '../dns/types.js';
import { canonicalIpText } from '../ip/address.js';
import { organizationalDomainOrSelf, toAsciiDomain } from '../domain/index.js';
import { checkHelo, type HeloResult } from '../helo/check.js';
import { classifyHelo } from '../helo/name.js';
import { checkIprev, type IprevResult } from '../iprev/check.js';
import { checkHost } from '../spf/check-host.js';
import { lintSpf, type SpfLintReport } from '../spf/lint.js';
import { isSpfRecord, parseSpfRecord } from '../spf/parse.js';
import type { SpfResult } from '../spf/types.js';
import { makeCheck, temporaryFailureCheck, worstStatus } from './check.js';
import { auditSelector, noKeyFoundCheck, type SelectorAudit } from './dkim.js';
import { auditDmarc, type DmarcAudit } from './dmarc.js';
import { formsChecklist } from './forms.js';
import { heloChecks, heloMissingCheck } from './helo.js';
import { LookupTracker } from './lookup-tracker.js';
import { auditMx, hostAddresses, type MxAudit } from './mx.js';
import { ptrChecks } from './ptr.js';
import { COMMON_DKIM_SELECTORS } from './selectors.js';
import { spfAddressCheck, spfLintChecks } from './spf.js';
import { datedSelector, suggestDkim, suggestDmarc, suggestPtr, suggestSpf } from './suggestions.js';
import type { AuditArea, AuditCheck, AuditInput, AuditReport, AuditedAddresses, SuggestedRecord } from './types.js';

/** Sending addresses audited at most (given or discovered). */
export const MAX_AUDITED_ADDRESSES = 20;
/** Selectors tried at most. */
export const MAX_SELECTORS = 32;

/** The canonical form of an IP address (dotted quad, RFC 5952 IPv6, IPv4-mapped as IPv4), or undefined. */
export function canonicalAddress(text: string): string | undefined {
  return canonicalIpText(text.trim());
}

/** What was learned about one address. */
interface AddressAudit {
  ip: string;
  iprev: IprevResult;
  spf: SpfResult;
  helo: { result: HeloResult; source: 'given' | 'ptr' } | undefined;
}

const AREA_ORDER: readonly AuditArea[] = ['ptr', 'helo', 'spf', 'dkim', 'dmarc', 'mx', 'forms'];

/** Single addresses among an SPF record's ip4/ip6 terms (networks are listed, not audited). */
function spfLiteralAddresses(txt: string): { ips: { ip: string; term: string }[]; networks: string[] } {
  const parsed = parseSpfRecord(txt);
  const ips: { ip: string; term: string }[] = [];
  const networks: string[] = [];
  if (!parsed.ok) return { ips, networks };
  for (const m of parsed.value.mechanisms) {
    if (m.kind !== 'ip4' && m.kind !== 'ip6') continue;
    if (m.qualifier !== '+') continue;
    const full = m.kind === 'ip4' ? 32 : 128;
    const addressText = m.text.replace(/^\+/, '').slice(4).split('/')[0] ?? '';
    const ip = canonicalAddress(addressText);
    if (m.prefix === full && ip !== undefined) ips.push({ ip, term: m.text });
    else networks.push(m.text);
  }
  return { ips, networks };
}

/**
 * Audits a sending domain. Never throws for bad input or DNS trouble: a name that is not a domain, or one that does
 * not exist, is a failing check; a lookup that fails for now is a `dns.temperror` warning.
 */
export async function auditDomain(ctx: CheckContext, input: AuditInput): Promise<AuditReport> {
  const tracker = new LookupTracker(ctx.resolver, input.onProgress);
  const tctx: CheckContext = { ...ctx, resolver: tracker.resolver };
  const domain = toAsciiDomain(input.domain);
  const givenSelectors = [
    ...new Set((input.selectors ?? []).map((s) => s.trim().toLowerCase()).filter((s) => s !== '')),
  ];
  const selectorSource = givenSelectors.length > 0 ? 'given' : 'common';
  const selectors = (givenSelectors.length > 0 ? givenSelectors : [...COMMON_DKIM_SELECTORS]).slice(0, MAX_SELECTORS);
  const givenIps = [
    ...new Set((input.ips ?? []).map(canonicalAddress).filter((ip): ip is string => ip !== undefined)),
  ].slice(0, MAX_AUDITED_ADDRESSES);
  const addresses: AuditedAddresses = {
    source: givenIps.length > 0 ? 'given' : 'discovered',
    ips: [],
    origins: {},
    skippedNetworks: [],
  };
  const helo = input.helo?.trim();
  const heloGiven = helo !== undefined && helo !== '';

  if (domain === undefined || domain.split('.').length < 2) {
    const checks = [
      makeCheck(
        'mx',
        'mx.nxdomain',
        'fail',
        {
          message: `${JSON.stringify(input.domain)} is not a domain name that can send mail`,
          remedy: 'give the domain of your sender addresses, e.g. example.com',
          rule: 'RFC 1035 §2.3.1, RFC 5321 §2.3.5: a fully qualified domain name',
        },
        { subject: input.domain },
      ),
    ];
    return {
      domain: input.domain,
      result: 'fail',
      domainExists: false,
      checks,
      suggestions: [],
      addresses,
      selectors: { source: selectorSource, tried: [], found: [] },
      heloSource: 'none',
      dns: { queries: 0, criticalPathDepth: 0, answered: 0, temporaryFailures: 0, unreachable: false },
    };
  }

  // Areas that need only the domain, all at once.
  const mxPromise: Promise<MxAudit> = tracker.fork(() => auditMx(tctx, domain));
  const lintPromise: Promise<SpfLintReport> = tracker.fork(() => lintSpf(tctx, domain));
  const dmarcPromise: Promise<DmarcAudit> = tracker.fork(() => auditDmarc(tctx, domain));
  const dkimPromise: Promise<SelectorAudit[]> = Promise.all(
    selectors.map((s) => tracker.fork(() => auditSelector(tctx, domain, s, selectorSource === 'given'))),
  );
  const mxHostsPromise = tracker.fork(async () => {
    const mx = await tctx.resolver.mx(domain);
    return mx.ok ? mx.records.map((r) => r.exchange.toLowerCase()).filter((h) => h !== '' && h !== '.') : undefined;
  });

  // Each address, as soon as it is known.
  const addressAudits = new Map<string, Promise<AddressAudit>>();
  const auditAddress = async (ip: string): Promise<AddressAudit> => {
    // Three independent chains: PTR → its names (→ the PTR name as HELO), the given HELO name, check_host().
    const reverse = tracker.fork(async () => {
      const iprev = await checkIprev(tctx, ip);
      const suggested = heloGiven ? undefined : iprev.names[0];
      if (suggested === undefined) return { iprev, helo: undefined };
      return { iprev, helo: { result: await checkHelo(tctx, { helo: suggested, ip }), source: 'ptr' as const } };
    });
    const given = heloGiven ? tracker.fork(() => checkHelo(tctx, { helo, ip })) : undefined;
    const spf = tracker.fork(() => checkHost(tctx, { ip, domain, sender: `postmaster@${domain}` }));
    const [ptr, spfResult, givenHelo] = await Promise.all([reverse, spf, given]);
    const heloAudit = givenHelo ? { result: givenHelo, source: 'given' as const } : ptr.helo;
    return { ip, iprev: ptr.iprev, spf: spfResult, helo: heloAudit };
  };
  const startAddress = (ip: string, origin?: string) => {
    if (origin !== undefined) (addresses.origins[ip] ??= []).push(origin);
    if (addressAudits.has(ip) || addressAudits.size >= MAX_AUDITED_ADDRESSES) return;
    addresses.ips.push(ip);
    addressAudits.set(
      ip,
      tracker.fork(() => auditAddress(ip)),
    );
  };
  if (givenIps.length > 0) for (const ip of givenIps) startAddress(ip);
  else
    await Promise.all([
      tracker.fork(async () => {
        const hosts = (await mxHostsPromise) ?? [];
        await Promise.all(
          hosts.slice(0, 10).map(async (host) => {
            const found = await hostAddresses(tctx, host);
            for (const address of found.addresses) {
              const ip = canonicalAddress(address);
              if (ip !== undefined) startAddress(ip, `mx:${host}`);
            }
          }),
        );
      }),
      tracker.fork(async () => {
        const txt = await tctx.resolver.txt(domain);
        if (!txt.ok) return;
        const records = txt.records.filter(isSpfRecord);
        if (records.length !== 1) return;
        const literal = spfLiteralAddresses(records[0]!);
        addresses.skippedNetworks.push(...literal.networks);
        for (const { ip, term } of literal.ips) startAddress(ip, `spf:${term}`);
      }),
    ]);

  const [mx, lint, dmarc, dkim, mxHosts, audited] = await Promise.all([
    mxPromise,
    lintPromise,
    dmarcPromise,
    dkimPromise,
    mxHostsPromise,
    Promise.all(addressAudits.values()),
  ]);

  const checks: AuditCheck[] = [];
  const limits = { dns: ctx.limits.spfDnsMechanisms, void: ctx.limits.spfVoidLookups };
  if (audited.length === 0)
    checks.push(
      makeCheck('ptr', 'ptr.no-address', 'info', {
        message:
          addresses.source === 'given'
            ? 'no valid sending address was given'
            : `no sending address found: ${domain} has no MX host addresses and its SPF record lists no single ip4/ip6 address`,
        remedy: 'pass --ip for each address your mail leaves from',
        rule: 'Recommendation 1 (a PTR record for every sending IP): every sending address has a PTR record',
      }),
    );
  for (const a of audited) {
    checks.push(...ptrChecks(a.iprev, domain));
    if (a.helo) checks.push(...heloChecks(a.helo.result, { ip: a.ip, domain, source: a.helo.source, mxHosts }));
    else checks.push(heloMissingCheck(a.ip));
    checks.push(spfAddressCheck(a.spf, a.ip));
  }
  const spfLint = spfLintChecks(lint, limits);
  // With the record missing or broken every address fails for the same reason; keep the record-level finding first.
  checks.push(...spfLint);
  const foundSelectors = dkim.filter((d) => d.found).map((d) => d.selector);
  const dkimChecks = dkim.flatMap((d) => d.checks);
  const dkimUnknown = dkimChecks.filter((c) => c.id === 'dns.temperror');
  if (selectorSource === 'common' && dkimUnknown.length > 1) {
    // Guessed selectors that DNS could not answer are one unknown, not one warning per guess.
    checks.push(...dkimChecks.filter((c) => c.id !== 'dns.temperror'));
    checks.push(
      temporaryFailureCheck(
        'dkim',
        `the DKIM keys at ${dkimUnknown.length} common selectors of ${domain}`,
        dkimUnknown[0]!.value as DnsFailureKind | undefined,
        domain,
      ),
    );
  } else checks.push(...dkimChecks);
  if (selectorSource === 'common' && foundSelectors.length === 0 && !dkim.some((d) => d.checks.length > 0))
    checks.push(noKeyFoundCheck(domain, selectors));
  checks.push(...dmarc.checks);
  checks.push(...mx.checks);
  checks.push(...formsChecklist(domain));
  checks.sort((x, y) => AREA_ORDER.indexOf(x.area) - AREA_ORDER.indexOf(y.area));

  // Suggested records.
  const suggestions: SuggestedRecord[] = [];
  const authorized = new Set(
    audited.filter((a) => a.spf.result === 'pass' && !/^\+?all$/i.test(a.spf.mechanism ?? '')).map((a) => a.ip),
  );
  const spfSuggestion = mx.exists
    ? suggestSpf({
        domain,
        lint,
        ips: audited.map((a) => a.ip),
        authorized,
        hasMx: (mxHosts ?? []).length > 0,
        limit: ctx.limits.spfDnsMechanisms,
      })
    : undefined;
  if (spfSuggestion && lint.tree.outcome !== 'temperror') suggestions.push(spfSuggestion);
  const dmarcSuggestion = mx.exists ? suggestDmarc(domain, dmarc.discovery) : undefined;
  if (dmarcSuggestion) suggestions.push(dmarcSuggestion);
  const needKey = dkim.some((d) => d.needsNewKey) || (selectorSource === 'common' && foundSelectors.length === 0);
  if (needKey && mx.exists) {
    const missingGiven = dkim.find((d) => d.needsNewKey && !d.found && selectorSource === 'given');
    suggestions.push(suggestDkim(domain, missingGiven?.selector ?? datedSelector(ctx.now())));
  }
  const sender = organizationalDomainOrSelf(domain);
  const heloName = heloGiven ? classifyHelo(helo) : undefined;
  const ptrFixes = await Promise.all(
    audited
      .filter((a) => {
        const failing = checks.some(
          (c) =>
            c.subject === a.ip &&
            c.status === 'fail' &&
            (c.id === 'ptr.missing' || c.id === 'ptr.not-confirmed' || c.id === 'ptr.generic'),
        );
        return failing;
      })
      .map((a) =>
        tracker.fork(async () => {
          const mxHost = [...mx.addresses].find(([, list]) => list.some((x) => canonicalAddress(x) === a.ip))?.[0];
          const host =
            heloName?.kind === 'domain' && organizationalDomainOrSelf(heloName.name) === sender
              ? heloName.name
              : (mxHost ?? `mail.${domain}`);
          const found = await hostAddresses(tctx, host);
          return suggestPtr(
            a.ip,
            host,
            found.addresses.some((x) => canonicalAddress(x) === a.ip),
          );
        }),
      ),
  );
  for (const list of ptrFixes) suggestions.push(...list);
  // A fix may only point at a record the report prints: for a domain that does not exist none is suggested yet.
  if (!mx.exists) {
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!;
      if (check.remedy.includes('suggested') && !suggestions.some((x) => x.kind === check.area))
        checks[i] = {
          ...check,
          remedy: `register ${domain} first (it does not exist), then run the audit again for the records to publish`,
        };
    }
  }

  const heloSource = heloGiven ? 'given' : audited.some((a) => a.helo?.source === 'ptr') ? 'ptr' : 'none';
  return {
    domain,
    result: worstStatus(checks),
    domainExists: mx.exists,
    checks,
    suggestions,
    addresses,
    selectors: { source: selectorSource, tried: selectors, found: foundSelectors },
    heloSource,
    dns: {
      queries: tracker.queries,
      criticalPathDepth: tracker.maxDepth,
      answered: tracker.answered,
      temporaryFailures: tracker.temporaryFailures,
      unreachable: tracker.queries > 0 && tracker.answered === 0,
    },
  };
}
