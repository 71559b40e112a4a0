/** The HTTP app's dependencies for the dashboard tests: a validated config, the memory store, a silent logger. */
import { pino } from 'pino';
import { createResolver } from '../../src/core/dns/index.js';
import type { HttpDeps } from '../../src/http/deps.js';
import { validateConfig, type ServeConfig } from '../../src/server/config.js';
import { createMetrics } from '../../src/server/metrics.js';
import { MemoryStore } from './memory-store.js';

export const ADMIN_TOKEN = 'admin-token-0123456789';
export const TEST_DOMAIN = 'check.example.test';

export function testConfig(extra: Record<string, unknown> = {}, http: Record<string, unknown> = {}): ServeConfig {
  const result = validateConfig({
    hostname: 'mx.check.example.test',
    smtp: { listen: '127.0.0.1:2525', testDomain: TEST_DOMAIN },
    http: { listen: '127.0.0.1:0', adminToken: ADMIN_TOKEN, ...http },
    ...extra,
  });
  if (!result.ok) throw new Error(result.message);
  return result.config;
}

export function testDeps(options: { dns: string; config?: ServeConfig; store?: MemoryStore }): HttpDeps & {
  store: MemoryStore;
} {
  const metrics = createMetrics();
  const resolver = createResolver({ servers: [options.dns], timeoutMs: 1500, retries: 0, cache: true });
  return {
    config: options.config ?? testConfig(),
    store: options.store ?? new MemoryStore(),
    resolver,
    evaluateOptions: { resolver, authservId: 'mx.check.example.test' },
    logger: pino({ level: 'silent' }),
    registry: metrics.registry,
    metrics,
    now: Date.now,
  };
}
