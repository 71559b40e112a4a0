/** The findings of the message header check (RFC 5322, docs/trust-model.md `headers.*`). Pure. */
import { AreaFindings } from './area-findings.js';
import { displayFieldName, HEADER_REASON_TEXT, type ReasonDetail } from './catalogue.js';
import type { HeadersView } from './input.js';

/**
 * Each finding of the header check with its field, value, domain and reason in words; a DNS failure (a temperror,
 * or one beside a finding that made the result `fail`) as a temporary failure. No findings without a header result.
 */
export function headerFindings(headers: HeadersView | undefined, area = new AreaFindings()): AreaFindings {
  if (!headers) return area;
  for (const id of headers.findings) {
    const d = headers.details?.find((entry) => entry.id === id);
    const detail: ReasonDetail = {};
    if (d?.field !== undefined) detail.field = displayFieldName(d.field);
    if (d?.value !== undefined) detail.value = d.value;
    if (d?.domain !== undefined) detail.domain = d.domain;
    if (d?.reason !== undefined) detail.reason = HEADER_REASON_TEXT[d.reason] ?? d.reason;
    area.add(id, detail);
  }
  if (headers.result === 'temperror' || headers.dnsError !== undefined)
    area.temporary.push(`domains in the header${headers.dnsError ? ` (${headers.dnsError})` : ''}`);
  return area;
}
