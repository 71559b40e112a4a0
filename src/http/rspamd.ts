/**
 * rspamd's HTTP protocol (`POST /checkv2`), so MTAs and tools that already ask rspamd (Haraka's rspamd plugin,
 * rspamd's milter proxy clients, scripts using rspamc's protocol) can ask mailtrust unchanged.
 *
 * Request: the raw message as the body; the envelope in headers `IP`, `Helo`, `From` (MAIL FROM), `Rcpt` (one
 * per recipient, or comma-separated), optional `MTA-Name` (the authserv-id for Authentication-Results).
 * Reply: `is_skipped`, `score`, `required_score`, `action` (one of rspamd's six action strings), `symbols`
 * (one per reason), `messages.smtp_message` for rejects, and `milter.add_headers` with our
 * Authentication-Results at order 0 and the verdict headers — plus a `mailtrust` object with the verdict.
 */
import type { Evaluation } from '../core/index.js';

/** The action strings of rspamd's protocol (with spaces, not underscores). */
export type RspamdAction = 'no action' | 'greylist' | 'add header' | 'rewrite subject' | 'soft reject' | 'reject';

/** Score of one reason by its level; the sum is the message's score. */
const LEVEL_SCORE = { untrusted: 10, low: 3, info: 0 } as const;
/** `required_score`: an untrusted verdict always reaches it. */
export const REQUIRED_SCORE = 10;

export interface RspamdSymbol {
  name: string;
  score: number;
  options?: string[];
  description?: string;
}

export interface RspamdReply {
  is_skipped: boolean;
  score: number;
  required_score: number;
  action: RspamdAction;
  symbols: Record<string, RspamdSymbol>;
  messages: { smtp_message?: string };
  milter: { add_headers: Record<string, { value: string; order: number }>; remove_headers: Record<string, number> };
  'message-id'?: string;
  mailtrust: { verdict: Evaluation['verdict']; retryable: boolean; reasons: string[] };
}

/**
 * A verdict as rspamd's action: trusted → `no action`; low → `add header`; untrusted → `reject`; a retryable
 * evaluation (DNS trouble kept it from trusted) → `soft reject`, so a temporary failure never becomes a reject.
 */
export function rspamdAction(evaluation: Evaluation): RspamdAction {
  if (evaluation.retryable) return 'soft reject';
  switch (evaluation.verdict) {
    case 'trusted':
      return 'no action';
    case 'low':
      return 'add header';
    case 'untrusted':
      return 'reject';
    default: {
      const unreachable: never = evaluation.verdict;
      return unreachable;
    }
  }
}

/** `helo.bare-ip` → `MAILTRUST_HELO_BARE_IP` (rspamd symbols are upper-case words joined by `_`). */
export function symbolName(reasonId: string): string {
  return `MAILTRUST_${reasonId.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`;
}

/** Printable US-ASCII on one line (RFC 5321 §4.2), for the SMTP reply text an MTA passes on. */
function smtpText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[—–]/g, '-')
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, 400);
}

export function rspamdReply(evaluation: Evaluation, messageId: string | undefined): RspamdReply {
  const symbols: Record<string, RspamdSymbol> = {};
  let score = 0;
  for (const reason of evaluation.reasons) {
    const name = symbolName(reason.id);
    const value = LEVEL_SCORE[reason.level];
    if (symbols[name] === undefined) score += value;
    symbols[name] = { name, score: value, options: [reason.level], description: reason.message };
  }
  const action = rspamdAction(evaluation);
  const authResults = evaluation.authenticationResults.replace(/^Authentication-Results:\s*/i, '');
  const addHeaders: RspamdReply['milter']['add_headers'] = {
    'Authentication-Results': { value: authResults, order: 0 },
    'X-Mailtrust-Verdict': { value: evaluation.verdict, order: 1 },
  };
  if (evaluation.reasons.length > 0) {
    addHeaders['X-Mailtrust-Reasons'] = { value: evaluation.reasons.map((r) => r.id).join(', '), order: 2 };
  }
  const reply: RspamdReply = {
    is_skipped: false,
    score,
    required_score: REQUIRED_SCORE,
    action,
    symbols,
    messages: {},
    milter: { add_headers: addHeaders, remove_headers: {} },
    mailtrust: {
      verdict: evaluation.verdict,
      retryable: evaluation.retryable,
      reasons: evaluation.reasons.map((r) => r.id),
    },
  };
  const top = evaluation.reasons[0];
  if ((action === 'reject' || action === 'soft reject') && top) reply.messages.smtp_message = smtpText(top.message);
  if (messageId !== undefined) reply['message-id'] = messageId;
  return reply;
}
