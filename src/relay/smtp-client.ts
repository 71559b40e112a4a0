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
import { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { destinationKey, type OpenSession, type SmtpConnectionCache } from './connection-cache.js';

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

type SessionOutcome = SmtpOutcome & { tlsFailed?: boolean };

/**
 * Opens a session to one address: the greeting, EHLO (HELO after a refused EHLO) and, when `useTls`, STARTTLS when
 * offered — resuming `tlsSession` when one is given.
 */
function openSession(
  target: SmtpTarget,
  ehloName: string,
  timeouts: SmtpTimeouts,
  useTls: boolean,
  tlsSession: Buffer | undefined,
): Promise<{ ok: true; session: OpenSession } | { ok: false; outcome: SessionOutcome }> {
  return new Promise((resolve) => {
    let settled = false;
    const connection = new SMTPConnection({
      host: target.ip,
      port: target.port,
      name: ehloName,
      opportunisticTLS: useTls,
      ignoreTLS: !useTls,
      tls: {
        servername: target.mx,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
        ...(tlsSession === undefined ? {} : { session: tlsSession }),
      },
      connectionTimeout: timeouts.connect,
      greetingTimeout: timeouts.greeting,
      socketTimeout: timeouts.socket,
      socketCloseTimeout: 0,
    });
    const fail = (error: SmtpError) => {
      if (settled) return;
      settled = true;
      connection.removeListener('end', closed);
      connection.on('error', () => undefined);
      connection.close();
      resolve({ ok: false, outcome: { ...classifyError(error), tlsFailed: error.code === 'ETLS' } });
    };
    // A connection closed without an error or a reply would leave this attempt waiting for ever.
    const closed = () => fail(new Error('the connection was closed before the session was open'));
    connection.on('error', fail);
    connection.once('end', closed);
    connection.connect((error?: SmtpError | null) => {
      if (error) return fail(error);
      if (settled) return;
      settled = true;
      connection.removeListener('error', fail);
      connection.removeListener('end', closed);
      resolve({ ok: true, session: { connection, messages: 0 } });
    });
  });
}

/**
 * One mail transaction (MAIL, RCPT, DATA and the stored bytes, RFC 5321 §3.3) on an open session. `sent` tells
 * whether any of the message's bytes went out, so a kept session found dead before that can be replaced at once.
 */
function transact(session: OpenSession, message: SmtpMessage): Promise<SessionOutcome & { sent: boolean }> {
  const { connection } = session;
  return new Promise((resolve) => {
    let settled = false;
    let sent = false;
    const finish = (outcome: SmtpOutcome) => {
      if (settled) return;
      settled = true;
      connection.removeListener('error', fail);
      connection.removeListener('end', closed);
      session.messages++;
      resolve({ ...outcome, sent });
    };
    const fail = (error: SmtpError) => finish(classifyError(error));
    // A connection the server (or the network) closes without an error or a reply would leave this attempt waiting
    // for ever, its lease renewed all the while: it counts as this address failing.
    const closed = () => finish({ kind: 'next', reply: 'the connection was closed before the message was accepted' });
    connection.on('error', fail);
    connection.once('end', closed);
    const bytes = Buffer.from(message.raw.buffer, message.raw.byteOffset, message.raw.byteLength);
    const body = new Readable({
      read() {
        sent = true;
        this.push(bytes);
        this.push(null);
      },
    });
    connection.send(
      { from: message.mailFrom === '' ? false : message.mailFrom, to: [message.recipient] },
      body,
      (sendError: SmtpError | null, info?: { response?: string | undefined }) => {
        if (sendError) return fail(sendError);
        finish({ kind: 'delivered', reply: oneLine(info?.response ?? '250'), tls: connection.secure });
      },
    );
  });
}

/** The TLS session of a session's socket after STARTTLS, for resumption on the next connection. */
function negotiatedTlsSession(session: OpenSession): Buffer | undefined {
  const socket = session.connection._socket;
  return session.connection.secure && socket instanceof TLSSocket ? socket.getSession() : undefined;
}

/** Hands a session on after a transaction: kept for the next one (RSET first after a refusal), or ended. */
function release(session: OpenSession, outcome: SmtpOutcome, key: string, cache: SmtpConnectionCache | undefined) {
  if (!cache || outcome.kind === 'next') {
    session.connection.on('error', () => undefined);
    if (outcome.kind === 'delivered') session.connection.quit();
    else session.connection.close();
    return;
  }
  if (outcome.kind === 'delivered') return cache.keep(key, session);
  // A refused transaction leaves the session mid-transaction for some servers: RSET (RFC 5321 §4.1.1.5) before
  // the next MAIL, and a session that does not answer it with 2xx is not kept.
  const onError = () => session.connection.close();
  session.connection.once('error', onError);
  session.connection.reset((error) => {
    session.connection.removeListener('error', onError);
    if (error) session.connection.close();
    else cache.keep(key, session);
  });
}

async function deliverOnce(
  target: SmtpTarget,
  message: SmtpMessage,
  ehloName: string,
  timeouts: SmtpTimeouts,
  useTls: boolean,
  cache: SmtpConnectionCache | undefined,
): Promise<SessionOutcome> {
  const key = destinationKey(target);
  if (useTls && cache) {
    // A kept session to this address first; one found dead before any of the message went out is replaced by a
    // new connection at once (the server ended it while idle: not a failure of this message or this address).
    for (let kept = cache.take(key); kept; kept = cache.take(key)) {
      const outcome = await transact(kept, message);
      release(kept, outcome, key, cache);
      if (outcome.kind !== 'next' || outcome.sent) return stripSent(outcome);
    }
  }
  const resumable = useTls ? cache?.tlsSession(key) : undefined;
  const opened = await openSession(target, ehloName, timeouts, useTls, resumable);
  if (!opened.ok) {
    if (opened.outcome.tlsFailed) cache?.forgetTlsSession(key);
    return opened.outcome;
  }
  const outcome = await transact(opened.session, message);
  // Taken after the transaction: a TLS 1.3 server sends its session ticket after the handshake (RFC 8446 §4.6.1).
  const ticket = cache ? negotiatedTlsSession(opened.session) : undefined;
  if (ticket) cache?.rememberTlsSession(key, ticket);
  // A session that fell back to plain text after a failed handshake is not kept: the next delivery tries TLS again.
  release(opened.session, outcome, key, useTls ? cache : undefined);
  return stripSent(outcome);
}

function stripSent(outcome: SmtpOutcome & { sent: boolean }): SmtpOutcome {
  const { sent: _sent, ...rest } = outcome;
  return rest as SmtpOutcome;
}

/**
 * Delivers one message to one recipient at one address. Never throws. With a `cache`, a session kept from an
 * earlier delivery to the same address is used when there is one, the session is kept afterwards, and a new
 * connection resumes the TLS session last negotiated with the address.
 */
export async function deliverTo(
  target: SmtpTarget,
  message: SmtpMessage,
  ehloName: string,
  timeouts: SmtpTimeouts = RFC5321_TIMEOUTS,
  cache?: SmtpConnectionCache,
): Promise<SmtpOutcome> {
  const first = await deliverOnce(target, message, ehloName, timeouts, true, cache);
  // A STARTTLS handshake that fails is retried in plain text at once: opportunistic TLS (RFC 7435 §1.1) must not
  // keep mail from a server whose TLS is broken.
  if (first.kind === 'next' && first.tlsFailed)
    return strip(await deliverOnce(target, message, ehloName, timeouts, false, cache));
  return strip(first);
}

function strip(outcome: SessionOutcome): SmtpOutcome {
  const { tlsFailed: _tlsFailed, ...rest } = outcome;
  return rest as SmtpOutcome;
}
