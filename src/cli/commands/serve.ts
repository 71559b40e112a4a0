/**
 * `mailtrust serve`: the long-running service — SMTP test address, HTTP API, and the faces other config sections
 * switch on. Reads one TOML file (`--config`, else ./mailtrust.toml when present), lets flags override it,
 * validates every key, starts, and runs until SIGTERM or SIGINT (then stops accepting, lets sessions in flight
 * finish for up to `shutdownGrace`, closes the store and exits 0). See docs/serve.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { validateConfig } from '../../server/config.js';
import { startService } from '../../server/service.js';
import type { Command, CommandIO, OptionValues } from '../command.js';
import { CliError, NoInputError, UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

const DEFAULT_CONFIG = './mailtrust.toml';

function text(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The TOML document of `--config` (or ./mailtrust.toml), or an empty one when there is none. */
function readConfigDocument(path: string | undefined): Record<string, unknown> {
  const file = path ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (file === undefined) return {};
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NoInputError(`${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message} (--config)`);
  }
  try {
    return parseToml(source) as Record<string, unknown>;
  } catch (error) {
    const { line, column } = error as { line?: number; column?: number };
    const where = line !== undefined ? `:${line}${column !== undefined ? `:${column}` : ''}` : '';
    const first = ((error as Error).message.split('\n')[0] ?? '').trim();
    throw new UsageError(`${file}${where}: not valid TOML: ${first}`);
  }
}

/** Flags override the file: --db → database, --dns → dns, --zone → zone, --policy → policyFile. */
function withFlags(document: Record<string, unknown>, values: OptionValues): Record<string, unknown> {
  const out = { ...document };
  const db = text(values, 'db');
  const dns = text(values, 'dns');
  const zone = text(values, 'zone');
  const policy = text(values, 'policy');
  if (db !== undefined) out['database'] = db;
  if (dns !== undefined) out['dns'] = [dns];
  if (zone !== undefined) out['zone'] = zone;
  if (policy !== undefined) {
    out['policyFile'] = policy;
    delete out['policy'];
  }
  return out;
}

/** Resolves on the first SIGTERM or SIGINT. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

export async function runServe(values: OptionValues, io: CommandIO): Promise<ExitCodeValue> {
  const document = withFlags(readConfigDocument(text(values, 'config')), values);
  const validated = validateConfig(document);
  if (!validated.ok) throw new UsageError(`config: ${validated.message}`);
  let service;
  try {
    service = await startService(validated.config);
  } catch (error) {
    if ((error as Error).name === 'StartError') {
      const kind = (error as { kind: 'usage' | 'unavailable' }).kind;
      throw new CliError((error as Error).message, kind === 'usage' ? ExitCode.usage : ExitCode.unavailable);
    }
    throw error;
  }
  const where = service.faces.map((face) => `${face.name} ${face.address}`).join(', ');
  io.stderr(`mailtrust serve: listening (${where}); SIGTERM stops\n`);
  const signal = await stopSignal();
  service.shared.logger.info({ signal }, 'stopping: no new sessions; finishing those in flight');
  await service.close();
  service.shared.logger.info('stopped');
  return ExitCode.ok;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the service: SMTP test address, HTTP API, milter, form relay',
  options: {
    config: { type: 'string' },
    db: { type: 'string' },
  },
  help: `Usage: mailtrust serve [--config FILE] [--db URL] [--dns HOST[:PORT]] [--zone FILE] [--policy FILE]

Runs the service. Each face starts when its section is in the config: [smtp] the test address,
[http] the JSON API and pages (always on, 127.0.0.1:8025 by default), [milter], [relay].
Logs are JSON lines on stdout. SIGTERM (or Ctrl-C) stops accepting, lets sessions in flight
finish for up to shutdownGrace, closes the database and exits 0.

Options:
  --config FILE       the TOML config (default ./mailtrust.toml when present); every key is
                      described in docs/serve.md
  --db URL            database: sqlite:PATH or postgres://user@host:5432/db (overrides "database")
  --dns HOST[:PORT]   DNS server for every evaluation (overrides "dns")
  --zone FILE         zone file: alone = offline, with --dns = overlay (overrides "zone")
  --policy FILE       trust policy JSON (overrides "policyFile" and [policy])

Exit codes:
  0   stopped by SIGTERM/SIGINT
  64  unknown config key or bad value (the key is named), bad flag, TOML syntax error
  66  the --config file does not exist
  69  a listener cannot bind its port, or the database cannot be opened or is newer than this code

Example:
  mailtrust serve --config examples/serve.toml
  swaks --to anything@check.localhost --server 127.0.0.1:2525
  curl http://127.0.0.1:8025/api/v1/tests/anything`,
  run: (values, _positionals, env) => runServe(values, env.io),
};
