/** The forwarding and ARC findings of the verdict (docs/trust-model.md `forward.*`, RFC 8617 `arc.fail`). Pure. */
import type { ForwardingResult, ForwardingSignal } from '../forwarding/index.js';
import { AreaFindings } from './area-findings.js';
import type { Authentication } from './authentication.js';
import { BROKEN_SIGNATURE_TEXT } from './catalogue.js';
import type { VerdictInput } from './input.js';

function describeSignal(signal: ForwardingSignal): string {
  switch (signal.kind) {
    case 'srs':
      return `SRS reverse-path ${signal.mailFrom}`;
    case 'arc':
      return `${signal.instances} ARC set${signal.instances === 1 ? '' : 's'}${signal.sealDomain ? `, first sealed by ${signal.sealDomain}` : ''}`;
    case 'envelope':
      return `SPF fails for the ${signal.identity === 'mailfrom' ? 'MAIL FROM' : 'HELO'} domain ${signal.domain}, which is not the From domain's`;
    case 'hint':
      return `${signal.source}: ${signal.detail}`;
    default: {
      const unreachable: never = signal;
      return unreachable;
    }
  }
}

function describeRecorded(forwarding: ForwardingResult): string {
  const recorded = forwarding.recorded;
  if (!recorded) return 'no results recorded';
  const parts: string[] = [];
  if (recorded.dmarc) parts.push(`dmarc=${recorded.dmarc.result}`);
  if (recorded.spf) parts.push(`spf=${recorded.spf.result} for ${recorded.spf.domain}`);
  for (const d of recorded.dkim) parts.push(`dkim=${d.result} for ${d.domain}`);
  return parts.length > 0 ? `it recorded ${parts.join(', ')}` : 'it recorded no SPF, DKIM or DMARC result';
}

/**
 * The `forward.*` findings of forwarding detection (`forward.arc-trusted`, `forward.detected`,
 * `forward.dkim-broken`), `arc.fail` for a chain that fails (RFC 8617 §5.2), and a trusted forwarder's ARC keys
 * that could not be looked up as a temporary failure.
 */
export function forwardingFindings(input: VerdictInput, auth: Authentication, area = new AreaFindings()): AreaFindings {
  const { forwarding, view } = auth;
  const arc = input.arc;
  for (const id of forwarding.findings) {
    switch (id) {
      case 'forward.arc-trusted':
        area.add(id, { domain: forwarding.trustedSealer ?? '?', reason: describeRecorded(forwarding) });
        break;
      case 'forward.detected': {
        const aligned = view.dkim.find((s) => s.result === 'pass' && s.aligned);
        const signal = forwarding.signals[0];
        area.add(id, { domain: aligned?.domain ?? '?', reason: signal ? describeSignal(signal) : 'forwarding seen' });
        break;
      }
      case 'forward.dkim-broken': {
        const broken = forwarding.brokenSignatures[0]!;
        area.add(id, {
          domain: broken.domain,
          selector: broken.selector,
          reason: BROKEN_SIGNATURE_TEXT[broken.code] ?? broken.code,
        });
        break;
      }
      default: {
        const unreachable: never = id;
        return unreachable;
      }
    }
  }
  if (arc?.result === 'fail') area.add('arc.fail', arc.error ? { reason: arc.error.code } : {});
  if (forwarding.trustedChainTemperror) area.temporary.push(`ARC keys of ${arc?.sets[0]?.sealDomain ?? 'the sealer'}`);
  return area;
}
