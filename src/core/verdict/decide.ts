/**
 * The trust verdict (docs/trust-model.md, trust model v1): every check's result → `trusted | low | untrusted`, with the
 * reasons (finding id, level, message, remedy) and whether a retry may change it. Pure and synchronous.
 *
 * Terms. *Aligned*: the domain's organizational domain is the From domain's (relaxed), or the same name where DMARC
 * says strict (RFC 7489 §3.1). *Sender authenticated*: DMARC `pass`; or, where DMARC gives no answer (`none`, and
 * also `permerror`/`temperror`), an SPF `pass` for an aligned MAIL FROM domain or a DKIM `pass` with an aligned `d=`.
 * Authentication is judged on the local results, or, for mail from a trusted forwarder, on the results it
 * recorded in ARC (../forwarding).
 */
import {
  detectForwarding,
  hasAlignedDkimPass,
  hasAlignedSpfPass,
  mailFromDomain,
  type ForwardingResult,
  type ForwardingSignal,
  type ViewDkim,
} from '../forwarding/index.js';
import { organizationalDomainOrSelf } from '../domain/index.js';
import type { GenericNameReason } from '../iprev/generic-name.js';
import { isFindingId, policyLevel, type FindingLevel, type Policy } from '../policy/index.js';
import {
  displayFieldName,
  FINDINGS,
  FINDING_ORDER,
  HEADER_REASON_TEXT,
  type ReasonDetail,
  type ReasonFacts,
} from './catalogue.js';
import type { VerdictInput } from './input.js';
import { senderRelations } from './sender-relations.js';

/** One reason of the verdict (docs/cli.md `reasons`). */
export interface Reason {
  id: string;
  level: FindingLevel;
  message: string;
  remedy: string;
}

/** The verdict (docs/cli.md `verdict`, `retryable`, `reasons`). */
export interface Verdict {
  verdict: 'trusted' | 'low' | 'untrusted';
  /** True when a DNS temperror kept the verdict from `trusted`: a retry may decide otherwise. */
  retryable: boolean;
  /** untrusted first, then low, then info; within a level in the order of the finding table. */
  reasons: Reason[];
}

const LEVEL_RANK: Readonly<Record<FindingLevel, number>> = { untrusted: 0, low: 1, info: 2 };

/** DKIM error codes that name a finding of their own (docs/trust-model.md), other than body-hash/signature. */
const DKIM_ERROR_FINDINGS: Readonly<Record<string, string>> = {
  'dkim.key-missing': 'dkim.key-missing',
  'dkim.key-revoked': 'dkim.key-revoked',
  'dkim.key-too-short': 'dkim.key-too-short',
  'dkim.rsa-sha1': 'dkim.rsa-sha1',
  'dkim.expired': 'dkim.expired',
  'dkim.from-not-signed': 'dkim.from-not-signed',
  'dkim.syntax': 'dkim.syntax',
  'dkim.key-syntax': 'dkim.syntax',
  'dkim.key-type': 'dkim.syntax',
};

const DMARC_ERROR_TEXT: Readonly<Record<string, string>> = {
  'dmarc.multiple-records': 'it publishes more than one record',
  'dmarc.policy-missing': 'the record has no valid p= tag',
};

const BROKEN_REASON: Readonly<Record<string, string>> = {
  'dkim.body-hash': 'the body was changed after signing',
  'dkim.signature': 'a signed header field was changed after signing, or the key does not match',
};

/** A signature that failed verification (RFC 6376 §6.1.3): bad signature or body hash mismatch. */
const failsVerification = (s: ViewDkim) =>
  s.result === 'fail' &&
  (s.errorCode === undefined || s.errorCode === 'dkim.body-hash' || s.errorCode === 'dkim.signature');

