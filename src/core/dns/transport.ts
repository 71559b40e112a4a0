/**
 * Sending one DNS message to one server over UDP (RFC 1035 §4.2.1) or TCP (RFC 1035 §4.2.2, RFC 7766).
 * Only this file and the network client open sockets (DESIGN §3).
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

/**
 * One exchange's end, whichever comes first: the reply, an error, the timeout or the abort signal. Returns the
 * function that settles it; later calls do nothing, and the socket is released exactly once.
 */
function settleOnce(
  resolve: (result: ExchangeResult) => void,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  release: () => void,
): (result: ExchangeResult) => void {
  let done = false;
  const finish = (result: ExchangeResult) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    release();
    resolve(result);
  };
  const onAbort = () => finish({ kind: 'timeout' });
  const timer = setTimeout(onAbort, timeoutMs);
  signal?.addEventListener('abort', onAbort);
  return finish;
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
    const finish = settleOnce(resolve, timeoutMs, signal, () => socket.close());
    socket.on('error', (error) => finish({ kind: 'error', reason: error.message }));
    socket.on('message', (message, remote) => {
      if (remote.port !== server.port) return;
      if (message.length < 2 || message[0] !== query[0] || message[1] !== query[1]) return;
      finish({ kind: 'message', bytes: message });
    });
    socket.send(query, server.port, server.host, (error) => {
      if (error) finish({ kind: 'error', reason: error.message });
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
    const finish = settleOnce(resolve, timeoutMs, signal, () => socket.destroy());
    socket.on('error', (error) => finish({ kind: 'error', reason: error.message }));
    socket.on('close', () => finish({ kind: 'error', reason: 'connection closed before a full reply' }));
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + query.length);
      frame.writeUInt16BE(query.length, 0);
      frame.set(query, 2);
      socket.write(frame);
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
