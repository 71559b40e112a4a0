/**
 * Whether the sender is authenticated (RFC 7208, RFC 6376, RFC 7489), as every area of the verdict reads it: on the
 * local results, or, for mail from a trusted forwarder, on the results it recorded in ARC (../forwarding).
 *
 * *Aligned*: the domain's organizational domain is the From domain's (relaxed), or the same name where DMARC says
 * strict (RFC 7489 §3.1). *Sender authenticated*: DMARC `pass`; or, where DMARC gives no answer (`none`, and also
 * `permerror`/`temperror`), an SPF `pass` for an aligned MAIL FROM domain or a DKIM `pass` with an aligned `d=`.
 */
import {
  detectForwarding,
  hasAlignedDkimPass,
  hasAlignedSpfPass,
  mailFromDomain,
  type AuthenticationView,
  type ForwardingResult,
} from '../forwarding/index.js';
import type { Policy } from '../policy/index.js';
import { AreaFindings } from './area-findings.js';
import type { VerdictInput } from './input.js';

/** The authentication facts of one message, worked out once for every area of the verdict. */
export interface Authentication {
  /** Forwarding seen, and the authentication judged (local, or a trusted forwarder's record). */
  forwarding: ForwardingResult;
  /** `forwarding.authentication`. */
  view: AuthenticationView;
  /** The MAIL FROM domain; undefined for the null sender. */
  mailDomain: string | undefined;
  /** A DKIM `pass` whose `d=` aligns with the From domain. */
  alignedDkimPass: boolean;
  /**
   * SPF speaks for the sender: it checked the MAIL FROM, or the HELO name of a null sender (RFC 7208 §2.4, RFC 7489
   * §3.1.2); a HELO check beside a real MAIL FROM does not.
   */
  spfForSender: boolean;
  /** The sender is authenticated (see the terms above). */
  authenticated: boolean;
}

/** Works out the {@link Authentication} of `input` under `policy` (its trusted forwarders). Pure. */
export function readAuthentication(input: VerdictInput, policy: Policy): Authentication {
  const mailDomain = mailFromDomain(input.envelope.mailFrom);
  const forwarding = detectForwarding(input, policy);
  const view = forwarding.authentication;
  const alignedDkimPass = hasAlignedDkimPass(view);
  const dmarc = view.dmarc.result;
  const spf = view.spf;
  const spfForSender = spf !== undefined && (spf.identity === 'mailfrom' || mailDomain === undefined);
  const authenticated =
    dmarc === 'pass' || (dmarc !== 'fail' && ((spfForSender && hasAlignedSpfPass(view)) || alignedDkimPass));
  return { forwarding, view, mailDomain, alignedDkimPass, spfForSender, authenticated };
}

/**
 * `sender.spoofed` (DMARC `fail`, RFC 7489 §6.6.2; or, without a DMARC record, an aligned SPF `fail` that no aligned
 * DKIM `pass` outweighs) or `sender.unauthenticated`.
 */
export function senderFindings(auth: Authentication, area = new AreaFindings()): AreaFindings {
  const { view, alignedDkimPass, spfForSender, authenticated } = auth;
  const dmarc = view.dmarc.result;
  if (dmarc === 'fail') area.add('sender.spoofed', { result: 'dmarc', policy: view.dmarc.policy });
  else if (dmarc === 'none' && spfForSender && view.spf?.result === 'fail' && view.spf.aligned && !alignedDkimPass)
    area.add('sender.spoofed', { result: 'spf' });
  // When DNS trouble kept a check from answering, whether the sender is authenticated is unknown, not false: the
  // temporary-failure finding says so, and a retry decides.
  else if (!authenticated && !authenticationUnknown(view)) area.add('sender.unauthenticated');
  return area;
}

/** True when SPF, DMARC or a DKIM signature ended in a temporary DNS failure (RFC 7208 §2.6.6, RFC 6376 §3.9). */
function authenticationUnknown(view: AuthenticationView): boolean {
  return (
    view.spf?.result === 'temperror' ||
    view.dmarc.result === 'temperror' ||
    view.dkim.some((signature) => signature.result === 'temperror')
  );
}
