/** Forwarding (docs/trust-model.md): detection, trusted ARC records, DKIM broken in transit; the authentication judged. */
export {
  alignsWithFrom,
  hasAlignedDkimPass,
  hasAlignedSpfPass,
  isNullSender,
  localAuthenticationView,
  mailFromDomain,
  normalizeDomain,
} from './authentication.js';
export type { AuthenticationSource, AuthenticationView, ViewDkim, ViewSpf } from './authentication.js';
export { mergeRecordedAuthentication, recordedAuthentication } from './arc-recorded.js';
export type { RecordedAuthentication } from './arc-recorded.js';
export { detectForwarding } from './detect.js';
export type { BrokenSignature, ForwardingFinding, ForwardingResult, ForwardingSignal } from './detect.js';
export { forwardingHintsFromHeader } from './hints.js';
export type { ArcSetView, ArcView, DkimView, DmarcView, ForwardingHint, ForwardingInput, SpfView } from './input.js';
