/**
 * The authentication the verdict judges (docs/trust-model.md): the SPF, DKIM and DMARC outcomes with alignment to the
 * RFC 5322.From domain worked out. Built from the local results, or — for mail from a trusted forwarder — from
 * what that forwarder recorded in its ARC-Authentication-Results (see ./arc-recorded.ts).
 */
import { stripReversePath } from '../message/reverse-path.js';
import { isAligned } from '../dmarc/alignment.js';
import type { AlignmentMode } from '../dmarc/record.js';
import { toAsciiDomain } from '../domain/index.js';
import type { ForwardingInput } from './input.js';
import { lowerCaseName } from '../dns/names.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.

/** Where an outcome comes from: this receiver's own check, or a trusted forwarder's ARC record. */
export type AuthenticationSource = 'local' | 'arc';

/** The SPF outcome (RFC 7208 §2.6) and whether its domain aligns with From (RFC 7489 §3.1.2). */
export interface ViewSpf {
  result: string;
  domain: string;
  identity: 'mailfrom' | 'helo';
  aligned: boolean;
  mechanism?: string;
  source: AuthenticationSource;
}

/** One DKIM outcome (RFC 6376 §6.1) and whether its `d=` aligns with From (RFC 7489 §3.1.1). */
export interface ViewDkim {
  result: string;
  domain: string;
  selector: string;
  aligned: boolean;
  /** The DKIM error code (`dkim.body-hash`, `dkim.signature`, …) when the result says why. */
  errorCode?: string;
  source: AuthenticationSource;
}

/** The authentication judged by the verdict. */
export interface AuthenticationView {
  /** `arc` when a trusted forwarder's record replaced some local outcome. */
  source: AuthenticationSource;
  /** The From domain (A-labels, lower case), when there is one. */
  fromDomain: string | undefined;
  /** DMARC result (`none`: the From domain publishes no record) and the policy that applies. */
  dmarc: { result: string; policy: string; source: AuthenticationSource };
  spf: ViewSpf | undefined;
  dkim: ViewDkim[];
  /** The alignment modes of the DMARC record (relaxed without one). */
  modes: { spf: AlignmentMode; dkim: AlignmentMode };
}

/** A name as the checks compare it: A-labels, lower case, no trailing dot (as written when it is no domain). */
export function normalizeDomain(name: string): string {
  return toAsciiDomain(name) ?? lowerCaseName(name);
}

/** True for the null reverse-path of bounces (RFC 5321 §4.5.5): `''` or `<>`. */
export function isNullSender(mailFrom: string | undefined): boolean {
  if (mailFrom === undefined) return false;
  const path = mailFrom.trim();
  return path === '' || path === '<>';
}

/** The domain of a reverse-path (`<user@example.com>` → `example.com`); undefined for the null sender. */
export function mailFromDomain(mailFrom: string | undefined): string | undefined {
  if (mailFrom === undefined || isNullSender(mailFrom)) return undefined;
  const path = stripReversePath(mailFrom);
  const at = path.lastIndexOf('@');
  const domain = at >= 0 ? path.slice(at + 1) : path;
  return domain === '' ? undefined : normalizeDomain(domain);
}

/** True when `domain` aligns with the From domain under `mode` (RFC 7489 §3.1); false without a From domain. */
export function alignsWithFrom(domain: string, fromDomain: string | undefined, mode: AlignmentMode): boolean {
  if (fromDomain === undefined || domain === '') return false;
  return isAligned(normalizeDomain(domain), fromDomain, mode);
}

/** The authentication as this receiver checked it. */
export function localAuthenticationView(input: ForwardingInput): AuthenticationView {
  const fromDomain = input.fromDomain ? normalizeDomain(input.fromDomain) : undefined;
  const modes = { spf: input.dmarc?.modes?.spf ?? 'relaxed', dkim: input.dmarc?.modes?.dkim ?? 'relaxed' } as const;
  const spf = input.spf;
  const dkim: ViewDkim[] = [];
  for (const signature of input.dkim) {
    const entry: ViewDkim = {
      result: signature.result,
      domain: normalizeDomain(signature.domain),
      selector: signature.selector,
      aligned: signature.aligned ?? alignsWithFrom(signature.domain, fromDomain, modes.dkim),
      source: 'local',
    };
    if (signature.error) entry.errorCode = signature.error.code;
    dkim.push(entry);
  }
  let viewSpf: ViewSpf | undefined;
  if (spf) {
    viewSpf = {
      result: spf.result,
      domain: normalizeDomain(spf.domain),
      identity: spf.identity,
      aligned: alignsWithFrom(spf.domain, fromDomain, modes.spf),
      source: 'local',
    };
    if (spf.mechanism !== undefined) viewSpf.mechanism = spf.mechanism;
  }
  return {
    source: 'local',
    fromDomain,
    dmarc: { result: input.dmarc?.result ?? 'none', policy: input.dmarc?.policy ?? 'none', source: 'local' },
    spf: viewSpf,
    dkim,
    modes,
  };
}

/** True when an aligned DKIM signature passes. */
export function hasAlignedDkimPass(view: AuthenticationView): boolean {
  return view.dkim.some((signature) => signature.result === 'pass' && signature.aligned);
}

/** True when SPF passes for an aligned domain. */
export function hasAlignedSpfPass(view: AuthenticationView): boolean {
  return view.spf !== undefined && view.spf.result === 'pass' && view.spf.aligned;
}
