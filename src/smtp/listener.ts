/**
 * The SMTP listener of the test address: one TCP server at `smtp.listen` handing each connection to one of two
 * smtp-server instances with the same session — one for `smtp.trustedPeers` (XCLIENT, XFORWARD and, with
 * `proxyProtocol`, the PROXY header allowed) and one for everyone else (XCLIENT and XFORWARD answered 550 5.7.0,
 * never advertised). smtp-server's
 * own XCLIENT switch trusts every client; splitting by peer keeps the gate here, with CIDR networks.
 *
 * Bounded: `maxSessions` open sessions (more get 421 4.3.2 and are closed), `socketTimeout` idle time, 4 KiB
 * command lines (smtp-server), `maxMessageBytes` checked on the stream, `maxRecipients`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { inAnyNetwork, parseNetwork, unmapIPv4, type IpNetwork } from '../core/index.js';
import type { SmtpDeps } from './deps.js';
import { hasEnhancedCode } from './replies.js';
import { sessionHandlers } from './session.js';

export interface SmtpListener {
  /** The bound address. */
  readonly host: string;
  readonly port: number;
  /** Open sessions now. */
  sessions(): number;
  close(graceMs: number): Promise<void>;
}

/** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets; smtp-server allows 4 KiB (XCLIENT, long params). */
const MAX_COMMAND_LENGTH = 4096;

function networks(texts: readonly string[]): IpNetwork[] {
  return texts.map((text) => parseNetwork(text)).filter((n): n is IpNetwork => n !== undefined);
}

function peerOf(socket: Socket): string {
  return unmapIPv4(socket.remoteAddress ?? '');
}

/**
 * Makes a connection keep the enhanced status code a reply text starts with (the session's own replies carry
 * the RFC 3463 code that fits, e.g. 550 5.7.1 for a refused recipient), instead of smtp-server's default for
 * the reply's number.
 */
function keepOwnEnhancedCodes(server: SMTPServer): void {
  const connect = server.connect.bind(server);
  server.connect = (socket, socketOptions) => {
    const before = new Set(server.connections);
    connect(socket, socketOptions);
    for (const connection of server.connections) {
      if (before.has(connection)) continue;
      const send = connection.send.bind(connection);
      connection.send = (code, data, context) =>
        send(code, data, typeof data === 'string' && hasEnhancedCode(data) ? false : context);
    }
  };
}

export async function startSmtpListener(deps: SmtpDeps): Promise<SmtpListener> {
  const { config, logger } = deps;
  const trusted = networks(config.trustedPeers);
  const handlers = sessionHandlers(deps);
  const tls = config.tls ? { key: readFileSync(config.tls.key), cert: readFileSync(config.tls.cert) } : undefined;

  const options = (fromTrustedPeer: boolean): SMTPServerOptions => ({
    name: deps.hostname,
    banner: 'mailtrust test address: send a message, read the report',
    size: config.maxMessageBytes,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    hideENHANCEDSTATUSCODES: false,
    hideDSN: true,
    disableReverseLookup: true,
    socketTimeout: config.socketTimeout,
    closeTimeout: config.socketTimeout,
    maxCommandLength: MAX_COMMAND_LENGTH,
    useXClient: fromTrustedPeer,
    // XFORWARD (ADDR, NAME, HELO) is what Postfix's SMTP client sends with smtp_send_xforward_command = yes.
    useXForward: fromTrustedPeer,
    useProxy: fromTrustedPeer && config.proxyProtocol,
    logger: false,
    onConnect: handlers.onConnect,
    onMailFrom: handlers.onMailFrom,
    onRcptTo: handlers.onRcptTo,
    onData: handlers.onData,
    onClose: handlers.onClose,
  });
  const forTrusted = new SMTPServer(options(true));
  const forOthers = new SMTPServer(options(false));
  for (const server of [forTrusted, forOthers]) {
    keepOwnEnhancedCodes(server);
    server.on('error', (error: Error) => logger.warn({ err: error }, 'smtp: session error'));
  }

  const open = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
    if (open.size >= config.maxSessions) {
      // RFC 5321 §4.3.2: 421 when the service is not available now; the client tries again later.
      socket.on('error', () => undefined);
      socket.end(`421 4.3.2 ${deps.hostname} too many sessions, try again later\r\n`);
      return;
    }
    const fromTrustedPeer = inAnyNetwork(peerOf(socket), trusted);
    if (config.proxyProtocol && !fromTrustedPeer) {
      // A PROXY header is only believed from a trusted peer; anyone else is refused outright.
      socket.destroy();
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    (fromTrustedPeer ? forTrusted : forOthers).server.emit('connection', socket);
  });
  tcp.on('error', (error) => logger.error({ err: error }, 'smtp: listener error'));

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(config.listen.port, config.listen.host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const bound = tcp.address() as { address: string; port: number };

  return {
    host: bound.address,
    port: bound.port,
    sessions: () => open.size,
    close: (graceMs) => closeListener(tcp, [forTrusted, forOthers], open, graceMs),
  };
}

/**
 * Stops accepting at once; sessions in flight may finish for up to `graceMs` (a message in DATA gets its
 * reply); then every session left gets 421 4.3.2 and is closed.
 */
async function closeListener(tcp: Server, servers: SMTPServer[], open: Set<Socket>, graceMs: number): Promise<void> {
  const stopped = new Promise<void>((resolve) => tcp.close(() => resolve()));
  const deadline = Date.now() + graceMs;
  while (open.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
  }
  for (const server of servers) {
    for (const connection of server.connections) {
      connection.send(421, '4.3.2 service shutting down, try again later');
      connection.close();
    }
  }
  for (const socket of open) socket.destroy();
  await stopped;
}
