/**
 * What every evaluation of one service shares: ONE resolver (so one DNS cache for SMTP, milter, HTTP and relay),
 * the trust policy and the authserv-id. Built once at start from `dns`, `zone`, `[policy]` / `policyFile` and
 * `hostname`.
 */
import { readFile } from 'node:fs/promises';
import { hostname as machineName } from 'node:os';
import {
  createResolver,
  findBrokenCnameChain,
  parsePolicy,
  parseZoneFile,
  type DnsClient,
  type EvaluateOptions,
  type Policy,
} from '../core/index.js';
import type { ServeConfig } from './config.js';
import { StartError } from './start-error.js';

/**
 * The shared resolver: `dns` servers (default /etc/resolv.conf); `zone` alone answers offline from the file,
 * with `dns` it overlays the servers' answers (try records before publishing them). Caches by TTL.
 */
export async function buildResolver(config: ServeConfig): Promise<DnsClient> {
  let zone;
  if (config.zone !== undefined) {
    const text = await readConfigFile(config.zone, 'zone', 'an RFC 1035 zone file');
    const parsed = parseZoneFile(text);
    if (!parsed.ok) {
      const where = parsed.error.line !== undefined ? `:${parsed.error.line}` : '';
      throw new StartError('usage', `zone: ${config.zone}${where}: ${parsed.error.message.replace(/^line \d+: /, '')}`);
    }
    const broken = findBrokenCnameChain(parsed.value);
    if (broken) throw new StartError('usage', `zone: ${config.zone}: ${broken.message}`);
    zone = parsed.value;
  }
  try {
    return createResolver({
      ...(config.dns !== undefined ? { servers: config.dns } : {}),
      ...(zone !== undefined ? { zone } : {}),
    });
  } catch (error) {
    throw new StartError('usage', `dns: ${(error as Error).message}`);
  }
}

/** The trust policy: the `[policy]` table or the `policyFile` JSON (not both), else the default policy. */
export async function loadPolicy(config: ServeConfig): Promise<Policy | undefined> {
  if (config.policy !== undefined && config.policyFile !== undefined) {
    throw new StartError('usage', 'policy: give either a [policy] table or policyFile, not both');
  }
  let text: string | undefined;
  let where = 'policy';
  if (config.policy !== undefined) text = JSON.stringify(config.policy);
  if (config.policyFile !== undefined) {
    text = await readConfigFile(config.policyFile, 'policyFile', 'a JSON policy file');
    where = `policyFile: ${config.policyFile}`;
  }
  if (text === undefined) return undefined;
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new StartError('usage', `${where}: ${parsed.error.message.replace(/^policy: /, '')}`);
  return parsed.value;
}

/** The name this instance gives itself: `hostname`, else the machine's name. */
export function serviceHostname(config: ServeConfig): string {
  return config.hostname ?? machineName();
}

/** The options every evaluation of this service uses. */
export function evaluateOptionsFor(
  config: ServeConfig,
  resolver: DnsClient,
  policy: Policy | undefined,
): EvaluateOptions {
  const name = serviceHostname(config);
  return {
    resolver,
    authservId: config.authservId ?? name,
    receiver: name,
    ...(policy !== undefined ? { policy } : {}),
  };
}

async function readConfigFile(path: string, key: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartError(
      'usage',
      `${key}: ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message} (${what})`,
    );
  }
}
