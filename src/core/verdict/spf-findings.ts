/** The SPF findings of the verdict (RFC 7208 §2.6 results, docs/trust-model.md `spf.*`). Pure. */
import { isFindingId } from '../policy/index.js';
import { AreaFindings } from './area-findings.js';
import type { Authentication } from './authentication.js';
import type { ReasonDetail } from './catalogue.js';
import type { VerdictInput } from './input.js';

/**
 * The finding of the SPF result judged (`auth.view.spf`): `spf.fail` when SPF speaks for the sender, else
 * `spf.ip-not-authorized`; `spf.softfail`, `spf.neutral`, `spf.none`; the local error code (or `spf.permerror`) for
 * a permerror; a local temperror as a temporary failure (a forwarder's recorded one does not change on a retry).
 */
export function spfFindings(input: VerdictInput, auth: Authentication, area = new AreaFindings()): AreaFindings {
  const spf = auth.view.spf;
  if (!spf) return area;
  const detail: ReasonDetail = { domain: spf.domain };
  if (spf.mechanism !== undefined) detail.mechanism = spf.mechanism;
  switch (spf.result) {
    case 'fail':
      // The MAIL FROM identity, or the HELO identity of a null sender (RFC 7208 §2.4).
      if (auth.alignedDkimPass) area.add('spf.ip-not-authorized', { ...detail, result: 'dkim' });
      else if (auth.spfForSender) area.add('spf.fail', detail);
      else area.add('spf.ip-not-authorized', { ...detail, result: 'helo' });
      break;
    case 'softfail':
      area.add('spf.softfail', detail);
      break;
    case 'neutral':
      area.add('spf.neutral', detail);
      break;
    case 'none':
      area.add('spf.none', detail);
      break;
    case 'permerror': {
      const code = spf.source === 'local' ? input.spf?.error?.code : undefined;
      area.add(code !== undefined && code.startsWith('spf.') && isFindingId(code) ? code : 'spf.permerror', detail);
      break;
    }
    case 'temperror':
      if (spf.source === 'local') area.temporary.push(`SPF record of ${spf.domain}`);
      break;
    default:
      break;
  }
  return area;
}
