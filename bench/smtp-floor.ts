/**
 * The floor under `npm run bench:serve`'s CPU figure: an SMTP server built as the test address's is — the same
 * `smtp-server` options (size limit, no AUTH or STARTTLS, no reverse lookup, the same timeouts) — that reads every
 * message's data to its end and answers 250, and does nothing else: no evaluation, no store.
 *
 * Sent the same load in the same run, its CPU per message is what receiving a message over SMTP costs a Node.js
 * process with this SMTP library before any of mailtrust's work: the part of the service's figure that neither
 * the engine nor the store can remove. A baseline for the bench only, never a face of the service.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface FloorSmtp {
  port: number;
  close(): Promise<void>;
}

export async function startFloorSmtp(options: { maxMessageBytes: number; socketTimeout: number }): Promise<FloorSmtp> {
  let stored = 0;
  const server = new SMTPServer({
    name: 'floor.bench.example',
    size: options.maxMessageBytes,
    disabledCommands: ['AUTH', 'STARTTLS'],
    // The reply below carries its own enhanced code, as the test address's do (there, a wrapper keeps it).
    hideENHANCEDSTATUSCODES: true,
    hideDSN: true,
    disableReverseLookup: true,
    socketTimeout: options.socketTimeout,
    closeTimeout: options.socketTimeout,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.once('end', () => callback(null, `2.6.0 stored as floor${stored++}`));
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
