/** Binding a listener at start: a port that cannot be bound is a `StartError` of kind `unavailable` (exit 69). */
import type { Server } from 'node:net';
import { formatAddress } from './face.js';
import { StartError } from './start-error.js';

export function listenOn(server: Server, host: string, port: number, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const why =
        error.code === 'EADDRINUSE'
          ? 'the address is in use'
          : error.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges)'
            : error.code === 'EADDRNOTAVAIL'
              ? 'no such local address'
              : error.message;
      reject(new StartError('unavailable', `${key}: cannot listen on ${formatAddress(host, port)}: ${why}`));
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
