/**
 * The MTA side of the milter protocol, for tests and the benchmark: a TCP client that sends commands the way
 * Postfix does (OPTNEG, macros, CONNECT, HELO, MAIL, RCPT, the header fields, EOH, body chunks of at most 65,535
 * bytes, EOM) and reads the filter's replies with mailtrust's own codec.
 */
import { connect, type Socket } from 'node:net';
import {
  Action,
  decodeReply,
  encodeCommand,
  MILTER_CHUNK_SIZE,
  PacketReader,
  Protocol,
  type MilterCommand,
  type MilterReply,
} from '../../src/milter/codec.js';

/** Postfix 3.7's offer: every action and every protocol bit of version 6. */
export const POSTFIX_OFFER = { version: 6, actions: 0x1ff, protocol: 0x1fffff } as const;

/** A message as an MTA hands it to a milter: header fields (values with their leading space, folds as LF) and body. */
export interface MtaMessage {
  headers: [string, string][];
  /** CRLF line ends; without the blank line after the header. */
  body: Buffer;
}

/** Splits a raw message (CRLF or LF) as Postfix does for the milter: fields unfolded to LF-joined lines. */
export function mtaView(raw: Uint8Array | string): MtaMessage {
  const text = (typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw)).toString('latin1');
  const lf = text.replace(/\r\n/g, '\n');
  const end = lf.indexOf('\n\n');
  const head = end < 0 ? lf : lf.slice(0, end + 1);
  const body = end < 0 ? '' : lf.slice(end + 2);
  const headers: [string, string][] = [];
  for (const line of head.split('\n')) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      const last = headers[headers.length - 1] as [string, string];
      last[1] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    headers.push([line.slice(0, colon), line.slice(colon + 1)]);
  }
  return { headers, body: Buffer.from(body.replace(/\n/g, '\r\n'), 'latin1') };
}

export interface Envelope {
  ip: string;
  hostname?: string;
  helo?: string;
  mailFrom: string;
  rcptTo: string[];
}

/** What the filter answered at the end of one message. */
export interface EndOfMessage {
  /** Header changes, quarantine and progress replies, in order. */
  changes: MilterReply[];
  /** The final reply: accept, continue, reject, tempfail, discard or replycode. */
  final: MilterReply;
  progress: number;
}

