import type { EngineCaches } from './caches.js';
import type { Resolver } from './dns/types.js';

/** Limits that bound the work of one evaluation (RFC 7208 §4.6.4 and mailtrust's own caps). */
export interface Limits {
  /** SPF: DNS-querying terms per check_host (RFC 7208 §4.6.4). */
  spfDnsMechanisms: number;
  /** SPF: lookups returning no records (RFC 7208 §4.6.4). */
  spfVoidLookups: number;
  /** DKIM: signatures verified per message. */
  dkimSignatures: number;
}

/** RFC defaults. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  spfDnsMechanisms: 10,
  spfVoidLookups: 2,
  dkimSignatures: 10,
});

/** The one context every async check takes (docs/architecture.md): side effects come only through it. */
export interface CheckContext {
  resolver: Resolver;
  /** The evaluation clock; core code never calls Date.now(). */
  now: () => Date;
  limits: Limits;
  signal?: AbortSignal;
  /** Where parsed keys and records are kept; default: the process's (`defaultEngineCaches()`). */
  caches?: EngineCaches;
}
