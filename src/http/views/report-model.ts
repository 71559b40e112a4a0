/**
 * The report page's content, decided from one evaluation: the sections of a receiver's checks in the order a
 * sender fixes them (PTR, HELO, SPF, DKIM, DMARC, headers, forwarding), each with a status, the values found, the
 * rule it applies and the fixes to copy. Pure: no markup here (the views render it), no I/O.
 */
import type { Evaluation, Reason } from '../../core/index.js';

/**
 * How a section came out. `unknown` is a lookup that failed for now ("could not check"): it is never shown as a
 * failure. `info` is neither good nor bad (no record, nothing to check).
 */
export type SectionStatus = 'pass' | 'warn' | 'fail' | 'info' | 'unknown';

export type SectionKey = 'ptr' | 'helo' | 'spf' | 'dkim' | 'dmarc' | 'headers' | 'forwarding';

/** One fix: what to do, in words, and the exact records or lines in it that can be copied. */
export interface Fix {
  findingId: string;
  text: string;
  records: string[];
}

/** One row of a section's table of values (`label: value`). */
export interface SectionValue {
  label: string;
  value: string;
}

export interface ReportSection {
  key: SectionKey;
  title: string;
  /** A one-word name for the summary strip. */
  short: string;
  status: SectionStatus;
  /** The check's result token as in the evaluation JSON and Authentication-Results (`pass`, `softfail`, …). */
  result: string;
  values: SectionValue[];
  /** The rule the section applies, with its RFC section. */
  rule: string;
  /** The reasons of the evaluation that belong to this section, most serious first. */
  findings: Reason[];
  fixes: Fix[];
}

/** The sections in the order of the report. */
export const SECTION_ORDER: readonly SectionKey[] = ['ptr', 'helo', 'spf', 'dkim', 'dmarc', 'headers', 'forwarding'];

const TITLES: Record<SectionKey, string> = {
  ptr: 'Reverse DNS (PTR)',
  helo: 'HELO / EHLO name',
  spf: 'SPF',
  dkim: 'DKIM',
  dmarc: 'DMARC',
  headers: 'Message headers',
  forwarding: 'Forwarding and ARC',
};

const SHORT: Record<SectionKey, string> = {
  ptr: 'PTR',
  helo: 'HELO',
  spf: 'SPF',
  dkim: 'DKIM',
  dmarc: 'DMARC',
  headers: 'Headers',
  forwarding: 'Forwarding',
};

/** The rule each section applies. */
export const RULES: Record<SectionKey, string> = {
  ptr:
    'Every sending IP has a PTR record whose name resolves back to it (forward-confirmed reverse DNS, RFC 8601 §3 ' +
    '"iprev"), in the sender’s domain and not residential-looking.',
  helo:
    'The EHLO/HELO argument is the client’s fully qualified domain name, one that resolves (RFC 5321 §4.1.1.1, ' +
    '§2.3.5), in the sender’s domain.',
  spf: 'The domain of MAIL FROM (or HELO for bounces) authorizes the sending IP: check_host(), RFC 7208 §4; at most 10 DNS-querying terms (§4.6.4).',
  dkim: 'A DKIM signature verifies with the key published under the signing domain (RFC 6376 §6; RSA keys of 1024 bits or more and no SHA-1, RFC 8301).',
  dmarc:
    'SPF or DKIM passes for a domain aligned with the From domain, and the From domain publishes a policy at _dmarc (RFC 7489 §3.1, §6.3).',
  headers:
    'One From, Date and Message-ID; Subject and To present (RFC 5322 §3.6); every domain in From, Sender, Reply-To, To and Cc exists and receives mail.',
  forwarding:
    'A forwarder that changes the message seals its view in an ARC set (RFC 8617) or keeps the DKIM signature intact.',
};

/** Which section a finding id belongs to; `dns.*` (temporary DNS trouble) belongs to the verdict banner only. */
export function sectionOfFinding(id: string): SectionKey | undefined {
  const area = id.slice(0, id.indexOf('.'));
  switch (area) {
    case 'ptr':
      return 'ptr';
    case 'helo':
      return 'helo';
    case 'spf':
      return 'spf';
    case 'dkim':
      return 'dkim';
    case 'dmarc':
    case 'sender':
      return 'dmarc';
    case 'headers':
      return 'headers';
    case 'forward':
    case 'arc':
      return 'forwarding';
    default:
      return undefined;
  }
}

