/**
 * What one area of the verdict found (docs/trust-model.md): its findings in the order they were found, each id once
 * with the detail it was first found with, and the DNS lookups that failed for now (for `dns.temperror`).
 *
 * Each area function adds to the collector it is given (a new one by default, to test the area alone); the verdict
 * gives all of them one, in order, so that a finding found by two areas keeps the first area's detail.
 */
import type { ReasonDetail } from './catalogue.js';

/** The findings of one area of the verdict (SPF, DKIM, DMARC, the sending server, the header, forwarding). */
export class AreaFindings {
  /** Finding id → detail, in the order found; a finding found again keeps its first detail. */
  readonly found = new Map<string, ReasonDetail>();
  /** What a temporary DNS failure kept from being known, e.g. `SPF record of example.com`. */
  readonly temporary: string[] = [];

  /** Records finding `id` unless this area already has it. */
  add(id: string, detail: ReasonDetail = {}): void {
    if (!this.found.has(id)) this.found.set(id, detail);
  }
}
