/** Exit codes of the command line (DESIGN §4.2; 64–75 follow sysexits.h). */
export const ExitCode = {
  /** Trusted / all checks pass. */
  ok: 0,
  /** Low trust / warnings. */
  warn: 1,
  /** Untrusted / failures. */
  fail: 2,
  /** Usage error: unknown flag, bad value. */
  usage: 64,
  /** Input that cannot be parsed. */
  dataError: 65,
  /** Input file missing. */
  noInput: 66,
  /** A service cannot start: a port that cannot be bound, a database schema newer than the code. */
  unavailable: 69,
  /** DNS unreachable (temporary). */
  tempFail: 75,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
