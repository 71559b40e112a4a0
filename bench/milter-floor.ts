/**
 * The floor under `npm run bench:milter`'s CPU figure: a milter that receives every message exactly as mailtrust's
 * does — the same negotiation (actions, skipped steps, macros: session.ts), the same packet reader and decoder, a
 * socket with TCP_NODELAY, one write per reply — and judges nothing. It answers the end of each message with
 * SMFIR_CONTINUE and every other step the MTA still wants answered the same way.
 *
 * Run beside the real milter in the same bench, its CPU per message is what Postfix's milter protocol costs a
 * Node.js process before any evaluation: the part of the milter's figure that no work on the verdict can remove.
 * It is a baseline for the bench only, never a face of the service.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { decodeCommand, encodeReply, MILTER_VERSION, PacketReader, Protocol } from '../src/milter/codec.js';
import { WANTED_ACTIONS, WANTED_MACROS, WANTED_PROTOCOL } from '../src/milter/session.js';

/** The step each command is, as the no-reply bit the MTA may have granted for it (0: always answered). */
const NO_REPLY_BIT: Partial<Record<string, number>> = {
  connect: Protocol.NR_CONN,
  helo: Protocol.NR_HELO,
  mail: Protocol.NR_MAIL,
  rcpt: Protocol.NR_RCPT,
  data: Protocol.NR_DATA,
  header: Protocol.NR_HDR,
  eoh: Protocol.NR_EOH,
  body: Protocol.NR_BODY,
  eom: 0,
  unknown: 0,
};

const CONTINUE = encodeReply({ kind: 'continue' });

export interface FloorMilter {
  port: number;
  close(): Promise<void>;
}

export async function startFloorMilter(host: string): Promise<FloorMilter> {
  const open = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    const reader = new PacketReader();
    let protocol = 0;
    socket.on('error', () => socket.destroy());
    socket.on('data', (bytes: Buffer) => {
      const read = reader.push(bytes);
      if (!read.ok) return void socket.destroy();
      const replies: Buffer[] = [];
      for (const packet of read.value) {
        const decoded = decodeCommand(packet);
        if (!decoded.ok) return void socket.destroy();
        const command = decoded.value;
        if (command.kind === 'optneg') {
          const actions = WANTED_ACTIONS & command.actions;
          protocol = WANTED_PROTOCOL & command.protocol;
          replies.push(
            encodeReply({
              kind: 'optneg',
              version: Math.min(command.version, MILTER_VERSION),
              actions,
              protocol,
              macros: WANTED_MACROS,
            }),
          );
        } else if (command.kind === 'quit') {
          socket.end(Buffer.concat(replies));
          return;
        } else {
          const bit = NO_REPLY_BIT[command.kind];
          if (bit !== undefined && (protocol & bit) === 0) replies.push(CONTINUE);
        }
      }
      if (replies.length > 0) socket.write(replies.length === 1 ? replies[0]! : Buffer.concat(replies));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
