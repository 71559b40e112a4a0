/**
 * The command-line frame (docs/cli.md): global help and version, the subcommand, its flags plus the common ones,
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
import { booleanOption, stringListOption, stringOption } from './options.js';
import { terminalSafe, terminalSafeBlock } from './terminal-text.js';

/** Flags every command takes (docs/cli.md). */
const commonOptions: OptionSpec = {
  dns: { type: 'string' },
  zone: { type: 'string', multiple: true },
  now: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const commonHelp = `Common options:
  --dns HOST[:PORT]   use this DNS server (UDP with TCP fallback) instead of /etc/resolv.conf
  --zone FILE         answer from an RFC 1035 zone file: alone = offline (names not in the file
                      do not exist); with --dns = overlay, to try records before publishing
                      them; repeat it to load several files
  --now TIME          evaluate at this time (ISO-8601 or UNIX seconds), e.g. for DKIM x=
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
  const flag = option?.replace(/ <value>$/, '') ?? '--option';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`${command}: unknown option ${option ?? ''} ${see}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // `--now -5`: a value that starts with a dash reads as another option.
      if (/ambiguous/.test(message))
        return new UsageError(
          `${command}: option ${flag} needs a value; one that starts with - goes after =, as in ${flag}=VALUE ${see}`,
        );
      return new UsageError(
        `${command}: option ${option ?? ''} ${/argument missing/.test(message) ? 'needs a value' : 'takes no value'} ${see}`,
      );
    default:
      return new UsageError(`${command}: ${message.split('\n')[0]} ${see}`);
  }
}

/**
 * A single-valued flag given twice is refused: the second would silently replace the first (`--ip A --ip B` judges
 * B). Repeatable flags (`multiple`) are merged by the command instead.
 */
function refuseRepeats(tokens: ParsedToken[] | undefined, options: OptionSpec, command: string): void {
  const seen = new Set<string>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || options[token.name]?.multiple === true) continue;
    if (seen.has(token.name))
      throw new UsageError(
        `${command}: --${token.name} given more than once (give it once; see mailtrust ${command} --help)`,
      );
    seen.add(token.name);
  }
}

type ParsedToken = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

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
    const options = { ...commonOptions, ...command.options };
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true, tokens: true });
    } catch (error) {
      throw usageFromParseError(error, command.name);
    }
    refuseRepeats(parsed.tokens, options, command.name);
    const values = parsed.values as OptionValues;
    if (booleanOption(values, 'help')) {
      io.stdout(`${command.help}\n\n${commonHelp}\n`);
      return ExitCode.ok;
    }
    const nowText = stringOption(values, 'now');
    const now = nowText !== undefined ? parseNow(nowText) : undefined;
    const dns = stringOption(values, 'dns');
    const zones = stringListOption(values, 'zone');
    const resolver = await resolverFromFlags({ dns, zones }, (line) => io.stderr(`mailtrust: ${terminalSafe(line)}\n`));
    // Reports go out escaped (values from a message or DNS are never terminal controls); a signed message goes out
    // byte for byte through stdoutBytes.
    const reportIo: CommandIO = {
      ...io,
      stdout: (text) => io.stdout(terminalSafeBlock(text, io.color === true)),
      stdoutBytes: io.stdoutBytes ?? ((bytes) => io.stdout(Buffer.from(bytes).toString('utf8'))),
    };
    const code = await command.run(values, parsed.positionals, {
      io: reportIo,
      resolver,
      now: now ? () => now : () => new Date(),
      json: booleanOption(values, 'json'),
      policyFile: stringOption(values, 'policy'),
    });
    if (dns === undefined && zones.length > 0) {
      // Offline answers are only as complete as the file: say so, or a missing name reads as a finding.
      io.stderr(
        `mailtrust: offline: the DNS answers came only from ${terminalSafe(zones.join(', '))}; a name not in ${zones.length > 1 ? 'them' : 'it'} counts as non-existent (add --dns HOST to ask a server for the rest)\n`,
      );
    }
    return code;
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
