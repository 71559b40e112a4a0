/**
 * The command-line frame (DESIGN §4.2): global help and version, the subcommand, its flags plus the common ones,
 * and exit codes. Errors become one line on stderr, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseNow } from './clock.js';
import type { Command, CommandIO, OptionSpec, OptionValues } from './command.js';
import { commands } from './commands/index.js';
import { resolverFromFlags } from './dns-flags.js';
import { CliError, UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { terminalSafe, terminalSafeBlock } from './terminal-text.js';

/** Flags every command takes (DESIGN §4.2). */
const commonOptions: OptionSpec = {
  dns: { type: 'string' },
  zone: { type: 'string' },
  now: { type: 'string' },
  policy: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const commonHelp = `Common options:
  --dns HOST[:PORT]   use this DNS server (UDP with TCP fallback) instead of /etc/resolv.conf
  --zone FILE         answer from an RFC 1035 zone file: alone = offline; with --dns = overlay,
                      to try records before publishing them
  --now TIME          evaluate at this time (ISO-8601 or UNIX seconds), e.g. for DKIM x=
  --policy FILE       trust policy (JSON) for commands that judge trust
  --json              machine-readable output
  -h, --help          this help`;

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `mailtrust ${version()} — how far can an email, and the system that sent it, be trusted?

Usage: mailtrust COMMAND [ARGS] [OPTIONS]

Commands:
${list}

${commonHelp}
  -V, --version       print the version

Run 'mailtrust COMMAND --help' for a command's arguments, output and exit codes.
Exit codes: 0 pass/trusted · 1 warnings/low trust · 2 failures/untrusted · 64 usage error
            65 unparseable input · 66 input file missing · 75 DNS unreachable (temporary)
`;
}

/** Turns node:util parseArgs errors into one line a user understands. */
function usageFromParseError(error: unknown, command: string): UsageError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  const option = /'(-{1,2}[^']*)'/.exec(message)?.[1];
  const see = `(see mailtrust ${command} --help)`;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`${command}: unknown option ${option ?? ''} ${see}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        `${command}: option ${option ?? ''} ${/argument missing/.test(message) ? 'needs a value' : 'takes no value'} ${see}`,
      );
    default:
      return new UsageError(`${command}: ${message.split('\n')[0]} ${see}`);
  }
}

/** Runs the command line; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      if (first === 'help' && rest[0] !== undefined) return runCli([rest[0], '--help'], io);
      io.stdout(mainHelp());
      return first === undefined ? ExitCode.usage : ExitCode.ok;
    }
    if (first === '--version' || first === '-V') {
      io.stdout(`mailtrust ${version()}\n`);
      return ExitCode.ok;
    }
    const command: Command | undefined = commands.find((c) => c.name === first);
    if (!command) {
      const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command ${JSON.stringify(first)}`;
      throw new UsageError(`${what} (commands: ${commands.map((c) => c.name).join(', ')}; see mailtrust --help)`);
    }
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...commonOptions, ...command.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw usageFromParseError(error, command.name);
    }
    const values = parsed.values as OptionValues;
    if (values['help'] === true) {
      io.stdout(`${command.help}\n\n${commonHelp}\n`);
      return ExitCode.ok;
    }
    const now = typeof values['now'] === 'string' ? parseNow(values['now']) : undefined;
    const resolver = await resolverFromFlags({
      dns: typeof values['dns'] === 'string' ? values['dns'] : undefined,
      zone: typeof values['zone'] === 'string' ? values['zone'] : undefined,
    });
    // Reports go out escaped (values from a message or DNS are never terminal controls); a signed message goes out
    // byte for byte through stdoutBytes.
    const reportIo: CommandIO = {
      ...io,
      stdout: (text) => io.stdout(terminalSafeBlock(text, io.color === true)),
      stdoutBytes: io.stdoutBytes ?? ((bytes) => io.stdout(Buffer.from(bytes).toString('utf8'))),
    };
    return await command.run(values, parsed.positionals, {
      io: reportIo,
      resolver,
      now: now ? () => now : () => new Date(),
      json: values['json'] === true,
      policyFile: typeof values['policy'] === 'string' ? values['policy'] : undefined,
    });
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`mailtrust: ${terminalSafe(error.message)}\n`);
      return error.exitCode;
    }
    const detail = process.env['MAILTRUST_DEBUG'] ? `\n${(error as Error).stack ?? ''}` : '';
    io.stderr(
      `mailtrust: internal error: ${terminalSafe((error as Error).message ?? String(error))} (please report it; MAILTRUST_DEBUG=1 shows more)${detail}\n`,
    );
    return 70;
  }
}
