/**
 * The finding ids of docs/trust-model.md, written `area.name`. They are stable: policy files (`levels`), JSON output and
 * tests name them. A new check adds its ids here first.
 */
import { HEADER_FINDINGS } from '../headers/findings.js';

/** Every finding id, grouped by area in the order of docs/trust-model.md. */
export const FINDING_IDS = [
  'ptr.missing',
  'ptr.not-confirmed',
  'ptr.generic',
  'ptr.foreign-domain',
  'ptr.multiple',
  'helo.missing',
  'helo.not-fqdn',
  'helo.bare-ip',
  'helo.literal-mismatch',
  'helo.localhost',
  'helo.special-use',
  'helo.nxdomain',
  'helo.unresolvable',
  'helo.ip-mismatch',
  'helo.foreign-domain',
  'helo.not-mx',
  'spf.none',
  'spf.fail',
  'spf.softfail',
  'spf.neutral',
  'spf.permerror',
  'spf.temperror',
  'spf.multiple-records',
  'spf.too-many-lookups',
  'spf.too-many-void-lookups',
  'spf.ptr-mechanism',
  'spf.plus-all',
  'spf.no-all',
  'spf.ip-not-authorized',
  'spf.record-too-long',
  'dkim.none',
  'dkim.fail',
  'dkim.body-hash',
  'dkim.signature',
  'dkim.key-missing',
  'dkim.key-revoked',
  'dkim.key-too-short',
  'dkim.rsa-sha1',
  'dkim.testing',
  'dkim.unaligned',
  'dkim.expired',
  'dkim.from-not-signed',
  'dkim.syntax',
  'dmarc.none',
  'dmarc.fail',
  'dmarc.permerror',
  'dmarc.policy-none',
  'dmarc.pct',
  'dmarc.no-rua',
  'dmarc.rua-unauthorized',
  ...HEADER_FINDINGS,
  'sender.spoofed',
  'sender.unauthenticated',
  'forward.detected',
  'forward.arc-trusted',
  'forward.dkim-broken',
  'arc.fail',
  'mx.none',
  'mx.null',
  'mx.host-unresolvable',
  'dns.temperror',
] as const;

/** A finding id of docs/trust-model.md. */
export type FindingId = (typeof FINDING_IDS)[number];

const KNOWN: ReadonlySet<string> = new Set(FINDING_IDS);

/** True when `id` is a finding id of docs/trust-model.md. */
export function isFindingId(id: string): id is FindingId {
  return KNOWN.has(id);
}
