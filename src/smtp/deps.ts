/** What the SMTP face is built from: the service hands over its shared objects (one of each per process). */
import type { Logger } from 'pino';
import type { EvaluateOptions, Evaluation, Resolver } from '../core/index.js';
import type { SmtpConfig } from '../server/config.js';
import type { Store } from '../store/types.js';

export interface SmtpDeps {
  config: SmtpConfig;
  store: Store;
  /** The shared resolver: the session warms its cache as the envelope arrives. */
  resolver: Resolver;
  /** Resolver, policy, authserv-id and receiver of every evaluation. */
  evaluateOptions: EvaluateOptions;
  /** The banner name (`hostname`). */
  hostname: string;
  logger: Logger;
  now: () => number;
  /** Counters: one call per session opened / closed and per message stored. */
  events?: SmtpEvents;
}

export interface SmtpEvents {
  sessionOpened(): void;
  sessionClosed(): void;
  messageStored(evaluation: Evaluation): void;
}
