/**
 * Why `mailtrust serve` could not start. `usage` is a configuration problem the operator must fix (exit 64,
 * naming the key); `unavailable` is a resource that is not there — a port that cannot be bound, a database that
 * refuses, a schema newer than this code (exit 69, sysexits.h EX_UNAVAILABLE).
 */
export type StartErrorKind = 'usage' | 'unavailable';

export class StartError extends Error {
  override readonly name = 'StartError';
  constructor(
    readonly kind: StartErrorKind,
    message: string,
  ) {
    super(message);
  }
}
