import { readFile } from 'node:fs/promises';
import { createResolver, parseServerAddress, parseZoneFile, type DnsClient } from '../core/index.js';
import { DataError, NoInputError, UsageError } from './errors.js';

/** Resolver options a command line gives: `--dns HOST[:PORT]` and `--zone FILE` (DESIGN §4.2). */
export interface DnsFlags {
  dns: string | undefined;
  zone: string | undefined;
}

/**
 * Builds the resolver for one command run: the system's servers, or `--dns`; `--zone` alone is offline, with
 * `--dns` it overlays the server's answers. The client records a trace of its queries.
 */
export async function resolverFromFlags(flags: DnsFlags): Promise<DnsClient> {
  const servers = flags.dns === undefined ? undefined : [flags.dns];
  if (flags.dns !== undefined && !parseServerAddress(flags.dns)) {
    throw new UsageError(
      `--dns: not a server address: ${JSON.stringify(flags.dns)} (use HOST or HOST:PORT, e.g. 127.0.0.1:5353)`,
    );
  }
  let zone;
  if (flags.zone !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.zone, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new NoInputError(
        `${flags.zone}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message} (--zone takes an RFC 1035 zone file)`,
      );
    }
    const parsed = parseZoneFile(text);
    if (!parsed.ok) {
      const where = parsed.error.line !== undefined ? `:${parsed.error.line}` : '';
      const message = parsed.error.message.replace(/^line \d+: /, '');
      throw new DataError(`${flags.zone}${where}: ${message}`);
    }
    zone = parsed.value;
  }
  return createResolver({ ...(servers ? { servers } : {}), ...(zone ? { zone } : {}) }).withTrace();
}
