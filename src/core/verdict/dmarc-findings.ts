/** The DMARC record findings of the verdict (RFC 7489 §6.6.3, docs/trust-model.md `dmarc.*`). Pure. */
import { AreaFindings } from './area-findings.js';
import type { Authentication } from './authentication.js';
import type { VerdictInput } from './input.js';

const DMARC_ERROR_TEXT: Readonly<Record<string, string>> = {
  'dmarc.multiple-records': 'it publishes more than one record',
  'dmarc.policy-missing': 'the record has no valid p= tag',
};

/**
 * The findings about the From domain's DMARC record: `dmarc.none`, `dmarc.permerror` (a From problem is the header
 * check's to report), a local temperror as a temporary failure, and `dmarc.policy-none` for a local record with
 * p=none. Whether the sender is authenticated is for `senderFindings` (authentication.ts).
 */
export function dmarcFindings(input: VerdictInput, auth: Authentication, area = new AreaFindings()): AreaFindings {
  const { view } = auth;
  const fromDomain = view.fromDomain;
  const dmarcError = view.dmarc.source === 'local' ? input.dmarc?.error : undefined;
  switch (view.dmarc.result) {
    case 'none':
      if (fromDomain !== undefined)
        area.add(
          'dmarc.none',
          dmarcError?.code === 'dmarc.multiple-records'
            ? { domain: fromDomain, reason: 'more than one DMARC record' }
            : { domain: fromDomain },
        );
      break;
    case 'permerror':
      if (fromDomain !== undefined && !dmarcError?.code.startsWith('headers.'))
        area.add(
          'dmarc.permerror',
          dmarcError
            ? { domain: fromDomain, reason: DMARC_ERROR_TEXT[dmarcError.code] ?? dmarcError.code }
            : { domain: fromDomain },
        );
      break;
    case 'temperror':
      if (view.dmarc.source === 'local') area.temporary.push(`DMARC record of ${fromDomain ?? 'the From domain'}`);
      break;
    case 'pass':
    case 'fail':
      if (view.dmarc.policy === 'none' && view.dmarc.source === 'local' && fromDomain !== undefined)
        area.add('dmarc.policy-none', { domain: fromDomain });
      break;
    default:
      break;
  }
  return area;
}
