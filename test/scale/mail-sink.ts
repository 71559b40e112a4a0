/**
 * A receiving SMTP server for the relay's deliveries (smtp-server on a loopback address, port 25), that counts
 * what arrives by Message-ID and recipient. It can answer 451 to chosen recipients a number of times (to see the
 * retry schedule work per row) and hold chosen deliveries before its final reply (longer than a lease, to see that
 * the lease is renewed while an attempt runs). It notes any delivery of a (Message-ID, recipient) pair that starts
 * while another delivery of the same pair is still open: two workers holding one row at once. A message whose
 * client disconnects before the final reply is not counted (it was never answered 250, RFC 5321 §4.1.1.4).
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface Delivery {
  messageId: string;
  recipient: string;
  at: number;
  /** The sink address that took it. */
  sink: string;
}

export interface SinkBehaviour {
  /** How many times this recipient's RCPT TO gets `451 4.7.1` before it is taken (default 0). */
  tempFailures?(recipient: string): number;
  /** How long to hold the end of DATA for this recipient before answering 250 (default 0). */
  holdMs?(recipient: string): number;
}

export interface MailSink {
  readonly hosts: readonly string[];
  readonly deliveries: Delivery[];
  /** Pairs seen in flight twice at once: `messageId recipient`. */
  readonly overlaps: string[];
  /** RCPT TO commands answered 451, per recipient. */
  readonly tempFailed: Map<string, number>;
  /** How many times each `messageId recipient` pair was delivered. */
  counts(): Map<string, number>;
  close(): Promise<void>;
}

function messageIdOf(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const header = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const match = /^message-id:\s*(<[^>\r\n]+>)/im.exec(header);
  return match?.[1] ?? '(none)';
}

/** Listens on port `port` of each host (loopback addresses only). */
export async function startMailSink(
  hosts: readonly string[],
  behaviour: SinkBehaviour = {},
  port = 25,
): Promise<MailSink> {
  for (const host of hosts) {
    if (!host.startsWith('127.')) throw new Error(`the sink listens on loopback only, not ${host}`);
  }
  const deliveries: Delivery[] = [];
  const overlaps: string[] = [];
  const tempFailed = new Map<string, number>();
  const inFlight = new Set<string>();
  const servers: SMTPServer[] = [];
  /** Sessions whose client went away: a message still held for them was never answered 250, so it is not taken. */
  const closed = new Set<string>();

  for (const host of hosts) {
    const server = new SMTPServer({
      name: `sink.${host}`,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      maxClients: 500,
      onClose(session) {
        closed.add(session.id);
      },
      onRcptTo(address, _session: SMTPServerSession, callback) {
        const recipient = address.address.toLowerCase();
        const failures = behaviour.tempFailures?.(recipient) ?? 0;
        const seen = tempFailed.get(recipient) ?? 0;
        if (seen < failures) {
          tempFailed.set(recipient, seen + 1);
          const error = new Error('4.7.1 try again later (test sink)') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const messageId = messageIdOf(raw);
          const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          const keys = recipients.map((recipient) => `${messageId} ${recipient}`);
          for (const key of keys) {
            if (inFlight.has(key)) overlaps.push(key);
            inFlight.add(key);
          }
          const hold = Math.max(0, ...recipients.map((r) => behaviour.holdMs?.(r) ?? 0));
          setTimeout(() => {
            const at = Date.now();
            if (!closed.has(session.id))
              for (const recipient of recipients) deliveries.push({ messageId, recipient, at, sink: host });
            for (const key of keys) inFlight.delete(key);
            callback();
          }, hold);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    servers.push(server);
  }

  return {
    hosts,
    deliveries,
    overlaps,
    tempFailed,
    counts() {
      const counts = new Map<string, number>();
      for (const d of deliveries) {
        const key = `${d.messageId} ${d.recipient}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    async close() {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
