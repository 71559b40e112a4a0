/**
 * One SMTP delivery to one address of one MX host (RFC 5321), with nodemailer's `SMTPConnection` speaking the
 * protocol: EHLO with `relay.hostname` (HELO after a refused EHLO), opportunistic STARTTLS (RFC 3207, RFC 7435: an
 * encrypted session when the server offers it, without checking its certificate, and plain text when the offered
 * TLS cannot be negotiated), then MAIL, RCPT, DATA with the stored bytes.
 *
 * The answer says what the caller does next (the classes of docs/relay.md):
 * - `next`: this address could not take the message (connection refused or dropped, a timeout, a 4xx or 5xx
 *   greeting, 421 at any step): try the next MX address.
 * - `temporary`: a 4xx reply to MAIL, RCPT or DATA (and 552 to RCPT, RFC 5321 §4.5.3.1.10), or 503: retry later.
 * - `permanent`: any other 5xx reply to MAIL, RCPT or DATA.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** RFC 5321 §4.5.3.2 timeouts, in milliseconds. */
export interface SmtpTimeouts {
  /** Time to open the TCP connection (not in the RFC; Postfix smtp_connect_timeout, 30 s). */
  connect: number;
  /** §4.5.3.2.1: the 220 greeting, 5 minutes. */
  greeting: number;
  /** §4.5.3.2.2–7: inactivity of any step; the longest is the final dot's 10 minutes. */
  socket: number;
}

export const RFC5321_TIMEOUTS: Readonly<SmtpTimeouts> = Object.freeze({
  connect: 30_000,
  greeting: 300_000,
  socket: 600_000,
});

export interface SmtpTarget {
  /** The MX host name (TLS server name). */
  mx: string;
  ip: string;
  port: number;
}

export interface SmtpMessage {
  /** The reverse-path; `''` is the null sender (RFC 5321 §4.5.5). */
  mailFrom: string;
  recipient: string;
  raw: Uint8Array;
}

export type SmtpOutcome =
  | { kind: 'delivered'; reply: string; tls: boolean }
  | { kind: 'next'; reply: string }
  | { kind: 'temporary'; reply: string }
  | { kind: 'permanent'; reply: string };

interface SmtpError extends Error {
  code?: string | undefined;
  response?: string | undefined;
  responseCode?: number | undefined;
  command?: string | undefined;
  rejectedErrors?: SmtpError[] | undefined;
}

/** A server reply or error as one printable line. */
function oneLine(text: string): string {
  return text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 500);
}

/** Sorts a failed session into the next step. */
export function classifyError(error: SmtpError): SmtpOutcome {
  const rejected = error.rejectedErrors?.[0];
  const code = error.responseCode ?? rejected?.responseCode;
  const response = error.response ?? rejected?.response;
  const reply = oneLine(response ?? `${error.code ?? 'ERROR'} ${error.message}`);
  const command = (error.command ?? rejected?.command ?? '').toUpperCase();
  if (code === undefined) return { kind: 'next', reply };
  if (code === 421) return { kind: 'next', reply };
  const envelopeStep = command.startsWith('MAIL') || command.startsWith('RCPT') || command.startsWith('DATA');
  if (!envelopeStep) return { kind: 'next', reply }; // greeting, EHLO/HELO, STARTTLS
  if (code >= 400 && code < 500) return { kind: 'temporary', reply };
  if (code === 503) return { kind: 'temporary', reply };
  if (code === 552 && command.startsWith('RCPT')) return { kind: 'temporary', reply };
  if (code >= 500 && code < 600) return { kind: 'permanent', reply };
  return { kind: 'next', reply };
}

function session(
  target: SmtpTarget,
  message: SmtpMessage,
  ehloName: string,
  timeouts: SmtpTimeouts,
  useTls: boolean,
): Promise<SmtpOutcome & { tlsFailed?: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    const connection = new SMTPConnection({
      host: target.ip,
      port: target.port,
      name: ehloName,
      opportunisticTLS: useTls,
      ignoreTLS: !useTls,
      tls: { servername: target.mx, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
      connectionTimeout: timeouts.connect,
      greetingTimeout: timeouts.greeting,
      socketTimeout: timeouts.socket,
      socketCloseTimeout: 0,
    });
    const finish = (outcome: SmtpOutcome & { tlsFailed?: boolean }) => {
      if (settled) return;
      settled = true;
      if (outcome.kind === 'delivered') connection.quit();
      else connection.close();
      resolve(outcome);
    };
    const fail = (error: SmtpError) => finish({ ...classifyError(error), tlsFailed: error.code === 'ETLS' });
    connection.on('error', fail);
    // A connection the server (or the network) closes without an error or a reply would leave this attempt waiting
    // for ever, its lease renewed all the while: it counts as this address failing.
    connection.once('end', () =>
      finish({ kind: 'next', reply: 'the connection was closed before the message was accepted' }),
    );
    connection.connect((error?: SmtpError | null) => {
      if (error) return fail(error);
      connection.send(
        { from: message.mailFrom === '' ? false : message.mailFrom, to: [message.recipient] },
        Buffer.from(message.raw.buffer, message.raw.byteOffset, message.raw.byteLength),
        (sendError: SmtpError | null, info?: { response?: string | undefined }) => {
          if (sendError) return fail(sendError);
          finish({ kind: 'delivered', reply: oneLine(info?.response ?? '250'), tls: connection.secure });
        },
      );
    });
  });
}

/** Delivers one message to one recipient at one address. Never throws. */
export async function deliverTo(
  target: SmtpTarget,
  message: SmtpMessage,
  ehloName: string,
  timeouts: SmtpTimeouts = RFC5321_TIMEOUTS,
): Promise<SmtpOutcome> {
  const first = await session(target, message, ehloName, timeouts, true);
  // A STARTTLS handshake that fails is retried in plain text at once: opportunistic TLS (RFC 7435 §1.1) must not
  // keep mail from a server whose TLS is broken.
  if (first.kind === 'next' && first.tlsFailed) return strip(await session(target, message, ehloName, timeouts, false));
  return strip(first);
}

function strip(outcome: SmtpOutcome & { tlsFailed?: boolean }): SmtpOutcome {
  const { tlsFailed: _tlsFailed, ...rest } = outcome;
  return rest as SmtpOutcome;
}
