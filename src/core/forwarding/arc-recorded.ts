/**
 * What a forwarder recorded in its ARC-Authentication-Results (RFC 8617 §4.1.1) — the SPF, DKIM and DMARC results
 * it saw before it changed or re-sent the message — and how those replace the local results when the forwarder
 * is trusted (docs/trust-model.md "Forwarding").
 *
 * Merge rules (each outcome separately; docs/trust-model.md "Forwarding"):
 * - DMARC: a local `pass` stands. Otherwise a recorded `dmarc=` result for the same From domain (`header.from`,
 *   when given, must name it) replaces the local one. Without a recorded DMARC result, an aligned SPF or DKIM pass
 *   among the recorded results makes DMARC `pass` when the From domain has a record (RFC 7489 §4.2), and the local
 *   result stands otherwise.
 * - SPF: a local `pass` stands. Otherwise the recorded `spf=` result (domain from `smtp.mailfrom`, or `smtp.helo`)
 *   replaces it; without one there is no SPF outcome — the local check judged the forwarder's address, which says
 *   nothing about the sender.
 * - DKIM: local passing signatures stand; local signatures that do not pass are dropped (the forwarder may have
 *   broken them) and the recorded `dkim=` results (`header.d`, else the domain of `header.i`) take their place.
 */
import type { AuthResEntry } from '../authres/types.js';
import {
  alignsWithFrom,
  normalizeDomain,
  type AuthenticationView,
  type ViewDkim,
  type ViewSpf,
} from './authentication.js';
import type { ArcSetView } from './input.js';

const DMARC_RESULTS: ReadonlySet<string> = new Set(['pass', 'fail', 'none', 'temperror', 'permerror']);
const SPF_RESULTS: ReadonlySet<string> = new Set([
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'temperror',
  'permerror',
]);
const DKIM_RESULTS: ReadonlySet<string> = new Set([
  'pass',
  'fail',
  'neutral',
  'temperror',
  'permerror',
  'policy',
  'none',
]);

/** The results one ARC set recorded, as read from its AAR (RFC 8601 §2.7). */
export interface RecordedAuthentication {
  /** The sealer's `d=`. */
  sealDomain: string;
  /** The AAR authserv-id. */
  authservId: string;
  dmarc?: { result: string; fromDomain?: string };
  spf?: { result: string; domain: string; identity: 'mailfrom' | 'helo' };
  dkim: { result: string; domain: string; selector: string }[];
}

function property(entry: AuthResEntry, ptype: string, name: string): string | undefined {
  for (const p of entry.properties) if (p.ptype === ptype && p.property === name) return p.value;
  return undefined;
}

function domainOfAddress(value: string): string {
  const at = value.lastIndexOf('@');
  return normalizeDomain(at >= 0 ? value.slice(at + 1) : value);
}

/** Reads the SPF, DKIM and DMARC results of one ARC set's AAR. Unknown result words are skipped. */
export function recordedAuthentication(set: ArcSetView): RecordedAuthentication {
  const recorded: RecordedAuthentication = {
    sealDomain: set.sealDomain,
    authservId: set.authResults.authservId,
    dkim: [],
  };
  for (const entry of set.authResults.results) {
    switch (entry.method) {
      case 'dmarc': {
        if (recorded.dmarc || !DMARC_RESULTS.has(entry.result)) break;
        const from = property(entry, 'header', 'from');
        recorded.dmarc = from ? { result: entry.result, fromDomain: domainOfAddress(from) } : { result: entry.result };
        break;
      }
      case 'spf': {
        if (recorded.spf || !SPF_RESULTS.has(entry.result)) break;
        const mailFrom = property(entry, 'smtp', 'mailfrom');
        const helo = property(entry, 'smtp', 'helo');
        if (mailFrom !== undefined && mailFrom !== '' && mailFrom !== '<>')
          recorded.spf = { result: entry.result, domain: domainOfAddress(mailFrom), identity: 'mailfrom' };
        else if (helo !== undefined && helo !== '')
          recorded.spf = { result: entry.result, domain: normalizeDomain(helo), identity: 'helo' };
        break;
      }
      case 'dkim': {
        if (!DKIM_RESULTS.has(entry.result) || entry.result === 'none') break;
        const d = property(entry, 'header', 'd');
        const i = property(entry, 'header', 'i');
        const domain = d !== undefined ? normalizeDomain(d) : i !== undefined ? domainOfAddress(i) : '';
        if (domain === '') break;
        recorded.dkim.push({ result: entry.result, domain, selector: property(entry, 'header', 's') ?? '' });
        break;
      }
      default:
        break;
    }
  }
  return recorded;
}

/** The view with the trusted forwarder's recorded results in place of the local ones (rules above). */
export function mergeRecordedAuthentication(
  local: AuthenticationView,
  recorded: RecordedAuthentication,
): AuthenticationView {
  const { fromDomain, modes } = local;
  const dkim: ViewDkim[] = local.dkim.filter((signature) => signature.result === 'pass');
  for (const entry of recorded.dkim) {
    if (dkim.some((s) => s.domain === entry.domain && s.selector === entry.selector && s.result === entry.result))
      continue;
    const aligned = alignsWithFrom(entry.domain, fromDomain, modes.dkim);
    dkim.push({ result: entry.result, domain: entry.domain, selector: entry.selector, aligned, source: 'arc' });
  }

  let spf: ViewSpf | undefined = local.spf;
  if (!spf || spf.result !== 'pass') {
    const theirs = recorded.spf;
    spf = theirs
      ? {
          result: theirs.result,
          domain: theirs.domain,
          identity: theirs.identity,
          aligned: alignsWithFrom(theirs.domain, fromDomain, modes.spf),
          source: 'arc',
        }
      : undefined;
  }

  let dmarc = local.dmarc;
  if (dmarc.result !== 'pass') {
    const recordedDmarc = recorded.dmarc;
    const sameFrom = recordedDmarc?.fromDomain === undefined || recordedDmarc.fromDomain === fromDomain;
    if (recordedDmarc && sameFrom) {
      dmarc = { result: recordedDmarc.result, policy: local.dmarc.policy, source: 'arc' };
    } else if (
      dmarc.result === 'fail' &&
      (dkim.some((s) => s.source === 'arc' && s.result === 'pass' && s.aligned) ||
        (spf?.source === 'arc' && spf.result === 'pass' && spf.aligned))
    ) {
      dmarc = { result: 'pass', policy: local.dmarc.policy, source: 'arc' };
    }
  }
  return { source: 'arc', fromDomain, dmarc, spf, dkim, modes };
}
