/**
 * Loopback SMTP servers acting as recipients' MX hosts: each listens on port 25 of its own 127.0.1.x address (the
 * relay's tests use only 127.0.1.0/24) and behaves as told — accept, answer 451 a number of times then accept,
 * answer 550, drop the connection after the greeting, or treat marked messages differently from the others. Each
 * counts its connections and STARTTLS handshakes (and resumed TLS sessions). A host that is "down" is simply not started. STARTTLS is
 * offered with smtp-server's built-in self-signed certificate, so the relay's opportunistic TLS is exercised.
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export type MxBehaviour =
  | { kind: 'accept' }
  | { kind: 'greylist'; times: number }
  | { kind: 'reject' }
  | { kind: 'drop' }
  /** Takes the whole message, then never answers the final dot (the message is not accepted, RFC 5321 §4.1.1.4). */
  | { kind: 'stall' }
  /** Accepts, but answers the final dot only after `ms` milliseconds (a slow MX). */
  | { kind: 'slow'; ms: number }
  /** Answers 451 to the final dot of every message containing `marker`; accepts the others. */
  | { kind: 'defer-marked'; marker: string }
  /** Drops the connection after the final dot of a message containing `marker` (unanswered), `times` times. */
  | { kind: 'drop-marked'; marker: string; times: number };

export interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  tls: boolean;
  helo: string;
}

export interface MxHost {
  ip: string;
  received: Received[];
  /** Sessions that reached DATA's end, accepted or not. */
  dataAttempts: number;
  /** Messages held without an answer (`stall`). */
  stalled: number;
  /** TCP connections accepted, and those still open. */
  connections: number;
  openConnections: number;
  /** STARTTLS handshakes, and how many of them resumed an earlier TLS session. */
  tlsHandshakes: number;
  tlsResumed: number;
  close(): Promise<void>;
}

export async function startMxHost(ip: string, behaviour: MxBehaviour): Promise<MxHost> {
  const received: Received[] = [];
  let dataAttempts = 0;
  let stalled = 0;
  let connections = 0;
  let tlsHandshakes = 0;
  let tlsResumed = 0;
  let drops = 0;
  let closed = 0;
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    name: `mx-${ip}`,
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    // Counted here: after STARTTLS, smtp-server takes every listener off the TCP socket, 'close' included.
    onClose() {
      closed++;
    },
    onSecure(socket, _session, callback) {
      tlsHandshakes++;
      if ((socket as TLSSocket).isSessionReused()) tlsResumed++;
      callback();
    },
    onConnect(session: SMTPServerSession, callback) {
      if (behaviour.kind === 'drop') {
        // End the TCP connection right after the greeting would be expected.
        setImmediate(() => {
          for (const socket of sockets) socket.destroy();
        });
      }
      callback();
      void session;
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        dataAttempts++;
        if (behaviour.kind === 'stall') {
          stalled++;
          return; // no reply: when the client goes away, the message was never accepted
        }
        if (behaviour.kind === 'greylist' && dataAttempts <= behaviour.times) {
          const error = new Error('4.7.1 greylisted, try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          return callback(error);
        }
        const marked =
          (behaviour.kind === 'defer-marked' || behaviour.kind === 'drop-marked') &&
          Buffer.concat(chunks).includes(behaviour.marker);
        if (marked && behaviour.kind === 'drop-marked' && drops < behaviour.times) {
          drops++;
          for (const socket of sockets)
            if (socket.remotePort === session.remotePort && socket.remoteAddress === session.remoteAddress)
              socket.destroy();
          return; // never answered: the client sees the connection go mid-transaction
        }
        if (marked && behaviour.kind === 'defer-marked') {
          const error = new Error('4.2.0 this one later, please') as Error & { responseCode: number };
          error.responseCode = 451;
          return callback(error);
        }
        if (behaviour.kind === 'reject') {
          const error = new Error('5.1.1 no such user here') as Error & { responseCode: number };
          error.responseCode = 550;
          return callback(error);
        }
        const accept = () => {
          received.push({
            mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
            tls: session.secure,
            helo: session.hostNameAppearsAs,
          });
          callback();
        };
        if (behaviour.kind === 'slow') setTimeout(accept, behaviour.ms);
        else accept();
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(25, ip, () => resolve());
  });
  return {
    ip,
    received,
    get dataAttempts() {
      return dataAttempts;
    },
    get stalled() {
      return stalled;
    },
    get connections() {
      return connections;
    },
    get openConnections() {
      return connections - closed;
    },
    get tlsHandshakes() {
      return tlsHandshakes;
    },
    get tlsResumed() {
      return tlsResumed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
