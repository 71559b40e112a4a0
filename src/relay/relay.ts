/**
 * The form and script relay, put together from `[relay]`: the intake (forms and the send API hand it posts), the
 * outbox worker (delivery), and the readiness check. The HTTP routes and the service's wiring use this one object.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Resolver } from '../core/index.js';
import type { RelayConfig } from '../server/config.js';
import type { Store } from '../store/types.js';
import { RelayIntake } from './intake.js';
import { checkReadiness, type ReadinessReport } from './readiness.js';
import {
  DEFAULT_CONNECTION_CACHE_LIMITS,
  SmtpConnectionCache,
  type ConnectionCacheLimits,
} from './connection-cache.js';
import { RFC5321_TIMEOUTS, type SmtpTimeouts } from './smtp-client.js';
import { OutboxWorker } from './worker.js';

export interface RelayDeps {
  store: Store;
  resolver: Resolver;
  logger: Logger;
  now: () => number;
  /** Counts each attempt's result (metrics). */
  onAttempt?: (result: 'delivered' | 'deferred' | 'failed') => void;
}

export interface RelayOptions {
  /** SMTP timeouts (default RFC 5321 §4.5.3.2's). */
  timeouts?: SmtpTimeouts;
  /** Pause between polls of an empty outbox (default 1 s). */
  pollMs?: number;
  /**
   * Limits of the SMTP connection cache (default `DEFAULT_CONNECTION_CACHE_LIMITS`, with `relay.workers` idle
   * sessions per address); `false`: one session per delivery.
   */
  connectionCache?: Partial<ConnectionCacheLimits> | false;
  /** [0, 1): MX shuffle and retry jitter (tests pin it). */
  random?: () => number;
}

/** The DKIM key file could not be read or is not a private key. */
export class RelayKeyError extends Error {
  override readonly name = 'RelayKeyError';
}

export class Relay {
  readonly intake: RelayIntake;
  readonly worker: OutboxWorker;

  private constructor(
    readonly config: RelayConfig,
    private readonly deps: RelayDeps,
    privateKeyPem: string,
    options: RelayOptions,
  ) {
    try {
      this.intake = new RelayIntake(
        { config, store: deps.store, now: deps.now, onQueued: () => this.worker.wake() },
        privateKeyPem,
      );
    } catch (error) {
      throw new RelayKeyError(`relay.dkim.keyFile: not a private key (${(error as Error).message})`);
    }
    this.worker = new OutboxWorker({
      store: deps.store,
      delivery: {
        resolver: deps.resolver,
        ehloName: config.hostname,
        port: config.deliveryPort,
        allowLocalMx: config.allowLocalMx,
        timeouts: options.timeouts ?? RFC5321_TIMEOUTS,
        ...(options.connectionCache === false
          ? {}
          : {
              // As many idle sessions per address as deliveries run at once: no more are ever busy together.
              connections: new SmtpConnectionCache({
                ...DEFAULT_CONNECTION_CACHE_LIMITS,
                idlePerHost: Math.max(1, config.workers),
                ...options.connectionCache,
              }),
            }),
        ...(options.random ? { random: options.random } : {}),
      },
      schedule: {
        minimalBackoffMs: config.retry.minimalBackoff,
        maximalBackoffMs: config.retry.maximalBackoff,
        lifetimeMs: config.retry.lifetime,
      },
      identity: this.intake.identity,
      ...(config.bounceTo === undefined ? {} : { bounceTo: config.bounceTo }),
      leaseMs: config.lease,
      concurrency: config.workers,
      logger: deps.logger,
      now: deps.now,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
  }

  /** Reads the key file and builds the relay (nothing runs until `start`). */
  static open(config: RelayConfig, deps: RelayDeps, options: RelayOptions = {}): Relay {
    let pem: string;
    try {
      pem = readFileSync(config.dkim.keyFile, 'utf8');
    } catch (error) {
      throw new RelayKeyError(`relay.dkim.keyFile: cannot read ${config.dkim.keyFile} (${(error as Error).message})`);
    }
    return new Relay(config, deps, pem, options);
  }

  /** Starts delivering (`relay.workers` deliveries at once; 0 = this instance only takes posts). */
  start(): void {
    this.worker.start();
  }

  /** Stops delivering; attempts in flight get `graceMs`, then this worker's leases are released. */
  stop(graceMs: number): Promise<void> {
    return this.worker.stop(graceMs);
  }

  /** Audits the relay's own sending setup. */
  readiness(): Promise<ReadinessReport> {
    return checkReadiness(this.deps.resolver, this.config, this.intake.identity.dkim.privateKey, this.deps.now);
  }

  /** Runs the readiness check and logs each problem with its fix (at start). */
  async logReadiness(): Promise<ReadinessReport> {
    const report = await this.readiness();
    for (const check of report.checks) {
      if (check.status !== 'warn' && check.status !== 'fail') continue;
      this.deps.logger.warn(
        { check: check.id, status: check.status, subject: check.subject, fix: check.remedy, rule: check.rule },
        `relay readiness: ${check.message}`,
      );
    }
    this.deps.logger.info({ result: report.result, domain: report.domain }, 'relay readiness checked');
    return report;
  }
}
