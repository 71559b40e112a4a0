/** What the HTTP app of `mailtrust serve` is built from: the wiring in src/server hands these over. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EvaluateOptions, Resolver } from '../core/index.js';
import type { Relay } from '../relay/relay.js';
import type { ServeConfig } from '../server/config.js';
import type { ServiceMetrics } from '../server/metrics.js';
import type { Store } from '../store/types.js';

export interface HttpDeps {
  config: ServeConfig;
  store: Store;
  /** The one shared resolver (with its cache) of this instance. */
  resolver: Resolver;
  /** Resolver, policy, authserv-id and receiver for every evaluation of this instance. */
  evaluateOptions: EvaluateOptions;
  logger: Logger;
  registry: Registry;
  /** The service's counters (messages by verdict, sessions, DNS latency); registered on `registry`. */
  metrics: ServiceMetrics;
  /** The clock (tests may pin it). */
  now: () => number;
  /** The form and script relay, when `[relay]` is configured (its form and send routes hand it posts). */
  relay?: Relay;
}
