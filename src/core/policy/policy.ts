/**
 * The receiver's policy (docs/trust-model.md): data that tightens or relaxes the trust model without code changes.
 */
import type { FindingId } from './finding-ids.js';

/** How much a finding counts against a message: it makes it `untrusted`, `low`, or it is only reported. */
export type FindingLevel = 'untrusted' | 'low' | 'info';

/** The policy of docs/trust-model.md. Domains are lower case A-labels without a trailing dot. */
export interface Policy {
  /**
   * ARC sealers whose recorded results count (RFC 8617 §4.1.1 ARC-Authentication-Results), usually org domains.
   * A sealer `d=` matches an entry when it is the entry or a name under it.
   */
  readonly trustedForwarders: readonly string[];
  /** Relays (ESPs, smarthosts) whose HELO and PTR names are accepted for any sender: a name matches an entry
   * when it is the entry or a name under it. */
  readonly relayDomains: readonly string[];
  /** Level per finding id, overriding the trust model's default (docs/trust-model.md). */
  readonly levels: Readonly<Partial<Record<FindingId, FindingLevel>>>;
}

/** The default policy: no trusted forwarders, no relay domains, every finding at its default level. */
export const defaultPolicy: Policy = Object.freeze({
  trustedForwarders: Object.freeze([]),
  relayDomains: Object.freeze([]),
  levels: Object.freeze({}),
});

/**
 * True when `name` (lower case, no trailing dot) is one of `domains` or a name under one of them — how
 * `trustedForwarders` and `relayDomains` entries match.
 */
export function matchesDomainList(name: string, domains: readonly string[]): boolean {
  for (const domain of domains) {
    if (name === domain) return true;
    if (name.length > domain.length && name.endsWith(domain) && name.charCodeAt(name.length - domain.length - 1) === 46)
      return true;
  }
  return false;
}

/** The level a policy gives `id`, or undefined when it keeps the default. */
export function policyLevel(policy: Policy, id: string): FindingLevel | undefined {
  return Object.hasOwn(policy.levels, id) ? policy.levels[id as FindingId] : undefined;
}
