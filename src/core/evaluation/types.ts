/** The shape of one message's evaluation (docs/cli.md): what `evaluate()` returns and `check --json` prints. */
import type { ArcResult } from '../arc/index.js';
import type { EngineCaches } from '../caches.js';
import type { Limits } from '../context.js';
import type { DkimResult } from '../dkim/index.js';
import type { DmarcResult } from '../dmarc/index.js';
import type { Resolver, TraceEntry } from '../dns/types.js';
import type { HeadersResult } from '../headers/index.js';
import type { HeloResult } from '../helo/index.js';
import type { IprevResult } from '../iprev/index.js';
import type { Policy } from '../policy/index.js';
import type { SpfResult } from '../spf/index.js';
import type { Reason } from '../verdict/index.js';

/** The SMTP envelope of a message (RFC 5321 §3.3): client address, greeting, reverse-path, recipients. */
export interface Envelope {
  ip: string;
  helo?: string;
  /** The reverse-path; `''` or `'<>'` is the null sender of bounces (RFC 5321 §4.5.5). */
  mailFrom?: string;
  rcptTo?: string[];
}

export interface EvaluateOptions {
  /** Default: the system's DNS servers through one process-wide cache. */
  resolver?: Resolver;
  /** The evaluation clock (DKIM `x=`, Date checks). Default: now. */
  now?: Date;
  /** The authserv-id of the Authentication-Results header (RFC 8601 §2.5). Default `mailtrust`. */
  authservId?: string;
  /** Receiving host name, for SPF's `%{r}` macro. */
  receiver?: string;
  limits?: Partial<Limits>;
  signal?: AbortSignal;
  /**
   * Where parsed keys and records are kept (`createEngineCaches()`): one per service instance, a fresh one per
   * test. Default: the process's.
   */
  caches?: EngineCaches;
  /** The trust policy (docs/trust-model.md); default: trust model v1 as documented in docs/trust-model.md. */
  policy?: Policy;
}

/** SPF as the evaluation reports it: the check's result without its step-by-step trace. */
export type EvaluationSpf = Omit<SpfResult, 'trace'>;

/** One message's evaluation. Field names are stable (docs/cli.md); more may be added. */
export interface Evaluation {
  verdict: 'trusted' | 'low' | 'untrusted';
  /** True when a DNS temperror kept the verdict from `trusted`: evaluate again later. */
  retryable: boolean;
  /** Why, most serious first: finding id, level, a sentence with the values, and what the sender should change. */
  reasons: Reason[];
  iprev: IprevResult;
  helo: HeloResult;
  spf: EvaluationSpf;
  dkim: DkimResult[];
  dmarc: DmarcResult;
  arc: ArcResult;
  /** RFC 5322 checks of the header fields and the domains they name. */
  headers: HeadersResult;
  /** `Authentication-Results: …` for the results above (RFC 8601), one line. */
  authenticationResults: string;
  /** The envelope that was evaluated. */
  envelope: Envelope;
  /** The domain of the single From mailbox, when there is one. */
  fromDomain?: string;
  /** Every DNS query made, in order (name, type, outcome, ttl, ms, source). */
  dns: { queries: TraceEntry[] };
}
