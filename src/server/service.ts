/**
 * `mailtrust serve` put together: opens the store, builds the one shared resolver, the policy, the logger and the
 * metrics, then starts each face whose config section is present. Every face shares those objects, so the DNS
 * cache, the store connections and the counters are one per process.
 */
import type { DestinationStream, Logger } from 'pino';
import type { DnsClient, EvaluateOptions } from '../core/index.js';
import type { HttpDeps } from '../http/deps.js';
import type { Store } from '../store/types.js';
import type { ServeConfig } from './config.js';
import { buildResolver, evaluateOptionsFor, loadPolicy } from './evaluation-setup.js';
import type { Face } from './face.js';
import { startHttpFace } from './http-face.js';
import { startRelayFace } from './relay-face.js';
import { createLogger } from './logger.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { startRetentionJob, type RetentionJob } from './retention.js';
import { startSmtpFace } from './smtp-face.js';
import { openConfiguredStore } from './store-open.js';

/** What every face is built from: one of each per service. Structurally the same as the HTTP app's deps. */
export interface ServiceShared extends HttpDeps {
  config: ServeConfig;
  store: Store;
  resolver: DnsClient;
  evaluateOptions: EvaluateOptions;
  logger: Logger;
  metrics: ServiceMetrics;
  now: () => number;
}

export interface ServiceOptions {
  /** A store already open (tests); otherwise the one `database` names is opened (and closed on `close`). */
  store?: Store;
  /** Where the JSON log lines go (default stdout). */
  logDestination?: DestinationStream;
  /** The clock (default the real one). */
  now?: () => number;
}

export interface Service {
  readonly shared: ServiceShared;
  /** The faces started, in start order. */
  readonly faces: readonly Face[];
  /** The face called `name`, when started. */
  face(name: string): Face | undefined;
  /** Stops every face (in-flight work gets up to `graceMs`, default `shutdownGrace`), then closes the store. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts the service. Throws a `StartError` (`usage` → exit 64, `unavailable` → exit 69) when it cannot; faces
 * already started are stopped again before it throws.
 */
export async function startService(config: ServeConfig, options: ServiceOptions = {}): Promise<Service> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const now = options.now ?? Date.now;
  const resolver = await buildResolver(config);
  const policy = await loadPolicy(config);
  const evaluateOptions = evaluateOptionsFor(config, resolver, policy);
  const ownStore = options.store === undefined;
  const store = options.store ?? (await openConfiguredStore(config, logger));
  const metrics = createMetrics();
  const shared: ServiceShared = {
    config,
    store,
    resolver,
    evaluateOptions,
    logger,
    registry: metrics.registry,
    metrics,
    now,
  };

  const faces: Face[] = [];
  const retention: RetentionJob = startRetentionJob(store, config.retentionDays, logger, now);
  const stopAll = async (graceMs: number): Promise<void> => {
    retention.stop();
    // Listeners stop first (in reverse start order), so nothing new arrives while the rest winds down.
    await Promise.all(
      [...faces]
        .reverse()
        .map((face) =>
          face
            .close(graceMs)
            .catch((error: unknown) => logger.error({ err: error, face: face.name }, 'face close failed')),
        ),
    );
    if (ownStore) await store.close().catch((error: unknown) => logger.error({ err: error }, 'store close failed'));
  };

  try {
    // The faces, one line each, started when their config section is present. The HTTP face is always on
    // (health and metrics). A new face is one more line here: `faces.push(await startXFace(shared))`.
    // The relay comes before the HTTP face, whose form and send routes hand it posts (and it stops after it).
    if (config.relay) faces.push(await startRelayFace(shared, config.relay));
    faces.push(await startHttpFace(shared));
    if (config.smtp) faces.push(await startSmtpFace(shared, config.smtp));
    // milter: if (config.milter) faces.push(await startMilter(shared, config.milter));
  } catch (error) {
    await stopAll(0);
    throw error;
  }

  for (const face of faces) logger.info({ face: face.name, address: face.address }, `${face.name} listening`);

  return {
    shared,
    faces,
    face: (name) => faces.find((face) => face.name === name),
    close: (graceMs = config.shutdownGrace) => stopAll(graceMs),
  };
}
