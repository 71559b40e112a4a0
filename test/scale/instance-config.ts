/**
 * The config of one `mailtrust serve` instance in the scale-out tests, as TOML: every instance of a test shares the
 * database, the DNS server and the relay's identity, and listens on port 0 (the log says where).
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'smol-toml';

export const TEST_DOMAIN = 'check.scale.test';
export const RELAY_HOST = 'relay.scale.test';
export const HELPDESK_DOMAIN = 'helpdesk.scale.test';

export interface InstanceConfigOptions {
  database: string;
  /** `127.0.0.1:PORT` of the test DNS server. */
  dns?: string;
  /** The SMTP test-address face (default on). */
  smtp?: boolean;
  /** The relay: its DKIM key file and settings; off when undefined. */
  relay?: RelayOptions;
  databasePool?: number;
  trustedProxies?: string[];
  retentionDays?: number;
  logLevel?: string;
  /** Extra top-level keys, merged last. */
  extra?: Record<string, unknown>;
}

export interface RelayOptions {
  keyFile: string;
  /** `relay.workers` (delivery loops in this instance). */
  workers?: number;
  lease?: string;
  minimalBackoff?: string;
  maximalBackoff?: string;
  sendTo?: string[];
  forms?: Record<string, unknown>[];
  rateLimit?: { perIp?: string; perForm?: string };
}

/** Writes a fresh RSA key for the relay's DKIM signature and returns its path. */
export function writeDkimKey(dir: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(dir, 'relay.key');
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return path;
}

/** The dashboard's admin token of every instance (sign-in is shared through the database). */
export const ADMIN_TOKEN = 'scale-admin-token-0123456789';

export function instanceConfig(options: InstanceConfigOptions): string {
  const document: Record<string, unknown> = {
    hostname: 'mx.scale.test',
    database: options.database,
    databasePool: options.databasePool ?? 5,
    logLevel: options.logLevel ?? 'info',
    retentionDays: options.retentionDays ?? 30,
    shutdownGrace: '2s',
  };
  if (options.dns) document['dns'] = [options.dns];
  document['http'] = {
    listen: '127.0.0.1:0',
    trustedProxies: options.trustedProxies ?? [],
    adminToken: ADMIN_TOKEN,
  };
  if (options.smtp !== false) {
    document['smtp'] = { listen: '127.0.0.1:0', testDomain: TEST_DOMAIN, socketTimeout: '30s' };
  }
  const relay = options.relay;
  if (relay) {
    document['relay'] = {
      hostname: RELAY_HOST,
      from: `forms@${RELAY_HOST}`,
      dkim: { domain: RELAY_HOST, selector: 's1', keyFile: relay.keyFile },
      sendTo: relay.sendTo ?? [],
      allowLocalMx: true,
      deliveryPort: 25,
      lease: relay.lease ?? '15m',
      workers: relay.workers ?? 1,
      retry: {
        minimalBackoff: relay.minimalBackoff ?? '5m',
        maximalBackoff: relay.maximalBackoff ?? '66m',
        lifetime: '5d',
      },
      ...(relay.rateLimit ? { rateLimit: relay.rateLimit } : {}),
      forms: relay.forms ?? [],
    };
  }
  Object.assign(document, options.extra ?? {});
  return stringify(document);
}
