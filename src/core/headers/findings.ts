/**
 * What the header checks report: the finding ids of docs/trust-model.md (`headers.*`) and, per occurrence, a detail that
 * says which field, value or domain it is about, so the verdict can explain it ("To domain x.example does not
 * exist") without re-reading the message.
 */
import type { DnsFailureKind } from '../dns/types.js';

/** Finding ids of the header checks (docs/trust-model.md), in the order results list them. */
export const HEADER_FINDINGS = [
  'headers.from-missing',
  'headers.from-multiple',
  'headers.from-invalid',
  'headers.subject-missing',
  'headers.to-missing',
  'headers.date-missing',
  'headers.date-invalid',
  'headers.message-id-missing',
  'headers.reply-to-invalid',
  'headers.duplicate',
  'headers.address-invalid',
  'headers.domain-nxdomain',
  'headers.domain-unresolvable',
] as const;

export type HeaderFinding = (typeof HEADER_FINDINGS)[number];

/** The address fields whose syntax and domains are checked (RFC 5322 §3.6.2, §3.6.3). */
export type AddressField = 'from' | 'sender' | 'reply-to' | 'to' | 'cc';

/** The address fields in the order their domains are checked (sender side first). */
export const ADDRESS_FIELDS: readonly AddressField[] = ['from', 'sender', 'reply-to', 'to', 'cc'];

/**
 * Why a finding was raised (stable tokens, like the ids):
 * - any field: `syntax`, `too-long`, `invalid-utf8`, `empty`;
 * - address fields: `too-many-mailboxes`, `no-mailbox` (From naming only empty groups), `not-single-mailbox`
 *   (Sender), `several-fields`, `several-mailboxes-without-sender` (From, §3.6.2);
 * - Date: `out-of-range`, `weekday-mismatch`; Date and Message-ID: `missing`, `invalid`;
 * - To: `no-destination` (no To, Cc or Bcc), `cc-or-bcc-only`;
 * - domains: `invalid` (not a host name), `address-literal`, `not-fqdn` (one label), `special-use`
 *   (`localhost`, `.localhost`, `.invalid`, RFC 6761), `nxdomain`, `null-mx` (RFC 7505), `no-mail-records`
 *   (exists, but no MX, A or AAAA).
 */
export type HeaderReason =
  | 'syntax'
  | 'too-long'
  | 'invalid-utf8'
  | 'empty'
  | 'too-many-mailboxes'
  | 'no-mailbox'
  | 'not-single-mailbox'
  | 'several-fields'
  | 'several-mailboxes-without-sender'
  | 'out-of-range'
  | 'weekday-mismatch'
  | 'missing'
  | 'invalid'
  | 'no-destination'
  | 'cc-or-bcc-only'
  | 'address-literal'
  | 'not-fqdn'
  | 'special-use'
  | 'nxdomain'
  | 'null-mx'
  | 'no-mail-records';

/** One occurrence of a finding. */
export interface HeaderDetail {
  id: HeaderFinding;
  /** The field it is about, lower case (`from`, `date`, `reply-to` …). */
  field?: string;
  /** The field value (unfolded, cut to 200 characters) or, for domains, the domain as written. */
  value?: string;
  /** The domain (A-labels, lower case) a domain finding is about. */
  domain?: string;
  /** Every address field the domain appears in (domain findings). */
  fields?: AddressField[];
  reason?: HeaderReason;
  /** How often the field appears (duplicates). */
  count?: number;
  /** What exactly is wrong, from the parser (data for the edge to show, not a message to the sender). */
  error?: string;
  /** Where in the value the parser stopped. */
  offset?: number;
  /** The DNS outcome behind a domain finding. */
  dnsOutcome?: DnsFailureKind;
}

/** The distinct findings of `details`, in the order of `HEADER_FINDINGS`. */
export function findingsOf(details: readonly HeaderDetail[]): HeaderFinding[] {
  const present = new Set(details.map((detail) => detail.id));
  return HEADER_FINDINGS.filter((id) => present.has(id));
}
