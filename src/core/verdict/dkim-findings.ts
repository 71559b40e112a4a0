/** The DKIM findings of the verdict (RFC 6376 §6.1, RFC 8301, docs/trust-model.md `dkim.*`). Pure. */
import { type ViewDkim } from '../forwarding/index.js';
import { AreaFindings } from './area-findings.js';
import type { Authentication } from './authentication.js';
import { BROKEN_SIGNATURE_TEXT, type ReasonDetail } from './catalogue.js';
import type { VerdictInput } from './input.js';

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

/** A signature that failed verification (RFC 6376 §6.1.3): bad signature or body hash mismatch. */
const failsVerification = (s: ViewDkim) =>
  s.result === 'fail' &&
  (s.errorCode === undefined || s.errorCode === 'dkim.body-hash' || s.errorCode === 'dkim.signature');

/**
 * The DKIM findings: `dkim.fail` for a signature that does not verify when no aligned one passes (else each failed
 * signature's error code, unless forwarding broke it); the key and signature findings of the local signatures
 * (`dkim.key-missing`, `dkim.rsa-sha1`, `dkim.testing`, …) and their temporary failures; `dkim.none`; and
 * `dkim.unaligned` when signatures pass but none for the From domain.
 */
export function dkimFindings(input: VerdictInput, auth: Authentication, area = new AreaFindings()): AreaFindings {
  const { view, forwarding, alignedDkimPass } = auth;
  const failing = view.dkim.filter(failsVerification);
  if (failing.length > 0 && !alignedDkimPass) {
    const first = failing.find((s) => s.aligned) ?? failing[0]!;
    area.add('dkim.fail', {
      domain: first.domain,
      selector: first.selector,
      reason: BROKEN_SIGNATURE_TEXT[first.errorCode ?? ''] ?? 'the signature does not verify',
    });
  } else {
    for (const s of failing) {
      const broken = forwarding.brokenSignatures.some((b) => b.domain === s.domain && b.selector === s.selector);
      if (!broken && s.errorCode !== undefined) area.add(s.errorCode, { domain: s.domain, selector: s.selector });
    }
  }
  for (const signature of input.dkim) {
    const detail: ReasonDetail = { domain: signature.domain, selector: signature.selector };
    const code = signature.error?.code;
    if (signature.result === 'temperror') {
      area.temporary.push(`DKIM key ${signature.selector}._domainkey.${signature.domain}`);
    } else if (code !== undefined && DKIM_ERROR_FINDINGS[code] !== undefined) {
      area.add(DKIM_ERROR_FINDINGS[code], code === DKIM_ERROR_FINDINGS[code] ? detail : { ...detail, reason: code });
    }
    if (signature.testing === true) area.add('dkim.testing', detail);
  }
  if (view.dkim.length === 0) area.add('dkim.none');
  else if (view.fromDomain !== undefined && !alignedDkimPass) {
    const passing = view.dkim.filter((s) => s.result === 'pass').map((s) => s.domain);
    if (passing.length > 0) area.add('dkim.unaligned', { names: passing });
  }
  return area;
}
