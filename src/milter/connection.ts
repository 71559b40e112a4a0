/**
 * One MTA connection's pump, apart from its socket: bytes in through the packet reader, each command decoded and
 * handed to the session in order, the session's replies out in one write per step. The listener (index.ts) puts
 * a socket behind it; the session benchmark drives it with recorded packets.
 *
 * - Commands are handled as they are read; only the end of a message waits (on its evaluation), and the packets
 *   read meanwhile wait behind it, so every command is answered in the order it came (milter protocol: one
 *   command at a time, replies in order).
 * - A framing or decoding error, or a command out of sequence, ends the connection at once (the MTA applies its
 *   default action); nothing more is read from it.
 */
import type { Logger } from 'pino';
import {
  decodeCommand,
  DEFAULT_MAX_PACKET_BYTES,
  encodeReply,
  PacketReader,
  type MilterError,
  type MilterReply,
  type Packet,
} from './codec.js';
import { MilterSequenceError, MilterSession, type SessionSettings, type SessionStep } from './session.js';

/** The transport under a connection. */
export interface ConnectionIo {
  /** False once nothing more can be written (the peer went away). */
  readonly writable: boolean;
  write(bytes: Buffer): void;
  /** Ends the connection: `end` after what was written, `destroy` at once. */
  close(how: 'end' | 'destroy'): void;
}

export interface ConnectionOptions {
  /** Packets above this size end the connection (default 1 MiB). */
  maxPacketBytes?: number;
  logger?: Logger | undefined;
  /** Called after every command handled, with whether a message is in progress. */
  afterStep?: (inMessage: boolean) => void;
}

export class MilterConnection {
  private readonly reader: PacketReader;
  private readonly session: MilterSession;
  /** Replies made in one tick (the header changes and the verdict at end of message), written as one buffer. */
  private batch: Buffer[] = [];
  /** Packets read but not yet handled (behind an end of message that is waiting on its evaluation). */
  private queued: Packet[] = [];
  private waiting = false;
  private ended = false;

  constructor(
    settings: SessionSettings,
    private readonly io: ConnectionIo,
    private readonly options: ConnectionOptions = {},
  ) {
    this.reader = new PacketReader(options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES);
    this.session = new MilterSession(settings, (reply) => this.send(reply));
  }

  /** True while a message is in progress (between MAIL and its end or abort). */
  get inMessage(): boolean {
    return this.session.inMessage;
  }

  /** Bytes from the MTA. */
  receive(bytes: Buffer): void {
    const read = this.reader.push(bytes);
    if (!read.ok) return this.protocolError(read.error);
    if (this.ended || read.value.length === 0) return;
    for (const packet of read.value) this.queued.push(packet);
    if (!this.waiting) this.drain();
  }

  /** Ends the connection from our side: after the current reply (`close`) or at once (`destroy`). */
  end(how: 'close' | 'destroy'): void {
    if (this.ended) return;
    this.ended = true;
    this.queued = [];
    this.session.dispose();
    // Replies already made leave before the end (a destroyed connection takes nothing more).
    if (how === 'close' && this.batch.length > 0) this.flush();
    this.io.close(how === 'close' ? 'end' : 'destroy');
  }

  /** The transport went away: the session's state is dropped (lookups in flight aborted). */
  closed(): void {
    this.ended = true;
    this.session.dispose();
  }

  private send(reply: MilterReply): void {
    if (!this.io.writable) return;
    if (this.batch.length === 0) process.nextTick(this.flush);
    this.batch.push(encodeReply(reply));
  }

  private readonly flush = (): void => {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    const out = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch);
    if (this.io.writable) this.io.write(out);
  };

  /** Bytes that are not the milter protocol (bad framing, an undecodable command): logged, and the connection ends. */
  private protocolError(error: MilterError): void {
    this.options.logger?.warn(
      { event: 'milter.protocol', code: error.code },
      `milter protocol error: ${error.message}`,
    );
    this.end('destroy');
  }

  private failed(error: unknown): void {
    const sequence = error instanceof MilterSequenceError;
    this.options.logger?.[sequence ? 'warn' : 'error'](
      { event: 'milter.protocol', err: error },
      sequence ? `milter protocol error: ${(error as Error).message}` : 'milter session failed',
    );
    this.end('destroy');
  }

  private stepped(step: SessionStep): void {
    if (step === 'close') this.end('close');
    else this.options.afterStep?.(this.session.inMessage);
  }

  /** Handles queued packets until one has to wait; resumes when it is done. */
  private drain(): void {
    let at = 0;
    while (at < this.queued.length && !this.waiting && !this.ended) {
      const decoded = decodeCommand(this.queued[at++] as Packet);
      if (!decoded.ok) return this.protocolError(decoded.error);
      let step: SessionStep | Promise<SessionStep>;
      try {
        step = this.session.handle(decoded.value);
      } catch (error) {
        this.failed(error);
        return;
      }
      if (typeof step === 'string') {
        this.stepped(step);
        continue;
      }
      this.waiting = true;
      step.then(
        (next) => {
          this.waiting = false;
          this.stepped(next);
          this.drain();
        },
        (error: unknown) => {
          this.waiting = false;
          this.failed(error);
        },
      );
    }
    this.queued = at >= this.queued.length ? [] : this.queued.slice(at);
  }
}
