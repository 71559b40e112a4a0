/**
 * The HTTP app's dependencies for the dashboard tests: a validated config, a fresh SQLite store in memory (the
 * real store, migrations and all), a resolver on the loopback DNS server and a silent logger.
 */
import { pino } from 'pino';
import { createResolver } from '../../src/core/dns/index.js';
import type { HttpDeps } from '../../src/http/deps.js';
import { validateConfig, type ServeConfig } from '../../src/server/config.js';
import { createMetrics } from '../../src/server/metrics.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

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

/** Every store opened here, closed by {@link closeTestStores}. */
const opened: Store[] = [];

export async function closeTestStores(): Promise<void> {
  await Promise.all(opened.splice(0).map((store) => store.close()));
}

export async function testDeps(options: { dns: string; config?: ServeConfig }): Promise<HttpDeps> {
  const store = await openStore('sqlite::memory:');
  opened.push(store);
  const metrics = createMetrics();
  const resolver = createResolver({ servers: [options.dns], timeoutMs: 1500, retries: 0, cache: true });
  return {
    config: options.config ?? testConfig(),
    store,
    resolver,
    evaluateOptions: { resolver, authservId: 'mx.check.example.test' },
    logger: pino({ level: 'silent' }),
    registry: metrics.registry,
    metrics,
    now: Date.now,
  };
}
