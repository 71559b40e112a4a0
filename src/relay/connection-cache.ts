/**
 * Open SMTP sessions kept for the next delivery to the same MX address, and TLS sessions kept for the next
 * connection to a host seen before — what Postfix's connection cache (scache) does for its delivery agents.
 *
 * RFC 5321 §3.3 lets a client run several mail transactions in one session: after the 250 to the final dot the
 * transaction is over and the next MAIL command starts a new one (§4.1.1.2, §4.1.4), without RSET. A session whose
 * last transaction was refused (4xx/5xx to MAIL, RCPT or DATA) is reset with RSET (§4.1.1.5) before it is kept.
 *
 * Everything here is bounded: a connection is kept idle at most `idleMs` (then QUIT), carries at most
 * `messagesPerConnection` messages, at most `idlePerHost` idle connections are kept per address, and at most
 * `tlsSessions` TLS session tickets are remembered (the oldest goes first).
 */
import type SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface ConnectionCacheLimits {
  /** How long an idle session is kept open (Postfix's smtp_connection_cache_time_limit, 2 s). */
  idleMs: number;
  /** Messages one session carries at most before it is closed. */
  messagesPerConnection: number;
  /** Idle sessions kept per MX address at most. */
  idlePerHost: number;
  /** TLS session tickets remembered at most (one per MX address). */
  tlsSessions: number;
}

export const DEFAULT_CONNECTION_CACHE_LIMITS: Readonly<ConnectionCacheLimits> = Object.freeze({
  idleMs: 2_000,
  messagesPerConnection: 100,
  idlePerHost: 16,
  tlsSessions: 1_000,
});

/** An open session after its EHLO (and STARTTLS, when taken), with the messages it has carried. */
export interface OpenSession {
  connection: SMTPConnection;
  /** Messages accepted or refused in this session so far. */
  messages: number;
}

interface IdleEntry {
  session: OpenSession;
  timer: NodeJS.Timeout;
  /** Drops the entry when the server (or the network) ends the idle session. */
  onGone: () => void;
}

/** Where a session goes: the address, the port and the MX name (the TLS server name). */
export function destinationKey(target: { ip: string; port: number; mx: string }): string {
  return `${target.ip}|${target.port}|${target.mx}`;
}

export class SmtpConnectionCache {
  private readonly idle = new Map<string, IdleEntry[]>();
  private readonly tickets = new Map<string, Buffer>();
  private closed = false;

  constructor(readonly limits: ConnectionCacheLimits = DEFAULT_CONNECTION_CACHE_LIMITS) {}

  /** An idle session to `key`, taken out of the cache, or undefined. */
  take(key: string): OpenSession | undefined {
    const entries = this.idle.get(key);
    const entry = entries?.pop();
    if (entries?.length === 0) this.idle.delete(key);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    entry.session.connection.removeListener('end', entry.onGone);
    entry.session.connection.removeListener('error', entry.onGone);
    return entry.session;
  }

  /**
   * Keeps a session whose last transaction is over (the 250 to the final dot, or an RSET answered 2xx) for the next
   * delivery to `key`; a session at its message limit, or past the idle cap, is ended with QUIT instead.
   */
  keep(key: string, session: OpenSession): void {
    const entries = this.idle.get(key) ?? [];
    if (
      this.closed ||
      session.messages >= this.limits.messagesPerConnection ||
      entries.length >= this.limits.idlePerHost
    ) {
      quit(session.connection);
      return;
    }
    const entry: IdleEntry = {
      session,
      timer: setTimeout(() => {
        this.remove(key, entry);
        quit(session.connection);
      }, this.limits.idleMs),
      onGone: () => {
        this.remove(key, entry);
        clearTimeout(entry.timer);
        session.connection.close();
      },
    };
    entry.timer.unref();
    session.connection.once('end', entry.onGone);
    // An idle session always has an error listener: a reset by the peer must not become an uncaught error.
    session.connection.on('error', entry.onGone);
    entries.push(entry);
    this.idle.set(key, entries);
  }

  /** The TLS session last negotiated with `key`, offered for resumption (RFC 8446 §2.2, RFC 5077). */
  tlsSession(key: string): Buffer | undefined {
    return this.tickets.get(key);
  }

  /** Remembers a TLS session for the next connection to `key`. */
  rememberTlsSession(key: string, session: Buffer): void {
    this.tickets.delete(key);
    this.tickets.set(key, session);
    while (this.tickets.size > this.limits.tlsSessions) {
      const oldest = this.tickets.keys().next();
      if (oldest.done) break;
      this.tickets.delete(oldest.value);
    }
  }

  /** Forgets the TLS session of `key` (its resumption failed). */
  forgetTlsSession(key: string): void {
    this.tickets.delete(key);
  }

  /** Idle sessions held now (all addresses). */
  get idleCount(): number {
    let count = 0;
    for (const entries of this.idle.values()) count += entries.length;
    return count;
  }

  /** Ends every idle session with QUIT and keeps no more. */
  close(): void {
    this.closed = true;
    for (const key of [...this.idle.keys()]) {
      for (let session = this.take(key); session; session = this.take(key)) quit(session.connection);
    }
    this.tickets.clear();
  }

  private remove(key: string, entry: IdleEntry): void {
    const entries = this.idle.get(key);
    if (!entries) return;
    const index = entries.indexOf(entry);
    if (index >= 0) entries.splice(index, 1);
    if (entries.length === 0) this.idle.delete(key);
  }
}

/** Ends a session politely (QUIT, RFC 5321 §4.1.1.10); errors on the way out are of no interest. */
function quit(connection: SMTPConnection): void {
  connection.on('error', () => undefined);
  connection.quit();
}
