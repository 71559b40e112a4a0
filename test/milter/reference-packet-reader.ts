/**
 * The plain packet splitter the codec's `PacketReader` is checked against: every byte received is appended to one
 * buffer, and whole packets (4-byte big-endian length, then that many bytes) are cut off its front.
 */
import { DEFAULT_MAX_PACKET_BYTES, type MilterErrorCode, type Packet } from '../../src/milter/codec.js';

export class ReferencePacketReader {
  private buffered = Buffer.alloc(0);
  private failed: MilterErrorCode | undefined;

  constructor(private readonly maxPacketBytes = DEFAULT_MAX_PACKET_BYTES) {}

  push(bytes: Uint8Array): { ok: true; value: Packet[] } | { ok: false; code: MilterErrorCode } {
    if (this.failed) return { ok: false, code: this.failed };
    this.buffered = Buffer.concat([this.buffered, bytes]);
    const packets: Packet[] = [];
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (length === 0) this.failed = 'milter.empty-packet';
      else if (length > this.maxPacketBytes) this.failed = 'milter.packet-too-large';
      if (this.failed) return { ok: false, code: this.failed };
      if (this.buffered.length < 4 + length) break;
      packets.push({ code: this.buffered[4] as number, data: Buffer.from(this.buffered.subarray(5, 4 + length)) });
      this.buffered = this.buffered.subarray(4 + length);
    }
    return { ok: true, value: packets };
  }

  get pending(): number {
    return this.buffered.length;
  }
}
