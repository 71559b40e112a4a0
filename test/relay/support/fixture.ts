/**
 * The relay's test world: a DKIM key written to a temporary file, a loopback DNS server holding the relay's own
 * records (A, PTR, SPF, DKIM key, DMARC) plus each test's recipient domains, and a validated `[relay]` config.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createResolver, type DnsClient } from '../../../src/core/index.js';
import { validateConfig, type RelayConfig, type ServeConfig } from '../../../src/server/config.js';
import { publishedKeyBytes } from '../../../src/relay/readiness.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer, type ZoneShorthand } from '../../support/dns-server.js';

export const RELAY_HOST = 'relay.example.com';
export const RELAY_IP = '192.0.2.25';
export const SELECTOR = 's1';
export const FORM_TOKEN = 'form-token-0123456789abcdef';

export interface RelayWorld {
  dns: TestDnsServer;
  resolver: DnsClient;
  keyFile: string;
  privateKey: KeyObject;
  /** The DKIM key record as published. */
  keyRecord: string;
  dir: string;
  close(): Promise<void>;
}

/** The relay's own DNS records (a setup receivers trust). */
export function relayZone(keyRecord: string): ZoneShorthand {
  return {
    [RELAY_HOST]: { A: [RELAY_IP], TXT: [`v=spf1 ip4:${RELAY_IP} -all`], MX: [[10, `mail.${RELAY_HOST}`]] },
    [`mail.${RELAY_HOST}`]: { A: ['192.0.2.26'] },
    '25.2.0.192.in-addr.arpa': { PTR: [RELAY_HOST] },
    [`${SELECTOR}._domainkey.${RELAY_HOST}`]: { TXT: [splitTxt(keyRecord)] },
    [`_dmarc.${RELAY_HOST}`]: { TXT: ['v=DMARC1; p=reject; adkim=s; aspf=s'] },
    // The visitor's domain (Reply-To) exists and receives mail.
    'visitor.example.org': { MX: [[10, 'mx.visitor.example.org']] },
    'mx.visitor.example.org': { A: ['198.51.100.77'] },
  };
}

/** A recipient domain whose one MX, `mx.<domain>`, is the loopback host at `ip` (a test's MX server listens there). */
export function loopbackMx(domain: string, ip: string): ZoneShorthand {
  return { [domain]: { MX: [[10, `mx.${domain}`]] }, [`mx.${domain}`]: { A: [ip] } };
}

function splitTxt(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 255) parts.push(text.slice(i, i + 255));
  return parts;
}

export async function startRelayWorld(recipients: ZoneShorthand): Promise<RelayWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-relay-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(dir, 'relay.key');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const keyRecord = `v=DKIM1; k=rsa; p=${Buffer.from(publishedKeyBytes(privateKey)).toString('base64')}`;
  const dns = await startTestDnsServer({ records: zoneRecords({ ...relayZone(keyRecord), ...recipients }) });
  const resolver = createResolver({ servers: [dns.address], timeoutMs: 300, retries: 0, cache: false });
  return { dns, resolver, keyFile, privateKey, keyRecord, dir, close: () => dns.close() };
}

/** A validated config from a `[relay]` table (defaults filled in), with the test's key file and loopback DNS. */
export function serveConfig(
  world: RelayWorld,
  relay: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): ServeConfig {
  const result = validateConfig(configDocument(world, relay, extra));
  if (!result.ok) throw new Error(`test config: ${result.message}`);
  return result.config;
}

/** The config document (as the TOML file would give it) behind `serveConfig`. */
export function configDocument(
  world: RelayWorld,
  relay: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    hostname: 'mx.example.com',
    dns: [world.dns.address],
    logLevel: 'silent',
    ...extra,
    relay: {
      hostname: RELAY_HOST,
      from: `forms@${RELAY_HOST}`,
      mailFrom: `bounces@${RELAY_HOST}`,
      dkim: { domain: RELAY_HOST, selector: SELECTOR, keyFile: world.keyFile },
      allowLocalMx: true,
      retry: { minimalBackoff: '300ms', maximalBackoff: '1s', lifetime: '1h' },
      lease: '5s',
      workers: 4,
      ...relay,
    },
  };
}

export function relayConfig(world: RelayWorld, relay: Record<string, unknown>): RelayConfig {
  return serveConfig(world, relay).relay as RelayConfig;
}

export const silentLogger = pino({ level: 'silent' });

/** Verifies the DKIM signature of a message with dkimpy (Debian python3-dkim), the key record given directly. */
export function dkimpyVerify(raw: Uint8Array, keyRecord: string): boolean {
  const script = [
    'import sys, dkim',
    'record = sys.argv[1].encode()',
    'def dnsfunc(name, timeout=5):',
    '    return record',
    'msg = sys.stdin.buffer.read()',
    'print("PASS" if dkim.verify(msg, dnsfunc=dnsfunc) else "FAIL")',
  ].join('\n');
  const out = execFileSync('/usr/bin/python3', ['-c', script, keyRecord], { input: raw, timeout: 20_000 });
  return out.toString().trim() === 'PASS';
}

export { waitFor } from '../../support/wait-for.js';
