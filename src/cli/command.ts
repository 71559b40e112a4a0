import type { ParseArgsConfig } from 'node:util';
import type { DnsClient } from '../core/index.js';
import type { ExitCodeValue } from './exit-codes.js';

/** Where a command writes; tests pass their own. */
export interface CommandIO {
  stdout: (text: string) => void;
  /** Writes bytes as they are (a signed message that is not UTF-8); falls back to text where absent. */
  stdoutBytes?: (bytes: Uint8Array) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input. */
  readStdin: () => Promise<Uint8Array>;
  /** True when standard input is a terminal (a hint is shown before waiting on it). */
  stdinIsTerminal?: boolean;
  /** True when stderr is a terminal (progress lines only then). */
  interactive: boolean;
  /** True when stdout is a terminal and NO_COLOR is not set: colour is allowed. */
  color?: boolean;
}

/** What the frame gives every command after parsing the common flags (docs/cli.md). */
export interface CommandEnv {
  io: CommandIO;
  /** Resolver built from --dns / --zone (or the system's servers), recording a trace (`resolver.trace`). */
  resolver: DnsClient;
  /** Clock from --now, else the real one. */
  now: () => Date;
  /** --json given. */
  json: boolean;
  /** --policy FILE, when given (read by the commands that use a policy). */
  policyFile: string | undefined;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Values parsed for a command's own options (strings, booleans, or arrays for `multiple`). */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One subcommand (`spf`, `dkim`, `check`, …). */
export interface Command {
  name: string;
  /** One line for `mailtrust --help`. */
  summary: string;
  /** Full text of `mailtrust NAME --help` (usage line, options, examples, exit codes). */
  help: string;
  /** The command's own flags; the common flags are added by the frame. */
  options: OptionSpec;
  /** Runs with the parsed flags and positionals; returns the exit code, or throws a CliError. */
  run(values: OptionValues, positionals: string[], env: CommandEnv): Promise<ExitCodeValue>;
}