export class MilterClient {
  private readonly reader = new PacketReader();
  private readonly queue: MilterReply[] = [];
  private waiters: ((reply: MilterReply | undefined) => void)[] = [];
  closed = false;
  /** What the filter agreed to in OPTNEG. */
  negotiated: Extract<MilterReply, { kind: 'optneg' }> | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (bytes: Buffer) => {
      const read = this.reader.push(bytes);
      if (!read.ok) throw new Error(`milter client: ${read.error.message}`);
      for (const packet of read.value) {
        const decoded = decodeReply(packet);
        if (!decoded.ok) throw new Error(`milter client: ${decoded.error.message}`);
        const waiter = this.waiters.shift();
        if (waiter) waiter(decoded.value);
        else this.queue.push(decoded.value);
      }
    });
    const gone = () => {
      this.closed = true;
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
    };
    socket.on('close', gone);
    socket.on('error', gone);
  }

  static open(port: number, host = '127.0.0.1'): Promise<MilterClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => resolve(new MilterClient(socket)));
      socket.once('error', reject);
    });
  }

  /** The next reply, or undefined when the filter closed the connection. */
  next(timeoutMs = 30_000): Promise<MilterReply | undefined> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('milter client: no reply in time')), timeoutMs);
      this.waiters.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  /** Resolves when the filter has closed the connection (or rejects after `timeoutMs`). */
  whenClosed(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('milter client: still open')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  send(command: MilterCommand): void {
    this.socket.write(encodeCommand(command));
  }

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends `command` and, unless the filter agreed not to answer it (`noReplyBit`), reads its reply. */
  async step(command: MilterCommand, noReplyBit = 0): Promise<MilterReply | undefined> {
    this.send(command);
    if (noReplyBit !== 0 && this.negotiated && this.negotiated.protocol & noReplyBit) return undefined;
    return this.next();
  }

  async negotiate(offer: { version: number; actions: number; protocol: number } = POSTFIX_OFFER): Promise<void> {
    this.send({ kind: 'optneg', ...offer });
    const reply = await this.next();
    if (reply?.kind !== 'optneg') throw new Error(`milter client: OPTNEG answered with ${reply?.kind}`);
    this.negotiated = reply;
  }

  async connectAndHelo(envelope: Envelope): Promise<void> {
    this.send({
      kind: 'macro',
      stage: 'C',
      macros: [
        ['j', 'mx.test'],
        ['{daemon_name}', 'mx.test'],
      ],
    });
    const family = envelope.ip.includes(':') ? 'inet6' : 'inet';
    await this.step(
      {
        kind: 'connect',
        hostname: envelope.hostname ?? `[${envelope.ip}]`,
        family,
        port: 40_000,
        address: envelope.ip,
      },
      Protocol.NR_CONN,
    );
    if (envelope.helo !== undefined) await this.step({ kind: 'helo', name: envelope.helo }, Protocol.NR_HELO);
  }

  /** One transaction: MAIL, RCPTs, DATA, the header, the body, EOM; returns the end-of-message replies. */
  async message(
    envelope: Envelope,
    message: MtaMessage,
    options: { abortAfter?: boolean } = {},
  ): Promise<EndOfMessage> {
    this.send({ kind: 'macro', stage: 'M', macros: [['{mail_addr}', envelope.mailFrom]] });
    await this.step({ kind: 'mail', args: [`<${envelope.mailFrom}>`, 'BODY=8BITMIME'] }, Protocol.NR_MAIL);
    for (const rcpt of envelope.rcptTo) await this.step({ kind: 'rcpt', args: [`<${rcpt}>`] }, Protocol.NR_RCPT);
    this.send({ kind: 'macro', stage: 'T', macros: [['i', 'ABC123']] });
    // With SMFIP_NODATA the MTA sends DATA's macros but not the command itself.
    if (!(this.negotiated && this.negotiated.protocol & Protocol.NODATA))
      await this.step({ kind: 'data' }, Protocol.NR_DATA);
    for (const [name, value] of message.headers) await this.step({ kind: 'header', name, value }, Protocol.NR_HDR);
    await this.step({ kind: 'eoh' }, Protocol.NR_EOH);
    for (let at = 0; at < message.body.length; at += MILTER_CHUNK_SIZE)
      await this.step({ kind: 'body', chunk: message.body.subarray(at, at + MILTER_CHUNK_SIZE) }, Protocol.NR_BODY);
    this.send({ kind: 'macro', stage: 'E', macros: [['i', 'ABC123']] });
    this.send({ kind: 'eom', chunk: new Uint8Array(0) });
    const result = await this.endOfMessage();
    if (options.abortAfter ?? true) this.send({ kind: 'abort' });
    return result;
  }

  /** Reads replies until the final one of SMFIC_BODYEOB. */
  async endOfMessage(): Promise<EndOfMessage> {
    const changes: MilterReply[] = [];
    let progress = 0;
    for (;;) {
      const reply = await this.next();
      if (!reply) throw new Error('milter client: connection closed before the end-of-message reply');
      switch (reply.kind) {
        case 'progress':
          progress++;
          continue;
        case 'addheader':
        case 'insheader':
        case 'chgheader':
        case 'quarantine':
          changes.push(reply);
          continue;
        default:
          return { changes, final: reply, progress };
      }
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The header changes of one end of message, applied to `headers` the way Postfix's cleanup does. */
export function applyChanges(
  headers: readonly [string, string][],
  changes: readonly MilterReply[],
): [string, string][] {
  const out = headers.map(([n, v]) => [n, v] as [string, string]);
  for (const change of changes) {
    if (change.kind === 'chgheader') {
      let seen = 0;
      const at = out.findIndex(
        ([n]) => n.toLowerCase() === change.name.toLowerCase() && ++seen === Math.max(1, change.index),
      );
      if (at < 0) continue;
      if (change.value === '') out.splice(at, 1);
      else (out[at] as [string, string])[1] = change.value;
    } else if (change.kind === 'insheader') out.splice(change.index, 0, [change.name, change.value]);
    else if (change.kind === 'addheader') out.push([change.name, change.value]);
  }
  return out;
}

export { Action, Protocol };
