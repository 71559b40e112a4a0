/**
 * The check results that forwarding detection and the verdict read, as structural subsets of the real result
 * types: `SpfResult`, `DkimResult`, `DmarcResult` and `ArcResult` fit as they are, and a test can build them by
 * hand. Nothing here is re-checked or changed (docs/architecture.md rule 2).
 */
import type { ArcInstanceSummary, ArcResult } from '../arc/index.js';
import type { DkimResult } from '../dkim/result.js';
import type { DmarcResult } from '../dmarc/index.js';
import type { SpfResult } from '../spf/types.js';

/** What is read of the SPF result (RFC 7208 §2.6). */
export type SpfView = Pick<SpfResult, 'result' | 'domain' | 'identity'> &
  Partial<Pick<SpfResult, 'mechanism' | 'error'>>;

/** What is read of one DKIM signature's result (RFC 6376 §6.1). */
export type DkimView = Pick<DkimResult, 'result' | 'domain' | 'selector'> &
  Partial<Pick<DkimResult, 'aligned' | 'testing' | 'error' | 'algorithm'>>;

/** What is read of the DMARC result (RFC 7489 §6.6). `result: 'none'` means the From domain has no record. */
export type DmarcView = Pick<DmarcResult, 'result' | 'domain' | 'policy'> &
  Partial<Pick<DmarcResult, 'organizationalDomain' | 'modes' | 'error'>>;

/** What is read of one ARC set (RFC 8617 §4.1). */
export type ArcSetView = Pick<ArcInstanceSummary, 'instance' | 'sealDomain' | 'authResults'>;

/** What is read of the ARC result (RFC 8617 §5.2). */
export type ArcView = Pick<ArcResult, 'result' | 'instances'> &
  Partial<Pick<ArcResult, 'error'>> & { sets: readonly ArcSetView[] };

/**
 * A sign of forwarding the caller found in the message (docs/trust-model.md "`Received` chain"), e.g. a `Resent-From`
 * field or a `Received: … for <support@example.com>` whose recipient is not the envelope recipient.
 * See {@link forwardingHintsFromHeader}.
 */
export interface ForwardingHint {
  /** Where it was seen: a header field name, lower case (`received`, `resent-from`, `x-forwarded-to`, …). */
  source: string;
  /** The value that shows it, e.g. the recipient named in the Received field. */
  detail: string;
}

/** What {@link detectForwarding} reads. Every field of the verdict's input is a superset of it. */
export interface ForwardingInput {
  envelope: { helo?: string | undefined; mailFrom?: string | undefined };
  /** The RFC 5322.From domain, when there is one valid From mailbox. */
  fromDomain?: string | undefined;
  spf?: SpfView | undefined;
  dkim: readonly DkimView[];
  dmarc?: DmarcView | undefined;
  arc?: ArcView | undefined;
  forwardingHints?: readonly ForwardingHint[] | undefined;
}
