/**
 * Forwarding (docs/trust-model.md "Forwarding", the guide's note on forwarded mail): was this message forwarded, may a trusted
 * forwarder's ARC record speak for the sender, and did a forwarder break the sender's DKIM signature? Pure.
 *
 * - `forward.arc-trusted` — the ARC chain validates (RFC 8617 §5.2, `cv=pass`) and the first set's sealer (i=1,
 *   RFC 8617 §4.2.1: the first forwarder) is in `policy.trustedForwarders`. The SPF/DKIM/DMARC results of its
 *   ARC-Authentication-Results replace the local ones for the verdict (./arc-recorded.ts).
 * - `forward.detected` — forwarding is seen without trusted ARC, and an aligned DKIM signature still passes.
 * - `forward.dkim-broken` — forwarding is seen and an aligned signature fails with `dkim.body-hash` or
 *   `dkim.signature`: the forwarder changed the body or a signed header field.
 *
 * Forwarding is "seen" on any of these signals: an SRS reverse-path (`SRS0=`/`SRS1=` local part), ARC sets, the
 * envelope signal (SPF `fail`/`softfail` while the MAIL FROM or HELO organizational domain differs from From's and
 * the message carries a DKIM signature: a relay the sender's SPF does not know passed on signed mail), or a hint
 * the caller passes (resent fields, Received chain; see ./hints.ts).
 */
import { stripReversePath } from '../message/reverse-path.js';
import { organizationalDomainOrSelf } from '../domain/index.js';
import { classifyHelo } from '../helo/name.js';
import { matchesDomainList, type Policy } from '../policy/index.js';
import {
  hasAlignedDkimPass,
  localAuthenticationView,
  mailFromDomain,
  normalizeDomain,
  type AuthenticationView,
} from './authentication.js';
import { mergeRecordedAuthentication, recordedAuthentication, type RecordedAuthentication } from './arc-recorded.js';
import type { ForwardingInput } from './input.js';

export type ForwardingFinding = 'forward.detected' | 'forward.arc-trusted' | 'forward.dkim-broken';

/** Why forwarding was seen. */
export type ForwardingSignal =
  | { kind: 'srs'; mailFrom: string }
  | { kind: 'arc'; instances: number; sealDomain: string }
  | { kind: 'envelope'; identity: 'mailfrom' | 'helo'; domain: string }
  | { kind: 'hint'; source: string; detail: string };

/** An aligned DKIM signature a forwarder broke. */
export interface BrokenSignature {
  domain: string;
  selector: string;
  code: 'dkim.body-hash' | 'dkim.signature';
}

/** The outcome of {@link detectForwarding}. */
export interface ForwardingResult {
  /** Forwarding was seen (any signal, or trusted ARC). */
  seen: boolean;
  signals: ForwardingSignal[];
  /** `forward.*` findings, in a fixed order: arc-trusted, detected, dkim-broken. */
  findings: ForwardingFinding[];
  /** The trusted first sealer, for `forward.arc-trusted`. */
  trustedSealer?: string;
  /** What the trusted sealer recorded, for `forward.arc-trusted`. */
  recorded?: RecordedAuthentication;
  /** Aligned signatures broken in transit, for `forward.dkim-broken`. */
  brokenSignatures: BrokenSignature[];
  /** The authentication the verdict judges: local, or merged with the trusted record. */
  authentication: AuthenticationView;
  /** The first sealer is trusted but the chain could not be validated for now (ARC `temperror`). */
  trustedChainTemperror: boolean;
}

const SRS = /^SRS[01][=+-]/i;

function localPart(mailFrom: string): string {
  const path = stripReversePath(mailFrom);
  const at = path.lastIndexOf('@');
  return at >= 0 ? path.slice(0, at) : '';
}

function envelopeSignal(input: ForwardingInput, fromOrg: string): ForwardingSignal | undefined {
  const spf = input.spf;
  if (!spf || (spf.result !== 'fail' && spf.result !== 'softfail') || input.dkim.length === 0) return undefined;
  const mailDomain = mailFromDomain(input.envelope.mailFrom);
  if (mailDomain !== undefined && organizationalDomainOrSelf(mailDomain) !== fromOrg)
    return { kind: 'envelope', identity: 'mailfrom', domain: mailDomain };
  const helo = classifyHelo(input.envelope.helo);
  if (helo.kind === 'domain' && organizationalDomainOrSelf(helo.name) !== fromOrg)
    return { kind: 'envelope', identity: 'helo', domain: helo.name };
  return undefined;
}

/** Detects forwarding and builds the authentication the verdict judges. Pure; never throws. */
export function detectForwarding(input: ForwardingInput, policy: Policy): ForwardingResult {
  const local = localAuthenticationView(input);
  const signals: ForwardingSignal[] = [];
  const mailFrom = input.envelope.mailFrom;
  if (mailFrom !== undefined && SRS.test(localPart(mailFrom))) signals.push({ kind: 'srs', mailFrom: mailFrom.trim() });

  const arc = input.arc;
  const first = arc?.sets[0];
  const firstTrusted =
    first !== undefined && matchesDomainList(normalizeDomain(first.sealDomain), policy.trustedForwarders);
  const trusted = arc?.result === 'pass' && firstTrusted;
  if (arc && !trusted && (arc.instances > 0 || arc.sets.length > 0))
    signals.push({
      kind: 'arc',
      instances: Math.max(arc.instances, arc.sets.length),
      sealDomain: first?.sealDomain ?? '',
    });

  if (local.fromDomain !== undefined) {
    const signal = envelopeSignal(input, organizationalDomainOrSelf(local.fromDomain));
    if (signal) signals.push(signal);
  }
  for (const hint of input.forwardingHints ?? [])
    signals.push({ kind: 'hint', source: hint.source, detail: hint.detail });

  const seen = trusted || signals.length > 0;
  const brokenSignatures: BrokenSignature[] = [];
  if (seen) {
    for (const signature of local.dkim) {
      const code = signature.errorCode;
      if (signature.aligned && signature.result === 'fail' && (code === 'dkim.body-hash' || code === 'dkim.signature'))
        brokenSignatures.push({ domain: signature.domain, selector: signature.selector, code });
    }
  }

  const findings: ForwardingFinding[] = [];
  const result: ForwardingResult = {
    seen,
    signals,
    findings,
    brokenSignatures,
    authentication: local,
    trustedChainTemperror: firstTrusted && arc?.result === 'temperror',
  };
  if (trusted && first) {
    const recorded = recordedAuthentication(first);
    result.trustedSealer = normalizeDomain(first.sealDomain);
    result.recorded = recorded;
    result.authentication = mergeRecordedAuthentication(local, recorded);
    findings.push('forward.arc-trusted');
  } else if (seen && hasAlignedDkimPass(local)) {
    findings.push('forward.detected');
  }
  if (brokenSignatures.length > 0) findings.push('forward.dkim-broken');
  return result;
}