/** Zone-file lines (`name. TXT "…"`), `EHLO name` and quoted SPF/DMARC texts in a remedy: the parts to copy. */
const RECORD_PATTERN =
  /[A-Za-z0-9_.-]+\.\s(?:TXT|A|AAAA|MX|PTR)\s(?:"[^"]*"|\S+)|EHLO [A-Za-z0-9.-]*[A-Za-z0-9]|"v=(?:spf1|DMARC1)[^"]*"/g;

/** The exact records and lines a remedy tells the sender to publish or use, in order, each once. */
export function recordsInRemedy(remedy: string): string[] {
  const found: string[] = [];
  for (const match of remedy.matchAll(RECORD_PATTERN)) {
    let text = match[0];
    if (text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
    // A quoted value already inside a zone line found before it is not listed twice.
    if (!found.some((f) => f.includes(text))) found.push(text);
  }
  return found;
}

const LEVEL_RANK = { untrusted: 2, low: 1, info: 0 } as const;

function statusOfResult(result: string): SectionStatus {
  switch (result) {
    case 'pass':
      return 'pass';
    case 'temperror':
      return 'unknown';
    case 'fail':
    case 'softfail':
    case 'permerror':
      return 'warn';
    default:
      return 'info';
  }
}

/** A section's status: the worst of its findings that count; without any, what its result says. */
function sectionStatus(findings: Reason[], result: string): SectionStatus {
  if (findings.some((f) => f.level === 'untrusted')) return 'fail';
  if (findings.some((f) => f.level === 'low')) return 'warn';
  return statusOfResult(result);
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const listOr = (items: readonly string[], none: string) => (items.length > 0 ? items.join(', ') : none);

/** The worst DKIM result among the signatures, for the section's token (`none` without a signature). */
function dkimToken(evaluation: Evaluation): string {
  if (evaluation.dkim.length === 0) return 'none';
  const order = ['pass', 'neutral', 'policy', 'none', 'temperror', 'permerror', 'fail'];
  if (evaluation.dkim.some((d) => d.result === 'pass' && d.aligned === true)) return 'pass';
  if (evaluation.dkim.some((d) => d.result === 'pass')) return 'pass';
  let worst = 'pass';
  for (const d of evaluation.dkim) if (order.indexOf(d.result) > order.indexOf(worst)) worst = d.result;
  return worst;
}

function valuesOf(key: SectionKey, e: Evaluation): { result: string; values: SectionValue[] } {
  switch (key) {
    case 'ptr':
      return {
        result: e.iprev.result,
        values: [
          { label: 'Sending IP', value: e.iprev.ip || e.envelope.ip },
          { label: 'PTR names', value: listOr(e.iprev.ptrNames, 'none') },
          { label: 'Confirmed (resolve back)', value: listOr(e.iprev.names, 'none') },
          ...(e.iprev.dnsError ? [{ label: 'DNS', value: e.iprev.dnsError }] : []),
        ],
      };
    case 'helo':
      return {
        result: e.helo.result,
        values: [
          { label: 'Name given', value: e.helo.name || '(none)' },
          { label: 'Addresses', value: listOr(e.helo.addresses, 'none') },
          { label: 'Matches the sending IP', value: yesNo(e.helo.matchesClient) },
          ...(e.helo.dnsError ? [{ label: 'DNS', value: e.helo.dnsError }] : []),
        ],
      };
    case 'spf':
      return {
        result: e.spf.result,
        values: [
          { label: 'Domain checked', value: `${e.spf.domain || '(none)'} (${e.spf.identity})` },
          ...(e.spf.mechanism ? [{ label: 'Matched term', value: e.spf.mechanism }] : []),
          { label: 'DNS lookups', value: `${e.spf.lookups} of 10, ${e.spf.voidLookups} void` },
          ...(e.spf.error ? [{ label: 'Error', value: e.spf.error.message }] : []),
        ],
      };
    case 'dkim':
      return {
        result: dkimToken(e),
        values:
          e.dkim.length === 0
            ? [{ label: 'Signatures', value: 'none' }]
            : e.dkim.map((d, i) => ({
                label: `Signature ${i + 1}`,
                value:
                  `${d.result}: d=${d.domain} s=${d.selector} a=${d.algorithm}` +
                  (d.aligned === undefined ? '' : d.aligned ? ', aligned with From' : ', not aligned with From') +
                  (d.error && d.result !== 'pass' ? ` (${d.error.message})` : ''),
              })),
      };
    case 'dmarc':
      return {
        result: e.dmarc.result,
        values: [
          { label: 'From domain', value: e.dmarc.domain || '(none)' },
          { label: 'Record', value: e.dmarc.record ? e.dmarc.record.text : 'none found' },
          { label: 'Policy', value: e.dmarc.policy },
          {
            label: 'Aligned pass',
            value: `SPF ${yesNo(e.dmarc.alignment.spf)}, DKIM ${yesNo(e.dmarc.alignment.dkim)}`,
          },
          ...(e.dmarc.error ? [{ label: 'Error', value: e.dmarc.error.message }] : []),
        ],
      };
    case 'headers':
      return {
        result: e.headers.result,
        values: [{ label: 'Findings', value: listOr(e.headers.findings, 'none') }],
      };
    case 'forwarding':
      return {
        result: e.arc.result,
        values: [
          { label: 'ARC sets', value: String(e.arc.instances) },
          ...(e.arc.error ? [{ label: 'ARC error', value: e.arc.error.message }] : []),
        ],
      };
  }
}

/** The sections of one evaluation's report, in {@link SECTION_ORDER}. */
export function reportSections(evaluation: Evaluation): ReportSection[] {
  const byKey = new Map<SectionKey, Reason[]>();
  for (const reason of evaluation.reasons) {
    const key = sectionOfFinding(reason.id);
    if (key === undefined) continue;
    const list = byKey.get(key) ?? [];
    list.push(reason);
    byKey.set(key, list);
  }
  return SECTION_ORDER.map((key) => {
    const findings = [...(byKey.get(key) ?? [])].sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
    const { result, values } = valuesOf(key, evaluation);
    return {
      key,
      title: TITLES[key],
      short: SHORT[key],
      status: sectionStatus(findings, result),
      result,
      values,
      rule: RULES[key],
      findings,
      fixes: findings
        .filter((f) => f.remedy !== '')
        .map((f) => ({ findingId: f.id, text: f.remedy, records: recordsInRemedy(f.remedy) })),
    };
  });
}

/** The reasons that decided the verdict (not the informational ones), most serious first. */
export function verdictReasons(evaluation: Evaluation): Reason[] {
  return evaluation.reasons.filter((r) => r.level !== 'info').sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
}
