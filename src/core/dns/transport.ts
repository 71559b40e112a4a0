/**
 * Sending one DNS message to one server over UDP (RFC 1035 §4.2.1) or TCP (RFC 1035 §4.2.2, RFC 7766).
 * Only this file and the network client open sockets (docs/architecture.md: only core/dns touches the network).
 */
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';

/** A DNS server address. */
export interface ServerAddress {
  host: string;
  port: number;
}

/** What came back from one exchange: the raw message, or nothing within the time allowed. */
export type ExchangeResult =
  { kind: 'message'; bytes: Uint8Array } | { kind: 'timeout' } | { kind: 'error'; reason: string };

/** One exchange in progress: `finish` settles it (later calls do nothing); `arm` starts its timer. */
interface Exchange {
  finish(result: ExchangeResult): void;
  /** (Re)starts the time allowed, from now: called when the query has actually been sent. */
  arm(): void;
}

/**
 * One exchange's end, whichever comes first: the reply, an error, the timeout or the abort signal. The socket is
 * released exactly once.
 *
 * The timer runs from when the query leaves, not from when the exchange was created: a busy event loop may send
 * it much later. And an expired timer does not decide at once: timers run before the sockets are read in each turn
 * of the event loop, so the verdict waits for the next check phase (`setImmediate`), after the poll phase has
 * delivered any reply already received. A reply that has arrived is never counted as a timeout.
 */
function settleOnce(
  resolve: (result: ExchangeResult) => void,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  release: () => void,
): Exchange {
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (result: ExchangeResult) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    release();
    resolve(result);
  };
  const onAbort = () => finish({ kind: 'timeout' });
  const onExpiry = () => setImmediate(onAbort);
  signal?.addEventListener('abort', onAbort);
  return {
    finish,
    arm() {
      if (done) return;
      clearTimeout(timer);
      timer = setTimeout(onExpiry, timeoutMs);
    },
  };
}

/**
 * Sends a query over UDP from a fresh socket (a random source port, RFC 5452 §9.2) and waits for a reply with the
 * same ID from the server's address; other datagrams are ignored, as RFC 5452 §9.1 asks.
 */
export function exchangeUdp(
  server: ServerAddress,
  query: Uint8Array,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    const { finish, arm } = settleOnce(resolve, timeoutMs, signal, () => socket.close());
    socket.on('error', (error) => finish({ kind: 'error', reason: error.message }));
    socket.on('message', (message, remote) => {
      if (remote.port !== server.port) return;
      if (message.length < 2 || message[0] !== query[0] || message[1] !== query[1]) return;
      finish({ kind: 'message', bytes: message });
    });
    socket.send(query, server.port, server.host, (error) => {
      if (error) finish({ kind: 'error', reason: error.message });
      else arm();
    });
  });
}

/** Largest DNS message accepted over TCP (the 16-bit length prefix allows 65,535). */
const MAX_TCP_MESSAGE = 65535;

/** Sends a query over TCP with the two-octet length prefix and reads one reply with the same ID. */
export function exchangeTcp(
  server: ServerAddress,
  query: Uint8Array,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    let received = 0;
    const { finish, arm } = settleOnce(resolve, timeoutMs, signal, () => socket.destroy());
    // The connection gets the time allowed, and the reply gets it again once the query is written.
    arm();
    socket.on('error', (error) => finish({ kind: 'error', reason: error.message }));
    socket.on('close', () => finish({ kind: 'error', reason: 'connection closed before a full reply' }));
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + query.length);
      frame.writeUInt16BE(query.length, 0);
      frame.set(query, 2);
      socket.write(frame, () => arm());
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received > 2 + MAX_TCP_MESSAGE) return finish({ kind: 'error', reason: 'reply too long' });
      if (received < 2) return;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const length = all.readUInt16BE(0);
      if (all.length < 2 + length) return;
      const message = all.subarray(2, 2 + length);
      if (message.length < 2 || message[0] !== query[0] || message[1] !== query[1]) {
        return finish({ kind: 'error', reason: 'reply with a different ID' });
      }
      finish({ kind: 'message', bytes: message });
    });
  });
}

/** Parses `HOST`, `HOST:PORT`, `[IPv6]:PORT` or a bare IPv6 address; undefined when it is none of these. */
export function parseServerAddress(text: string): ServerAddress | undefined {
  const trimmed = text.trim();
  let host: string;
  let port = 53;
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIPv6(trimmed)) {
    host = trimmed;
  } else {
    const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(trimmed);
    if (!match) return undefined;
    host = match[1]!;
    if (match[2] !== undefined) port = Number(match[2]);
  }
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}
