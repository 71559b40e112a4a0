/**
 * The SMTP session of a test address: what happens at each command, from connection to the reply after DATA.
 *
 * The message is evaluated as the session goes (RFC 5321 §3 order): the connection warms the shared DNS cache
 * for iprev (PTR of the client), MAIL FROM starts the evaluator — iprev, HELO and SPF checks begin while the
 * client is still sending recipients — and DATA streams through it (DKIM body hashes, headers, ARC). The reply
 * to the final dot is 250 only after the message and its evaluation are committed to the store (nothing
 * acknowledged is lost); a store that fails gives 451 4.3.0 and the client retries.
 */
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { createEvaluator, unmapIPv4, type Envelope, type Evaluator } from '../core/index.js';
import { newId } from '../store/ids.js';
import type { NewMessage } from '../store/types.js';
import type { SmtpDeps } from './deps.js';
import { displayFields } from './display-fields.js';
import { replies, smtpReply, type SmtpReplyError } from './replies.js';
import { testLocalPart } from './test-address.js';

type Callback = (error?: Error | null) => void;
type DataCallback = (error?: Error | null, message?: string) => void;

/** One mail transaction (MAIL FROM … final dot), reset by RSET, a new EHLO or the end of DATA. */
interface Transaction {
  envelope: Envelope & { rcptTo: string[] };
  evaluator: Evaluator;
  /** The distinct test local parts among the recipients, lower-cased. */
  localParts: string[];
}

/** The client's address; an IPv4 client of a dual-stack socket as its dotted quad. */
function clientIp(session: SMTPServerSession): string {
  return unmapIPv4(session.remoteAddress ?? '');
}

/**
 * The client's HELO name. With XCLIENT (from a trusted proxy such as Postfix) the proxy's HELO attribute names
 * the real client's greeting; as in Postfix, an EHLO sent after an XCLIENT that changed ADDR replaces it (that
 * XCLIENT reset the session and required a new greeting).
 */
function heloName(session: SMTPServerSession): string | undefined {
  const xclient = session.xClient as Map<string, string | number | false> | undefined;
  const greeting = session.hostNameAppearsAs || undefined;
  if (xclient?.has('ADDR') && greeting !== undefined) return greeting;
  const proxied = xclient?.get('HELO');
  if (typeof proxied === 'string' && proxied.length > 0) return proxied;
  return greeting;
}

export interface SessionHandlers {
  onConnect(session: SMTPServerSession, callback: Callback): void;
  onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void;
  onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: Callback): void;
  onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: DataCallback): void;
  onClose(session: SMTPServerSession): void;
}

export function sessionHandlers(deps: SmtpDeps): SessionHandlers {
  const { config, logger } = deps;
  const transactions = new WeakMap<SMTPServerSession, Transaction>();

  /** Looks a name up to fill the shared cache; the evaluation asks again and gets the cached answer. */
  const warm = (lookup: () => Promise<unknown>): void => {
    lookup().catch(() => undefined);
  };

  return {
    onConnect(session, callback) {
      deps.events?.sessionOpened();
      warm(() => deps.resolver.ptr(clientIp(session)));
      callback();
    },

    onMailFrom(address, session, callback) {
      const envelope: Envelope & { rcptTo: string[] } = {
        ip: clientIp(session),
        mailFrom: address.address,
        rcptTo: [],
      };
      const helo = heloName(session);
      if (helo !== undefined) envelope.helo = helo;
      // The connection-stage checks (iprev, HELO, SPF) start now; recipients are added to the same list.
      const evaluator = createEvaluator(envelope, { ...deps.evaluateOptions, now: new Date(deps.now()) });
      transactions.set(session, { envelope, evaluator, localParts: [] });
      callback();
    },

    onRcptTo(address, session, callback) {
      const transaction = transactions.get(session);
      if (!transaction) return callback(smtpReply(503, '5.5.1', 'send MAIL FROM first'));
      const localPart = testLocalPart(address.address, config.testDomain);
      if (localPart === undefined) return callback(replies.notTestDomain(config.testDomain));
      if (transaction.envelope.rcptTo.length >= config.maxRecipients) {
        return callback(replies.tooManyRecipients(config.maxRecipients));
      }
      transaction.envelope.rcptTo.push(address.address);
      if (!transaction.localParts.includes(localPart)) transaction.localParts.push(localPart);
      callback();
    },

    onData(stream, session, callback) {
      const transaction = transactions.get(session);
      transactions.delete(session);
      if (!transaction) {
        stream.resume();
        return callback(smtpReply(503, '5.5.1', 'send MAIL FROM and RCPT TO first'));
      }
      const receivedAt = deps.now();
      const chunks: Buffer[] = [];
      let size = 0;
      let tooBig = false;
      let failed = false;
      stream.on('data', (chunk: Buffer) => {
        if (tooBig) return;
        size += chunk.length;
        if (size > config.maxMessageBytes || stream.sizeExceeded) {
          // RFC 1870 §6.3: refuse, keep reading to the end of DATA, store nothing, hold no more bytes.
          tooBig = true;
          chunks.length = 0;
          return;
        }
        chunks.push(chunk);
        transaction.evaluator.write(chunk);
      });
      stream.on('error', (error) => {
        // The client went away mid-DATA: nothing is stored, and there is no one left to answer.
        failed = true;
        chunks.length = 0;
        logger.info({ session: session.id, err: error }, 'smtp: the client left during DATA; nothing stored');
      });
      stream.on('end', () => {
        if (failed) return;
        if (tooBig || stream.sizeExceeded) {
          callback(replies.tooBig(config.maxMessageBytes));
          return;
        }
        const raw = Buffer.concat(chunks, size);
        chunks.length = 0;
        void finish(transaction, raw, receivedAt, session).then(
          (reply) => (typeof reply === 'string' ? callback(null, reply) : callback(reply)),
          (error: unknown) => {
            logger.error({ session: session.id, err: error }, 'smtp: evaluating or storing the message failed');
            callback(replies.storeUnavailable());
          },
        );
      });
    },

    onClose() {
      deps.events?.sessionClosed();
    },
  };

  /** Evaluates, stores one row per test local part, and gives the reply text (250) or a reply error. */
  async function finish(
    transaction: Transaction,
    raw: Buffer,
    receivedAt: number,
    session: SMTPServerSession,
  ): Promise<string | SmtpReplyError> {
    const evaluation = await transaction.evaluator.end();
    const display = displayFields(raw);
    const ids: string[] = [];
    try {
      for (const localPart of transaction.localParts) {
        const id = newId(receivedAt);
        const message: NewMessage = {
          id,
          receivedAt,
          source: 'smtp',
          localPart,
          envelope: evaluation.envelope,
          evaluation,
          action: 'accept',
          raw,
          size: raw.length,
          ...display,
        };
        await deps.store.saveMessage(message);
        ids.push(id);
      }
    } catch (error) {
      logger.warn({ session: session.id, err: error }, 'smtp: the store did not commit the message; answered 451');
      return replies.storeUnavailable();
    }
    deps.events?.messageStored(evaluation);
    logger.info(
      {
        session: session.id,
        ids,
        ip: evaluation.envelope.ip,
        helo: evaluation.envelope.helo,
        mailFrom: evaluation.envelope.mailFrom,
        verdict: evaluation.verdict,
        size: raw.length,
      },
      'smtp: message stored',
    );
    return `2.6.0 stored as ${ids.join(' ')}: verdict ${evaluation.verdict}`;
  }
}
