import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** An error the command line reports as one line on stderr with a fixed exit code; never a stack trace. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
  }
}

/** Bad flags or values (exit 64). */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** Input that cannot be parsed (exit 65). */
export class DataError extends CliError {
  override readonly name = 'DataError';
  constructor(message: string) {
    super(message, ExitCode.dataError);
  }
}

/** Input file missing or unreadable (exit 66). */
export class NoInputError extends CliError {
  override readonly name = 'NoInputError';
  constructor(message: string) {
    super(message, ExitCode.noInput);
  }
}

/** DNS unreachable: every server timed out or refused (exit 75). */
export class DnsUnreachableError extends CliError {
  override readonly name = 'DnsUnreachableError';
  constructor(message: string) {
    super(message, ExitCode.tempFail);
  }
}