function describeGeneric(reason: GenericNameReason, ip: string): string {
  switch (reason.kind) {
    case 'embedded-ip':
      return `it contains the address ${ip}, ${reason.form}`;
    case 'keyword':
      return `"${reason.keyword}" marks dynamic or residential address pools`;
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

function describeSignal(signal: ForwardingSignal): string {
  switch (signal.kind) {
    case 'srs':
      return `SRS reverse-path ${signal.mailFrom}`;
    case 'arc':
      return `${signal.instances} ARC set${signal.instances === 1 ? '' : 's'}${signal.sealDomain ? `, first sealed by ${signal.sealDomain}` : ''}`;
    case 'envelope':
      return `SPF fails for the ${signal.identity === 'mailfrom' ? 'MAIL FROM' : 'HELO'} domain ${signal.domain}, which is not the From domain's`;
    case 'hint':
      return `${signal.source}: ${signal.detail}`;
    default: {
      const unreachable: never = signal;
      return unreachable;
    }
  }
}

function describeRecorded(forwarding: ForwardingResult): string {
  const recorded = forwarding.recorded;
  if (!recorded) return 'no results recorded';
  const parts: string[] = [];
  if (recorded.dmarc) parts.push(`dmarc=${recorded.dmarc.result}`);
  if (recorded.spf) parts.push(`spf=${recorded.spf.result} for ${recorded.spf.domain}`);
  for (const d of recorded.dkim) parts.push(`dkim=${d.result} for ${d.domain}`);
  return parts.length > 0 ? `it recorded ${parts.join(', ')}` : 'it recorded no SPF, DKIM or DMARC result';
}

/**
 * Decides the verdict for one message under `policy` (docs/trust-model.md). Pure; never throws.
 *
 * untrusted: `sender.spoofed`, `spf.fail`, `dkim.fail`, `headers.domain-nxdomain`/`-unresolvable`,
 * `headers.from-missing`/`-multiple`/`-invalid`. low: `sender.unauthenticated`, `ptr.missing`/`not-confirmed`/
 * `generic`, the HELO findings, the header formatting findings, `dns.temperror`. Everything else is reported at
 * level info. `policy.levels` overrides any finding's level.
 */
export function decideVerdict(input: VerdictInput, policy: Policy): Verdict {
  const found = new Findings();
  const auth = authenticationOf(input, policy);
  // In this order: the first detail of a finding is kept, and the DNS troubles are listed as met.
  senderFindings(found, auth);
  spfFindings(found, input, auth);
  dkimFindings(found, input, auth);
  dmarcFindings(found, input, auth);
  serverFindings(found, input, policy, auth);
  headerFindings(found, input);
  forwardingFindings(found, input, auth);
  if (found.temporary.length > 0) found.add('dns.temperror', { names: found.temporary });
  return verdictOf(found, input, policy, auth);
}

/** The findings of one message so far, and the DNS lookups that failed for now. */
class Findings {
  readonly details = new Map<string, ReasonDetail>();
  /** What a temporary DNS failure kept from being known, for `dns.temperror`. */
  readonly temporary: string[] = [];

  /** Records a finding; a finding already recorded keeps its first detail. */
  add(id: string, detail: ReasonDetail = {}): void {
    if (!this.details.has(id)) this.details.set(id, detail);
  }
}

/** What the authentication checks say of the sender, on the local results or a trusted forwarder's record. */
interface Authentication {
  forwarding: ForwardingResult;
  view: ForwardingResult['authentication'];
  fromDomain: string | undefined;
  mailDomain: string | undefined;
  alignedDkimPass: boolean;
  /** SPF checked the MAIL FROM, or the HELO name of a null sender. */
  spfForSender: boolean;
  authenticated: boolean;
}

/** Authentication (RFC 7208, RFC 6376, RFC 7489), on the local results or a trusted forwarder's record. */
function authenticationOf(input: VerdictInput, policy: Policy): Authentication {
  const mailDomain = mailFromDomain(input.envelope.mailFrom);
  const forwarding = detectForwarding(input, policy);
  const view = forwarding.authentication;
  const alignedDkimPass = hasAlignedDkimPass(view);
  const dmarc = view.dmarc.result;
  const spf = view.spf;
  // SPF speaks for the sender when it checked the MAIL FROM, or the HELO name of a null sender (RFC 7208 §2.4,
  // RFC 7489 §3.1.2); a HELO check beside a real MAIL FROM does not.
  const spfForSender = spf !== undefined && (spf.identity === 'mailfrom' || mailDomain === undefined);
  const authenticated =
    dmarc === 'pass' || (dmarc !== 'fail' && ((spfForSender && hasAlignedSpfPass(view)) || alignedDkimPass));
  return {
    forwarding,
    view,
    fromDomain: view.fromDomain,
    mailDomain,
    alignedDkimPass,
    spfForSender,
    authenticated,
  };
}

/** `sender.spoofed` or `sender.unauthenticated` (RFC 7489 §6.6.2). */
function senderFindings(found: Findings, auth: Authentication): void {
  const { view, alignedDkimPass, spfForSender, authenticated } = auth;
  const dmarc = view.dmarc.result;
  const spf = view.spf;
  if (dmarc === 'fail') found.add('sender.spoofed', { result: 'dmarc', policy: view.dmarc.policy });
  else if (dmarc === 'none' && spfForSender && spf?.result === 'fail' && spf.aligned && !alignedDkimPass)
    found.add('sender.spoofed', { result: 'spf' });
  // When DNS trouble kept a check from answering, whether the sender is authenticated is unknown, not false: the
  // temporary-failure finding says so, and a retry decides.
  else if (!authenticated && !authenticationUnknown(view)) found.add('sender.unauthenticated');
}

/** The `spf.*` findings (RFC 7208 §2.6). */
function spfFindings(found: Findings, input: VerdictInput, auth: Authentication): void {
  const { alignedDkimPass, spfForSender } = auth;
  const spf = auth.view.spf;
  if (!spf) return;
  const detail: ReasonDetail = { domain: spf.domain };
  if (spf.mechanism !== undefined) detail.mechanism = spf.mechanism;
  switch (spf.result) {
    case 'fail':
      // The MAIL FROM identity, or the HELO identity of a null sender (RFC 7208 §2.4).
      if (alignedDkimPass) found.add('spf.ip-not-authorized', { ...detail, result: 'dkim' });
      else if (spfForSender) found.add('spf.fail', detail);
      else found.add('spf.ip-not-authorized', { ...detail, result: 'helo' });
      break;
    case 'softfail':
      found.add('spf.softfail', detail);
      break;
    case 'neutral':
      found.add('spf.neutral', detail);
      break;
    case 'none':
      found.add('spf.none', detail);
      break;
    case 'permerror': {
      const code = spf.source === 'local' ? input.spf?.error?.code : undefined;
      found.add(code !== undefined && code.startsWith('spf.') && isFindingId(code) ? code : 'spf.permerror', detail);
      break;
    }
    case 'temperror':
      // A forwarder's recorded temperror does not change on a retry here.
      if (spf.source === 'local') found.temporary.push(`SPF record of ${spf.domain}`);
      break;
    default:
      break;
  }
}

/** The `dkim.*` findings (RFC 6376 §6.1). */
function dkimFindings(found: Findings, input: VerdictInput, auth: Authentication): void {
  const { view, forwarding, alignedDkimPass, fromDomain } = auth;
  const failing = view.dkim.filter(failsVerification);
  if (failing.length > 0 && !alignedDkimPass) {
    const first = failing.find((s) => s.aligned) ?? failing[0]!;
    found.add('dkim.fail', {
      domain: first.domain,
      selector: first.selector,
      reason: BROKEN_REASON[first.errorCode ?? ''] ?? 'the signature does not verify',
    });
  } else {
    for (const s of failing) {
      const broken = forwarding.brokenSignatures.some((b) => b.domain === s.domain && b.selector === s.selector);
      if (!broken && s.errorCode !== undefined) found.add(s.errorCode, { domain: s.domain, selector: s.selector });
    }
  }
  for (const signature of input.dkim) {
    const detail: ReasonDetail = { domain: signature.domain, selector: signature.selector };
    const code = signature.error?.code;
    if (signature.result === 'temperror') {
      found.temporary.push(`DKIM key ${signature.selector}._domainkey.${signature.domain}`);
    } else if (code !== undefined && DKIM_ERROR_FINDINGS[code] !== undefined) {
      found.add(DKIM_ERROR_FINDINGS[code], code === DKIM_ERROR_FINDINGS[code] ? detail : { ...detail, reason: code });
    }
    if (signature.testing === true) found.add('dkim.testing', detail);
  }
  if (view.dkim.length === 0) found.add('dkim.none');
  else if (fromDomain !== undefined && !alignedDkimPass) {
    const passing = view.dkim.filter((s) => s.result === 'pass').map((s) => s.domain);
    if (passing.length > 0) found.add('dkim.unaligned', { names: passing });
  }
}

/** The `dmarc.*` findings (RFC 7489 §6.6). */
function dmarcFindings(found: Findings, input: VerdictInput, auth: Authentication): void {
  const { view, fromDomain } = auth;
  const dmarcError = view.dmarc.source === 'local' ? input.dmarc?.error : undefined;
  switch (view.dmarc.result) {
    case 'none':
      if (fromDomain !== undefined)
        found.add(
          'dmarc.none',
          dmarcError?.code === 'dmarc.multiple-records'
            ? { domain: fromDomain, reason: 'more than one DMARC record' }
            : { domain: fromDomain },
        );
      break;
    case 'permerror':
      // A From problem is the header check's to report.
      if (fromDomain !== undefined && !dmarcError?.code.startsWith('headers.'))
        found.add(
          'dmarc.permerror',
          dmarcError
            ? { domain: fromDomain, reason: DMARC_ERROR_TEXT[dmarcError.code] ?? dmarcError.code }
            : { domain: fromDomain },
        );
      break;
    case 'temperror':
      if (view.dmarc.source === 'local') found.temporary.push(`DMARC record of ${fromDomain ?? 'the From domain'}`);
      break;
    case 'pass':
    case 'fail':
      if (view.dmarc.policy === 'none' && view.dmarc.source === 'local' && fromDomain !== undefined)
        found.add('dmarc.policy-none', { domain: fromDomain });
      break;
    default:
      break;
  }
}

/** The sending server: its PTR (iprev, RFC 8601 §3), its HELO name (RFC 5321 §4.1.1.1), how both relate to the sender. */
function serverFindings(found: Findings, input: VerdictInput, policy: Policy, auth: Authentication): void {
  const { view, forwarding, fromDomain, mailDomain, authenticated } = auth;
  const { ip } = input.envelope;
  const iprev = input.iprev;
  for (const id of iprev.findings) found.add(id, id === 'ptr.missing' ? {} : { names: iprev.ptrNames });
  if (iprev.result === 'temperror') found.temporary.push(`PTR of ${ip}${iprev.dnsError ? ` (${iprev.dnsError})` : ''}`);
  const helo = input.helo;
  for (const id of helo.findings) found.add(id, { name: helo.name, names: helo.addresses ?? [] });
  if (helo.result === 'temperror')
    found.temporary.push(`address of HELO name ${helo.name}${helo.dnsError ? ` (${helo.dnsError})` : ''}`);

  const arc = input.arc;
  const relations = senderRelations({
    ip,
    helo,
    iprev,
    fromDomain,
    mailFromDomain: mailDomain,
    passingDkimDomains: view.dkim.filter((s) => s.result === 'pass').map((s) => s.domain),
    otherDomains: arc?.result === 'pass' ? arc.sets.map((set) => set.sealDomain) : undefined,
    senderMxHosts: input.senderMxHosts,
    senderMxDomain: fromDomain,
    relayDomains: policy.relayDomains,
    forwarder: forwarding.seen && authenticated,
  });
  for (const relation of relations) {
    switch (relation.id) {
      case 'ptr.generic':
        found.add(relation.id, { name: relation.name, reason: describeGeneric(relation.reason, ip) });
        break;
      case 'ptr.foreign-domain':
      case 'helo.foreign-domain':
        found.add(relation.id, {
          name: relation.name,
          organization: relation.organization,
          names: relation.senderDomains,
        });
        break;
      case 'helo.not-mx':
        found.add(
          relation.id,
          relation.domain
            ? { name: relation.name, names: relation.mxHosts, domain: relation.domain }
            : { name: relation.name, names: relation.mxHosts },
        );
        break;
      default: {
        const unreachable: never = relation;
        return unreachable;
      }
    }
  }
}

/** The message header (RFC 5322): the header check's findings with their details. */
function headerFindings(found: Findings, input: VerdictInput): void {
  const headers = input.headers;
  if (!headers) return;
  for (const id of headers.findings) {
    const d = headers.details?.find((entry) => entry.id === id);
    const detail: ReasonDetail = {};
    if (d?.field !== undefined) detail.field = displayFieldName(d.field);
    if (d?.value !== undefined) detail.value = d.value;
    if (d?.domain !== undefined) detail.domain = d.domain;
    if (d?.reason !== undefined) detail.reason = HEADER_REASON_TEXT[d.reason] ?? d.reason;
    found.add(id, detail);
  }
  // A header finding makes the result `fail`; a DNS failure beside it still shows in dnsError.
  if (headers.result === 'temperror' || headers.dnsError !== undefined)
    found.temporary.push(`domains in the header${headers.dnsError ? ` (${headers.dnsError})` : ''}`);
}

/** Forwarding (docs/trust-model.md) and ARC (RFC 8617). */
function forwardingFindings(found: Findings, input: VerdictInput, auth: Authentication): void {
  const { forwarding, view } = auth;
  for (const id of forwarding.findings) {
    switch (id) {
      case 'forward.arc-trusted':
        found.add(id, { domain: forwarding.trustedSealer ?? '?', reason: describeRecorded(forwarding) });
        break;
      case 'forward.detected': {
        const aligned = view.dkim.find((s) => s.result === 'pass' && s.aligned);
        const signal = forwarding.signals[0];
        found.add(id, { domain: aligned?.domain ?? '?', reason: signal ? describeSignal(signal) : 'forwarding seen' });
        break;
      }
      case 'forward.dkim-broken': {
        const broken = forwarding.brokenSignatures[0]!;
        found.add(id, {
          domain: broken.domain,
          selector: broken.selector,
          reason: BROKEN_REASON[broken.code] ?? broken.code,
        });
        break;
      }
      default: {
        const unreachable: never = id;
        return unreachable;
      }
    }
  }
  const arc = input.arc;
  if (arc?.result === 'fail') found.add('arc.fail', arc.error ? { reason: arc.error.code } : {});
  if (forwarding.trustedChainTemperror) found.temporary.push(`ARC keys of ${arc?.sets[0]?.sealDomain ?? 'the sealer'}`);
}

/** Levels (the policy's first), wording, order: the verdict is the worst level found. */
function verdictOf(found: Findings, input: VerdictInput, policy: Policy, auth: Authentication): Verdict {
  const facts: ReasonFacts = {
    ip: input.envelope.ip,
    helo: input.helo.name,
    fromDomain: auth.fromDomain,
    senderDomain: organizationalDomainOrSelf(auth.fromDomain ?? auth.mailDomain ?? 'example.com'),
  };
  const reasons: Reason[] = [];
  let worst: FindingLevel = 'info';
  for (const [id, detail] of found.details) {
    const wording = isFindingId(id) ? FINDINGS[id] : undefined;
    const level = policyLevel(policy, id) ?? wording?.level ?? 'info';
    if (LEVEL_RANK[level] < LEVEL_RANK[worst]) worst = level;
    reasons.push({
      id,
      level,
      message: wording ? wording.message(facts, detail) : `The check reported ${id}.`,
      remedy: wording ? wording.remedy(facts, detail) : 'See docs/trust-model.md for what this finding means.',
    });
  }
  reasons.sort(
    (a, b) =>
      LEVEL_RANK[a.level] - LEVEL_RANK[b.level] ||
      (FINDING_ORDER.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (FINDING_ORDER.get(b.id) ?? Number.MAX_SAFE_INTEGER) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const verdict = worst === 'untrusted' ? 'untrusted' : worst === 'low' ? 'low' : 'trusted';
  return { verdict, retryable: found.temporary.length > 0 && verdict !== 'trusted', reasons };
}

/** True when SPF, DMARC or a DKIM signature ended in a temporary DNS failure (RFC 7208 §2.6.6, RFC 6376 §3.9). */
function authenticationUnknown(view: {
  spf?: { result: string } | undefined;
  dmarc: { result: string };
  dkim: readonly { result: string }[];
}): boolean {
  return (
    view.spf?.result === 'temperror' ||
    view.dmarc.result === 'temperror' ||
    view.dkim.some((signature) => signature.result === 'temperror')
  );
}
