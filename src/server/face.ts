/**
 * A face of `mailtrust serve`: one listener (SMTP, HTTP, milter) or worker (the relay's delivery) started from
 * its config section. Every face has the same small shape, so the service can report where it listens and stop
 * them all the same way on SIGTERM.
 */
export interface Face {
  /** `smtp`, `http`, `milter`, `relay`, … (for logs). */
  readonly name: string;
  /** Where it listens, `HOST:PORT` (`[v6]:PORT`), or a description for a face without a socket. */
  readonly address: string;
  /**
   * Stops accepting new work at once, lets work in flight finish for up to `graceMs`, then ends what is left.
   * Resolves when the face holds no more sockets or timers.
   */
  close(graceMs: number): Promise<void>;
}

/** Formats a bound address the way logs and the `serve` banner show it. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
