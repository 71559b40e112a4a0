/** Binding a listener at start: a port that cannot be bound is a `StartError` of kind `unavailable` (exit 69). */
import type { Server } from 'node:net';
import { formatAddress } from './face.js';
import { StartError } from './start-error.js';

/** The one line naming the config key, the address and why it could not be bound. */
export function bindError(key: string, host: string, port: number, error: unknown): StartError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? 'the address is in use'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : code === 'EADDRNOTAVAIL'
          ? 'no such local address'
          : (error as Error).message;
  return new StartError('unavailable', `${key}: cannot listen on ${formatAddress(host, port)}: ${why}`);
}

export function listenOn(server: Server, host: string, port: number, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(bindError(key, host, port, error));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
