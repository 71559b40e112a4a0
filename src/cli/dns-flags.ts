import { readFile } from 'node:fs/promises';
import {
  createResolver,
  findBrokenCnameChain,
  parseServerAddress,
  parseZoneFile,
  type DnsClient,
  type ZoneRecord,
} from '../core/index.js';
import { DataError, NoInputError, UsageError } from './errors.js';

/** The TTL given to records of a zone file that has no `$TTL` and no TTL of its own (one hour). */
const DEFAULT_TTL = 3600;

/** Resolver options a command line gives: `--dns HOST[:PORT]` and `--zone FILE`, repeatable (docs/cli.md). */
export interface DnsFlags {
  dns: string | undefined;
  /** Zone files, in command-line order; their records are merged. */
  zones: string[];
}

/**
 * Builds the resolver for one command run: the system's servers, or `--dns`; `--zone` alone is offline, with
 * `--dns` it overlays the server's answers. The client records a trace of its queries.
 */
export async function resolverFromFlags(flags: DnsFlags, warn: (line: string) => void): Promise<DnsClient> {
  const servers = flags.dns === undefined ? undefined : [flags.dns];
  if (flags.dns !== undefined && !parseServerAddress(flags.dns)) {
    throw new UsageError(
      `--dns: not a server address: ${JSON.stringify(flags.dns)} (use HOST or HOST:PORT, e.g. 127.0.0.1:5353)`,
    );
  }
  let zone: ZoneRecord[] | undefined;
  for (const path of flags.zones) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A directory is the wrong kind of value rather than missing input: a usage error.
      if (code === 'EISDIR') throw new UsageError(`--zone ${path}: is a directory; give a zone file`);
      const why = code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new NoInputError(`${path}: ${why} (--zone takes an RFC 1035 zone file)`);
    }
    const skipped = new Map<string, number>();
    const onSkippedType = (type: string) => skipped.set(type, (skipped.get(type) ?? 0) + 1);
    let parsed = parseZoneFile(text, { onSkippedType });
    // An exported zone may leave the TTL to the server's default: take one, and say so.
    if (!parsed.ok && parsed.error.message.includes('no TTL for this record')) {
      skipped.clear();
      parsed = parseZoneFile(text, { onSkippedType, defaultTtl: DEFAULT_TTL });
      if (parsed.ok)
        warn(`${path}: no $TTL: records without a TTL of their own get ${DEFAULT_TTL} s (add a $TTL line to choose)`);
    }
    if (!parsed.ok) {
      const where = parsed.error.line !== undefined ? `:${parsed.error.line}` : '';
      const message = parsed.error.message.replace(/^line \d+: /, '');
      throw new DataError(`${path}${where}: ${message}`);
    }
    if (skipped.size > 0) {
      const count = [...skipped.values()].reduce((a, b) => a + b, 0);
      warn(
        `${path}: skipped ${count} record${count === 1 ? '' : 's'} of type${skipped.size === 1 ? '' : 's'} ${[...skipped.keys()].join(', ')} (not used in mail checks)`,
      );
    }
    zone = [...(zone ?? []), ...parsed.value];
  }
  // Checked on the merged records: a loop may run through two files.
  const broken = zone && findBrokenCnameChain(zone);
  if (broken) throw new DataError(`${flags.zones.join(', ')}: ${broken.message}`);
  return createResolver({ ...(servers ? { servers } : {}), ...(zone ? { zone } : {}) }).withTrace();
}
