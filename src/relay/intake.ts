/**
 * Intake: a form post or a script's send request becomes one composed, signed message and one outbox row per
 * recipient, committed before the caller gets its answer (nothing acknowledged is lost).
 *
 * A form post passes these gates, in this order (docs/relay.md):
 * 1. the form exists; 2. the origin is allowed (`allowedOrigins`); 3. a form token (`X-Form-Token`) or, without
 * one, the CAPTCHA; 4. the rate limits per IP and per form (every post that got past 3 counts, accepted or not);
 * 5. the honeypot field is empty; 6. the minimum fill time has passed (CAPTCHA posts); 7. every field is declared,
 * within its length, free of control characters where it lands in a header, and the reply-to field is one mailbox.
 * Recipients are fixed by the configuration: nothing a visitor sends chooses where mail goes.
 */
import { createHash, createPrivateKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { FormConfig, Rate, RelayConfig } from '../server/config.js';
import { newId } from '../store/ids.js';
import type { NewRecipient, Store } from '../store/types.js';
import { AltchaGate } from './altcha.js';
import { composeMessage, type SenderIdentity } from './compose.js';
import { checkMultiLine, checkSingleLine, parseMailbox, type ValueProblem } from './field-values.js';

/** The answer to a post. */
export type IntakeResult =
  | { ok: true; id: string; redirect?: string }
  | {
      ok: false;
      status: 400 | 403 | 404 | 413 | 422 | 429 | 503;
      code: string;
      message: string;
      retryAfterSeconds?: number;
    };

/** A form post as the HTTP layer read it. */
export interface FormPost {
  formId: string;
  /** The `Origin` header (or the origin of `Referer`), when sent. */
  origin?: string;
  /** The client address (the TCP peer, or the client hop behind a trusted proxy). */
  ip: string;
  fields: Record<string, string>;
  /** `X-Form-Token`. */
  token?: string;
}

/** A script's `POST /api/v1/send` body, already authenticated by the API's bearer token. */
export interface SendRequest {
  ip: string;
  to: string[];
  subject: string;
  text: string;
  replyTo?: string;
  /**
   * The client's `Idempotency-Key`, already scoped to the caller (its token): a retry with the same key and the
   * same request gets the first answer again and stores nothing; the key with another request is refused.
   */
  idempotencyKey?: string;
}

/** The digest of a send request's fields, as sent: what a retry under the same idempotency key must repeat. */
export function sendRequestHash(request: SendRequest): string {
  const fields = [request.to, request.subject, request.text, request.replyTo ?? null];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** The field carrying the ALTCHA payload. */
export const ALTCHA_FIELD = 'altcha';
/** Subject and text caps of the send API. */
export const MAX_SUBJECT = 998;
export const MAX_TEXT = 1_000_000;

function refuse(status: 400 | 403 | 404 | 413 | 422 | 429 | 503, code: string, message: string): IntakeResult {
  return { ok: false, status, code, message };
}

function fromProblem(problem: ValueProblem): IntakeResult {
  return refuse(400, problem.code, problem.message);
}

/** Constant-time comparison of a presented token with each configured one. */
export function tokenMatches(presented: string, tokens: readonly string[]): boolean {
  const given = Buffer.from(presented, 'utf8');
  let found = false;
  for (const token of tokens) {
    const expected = Buffer.from(token, 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) found = true;
  }
  return found;
}

/** True when the origin is allowed by the list (unset: any). Compared as scheme://host[:port], case-insensitive. */
export function originAllowed(origin: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  if (origin === undefined) return false;
  const normal = (text: string) => text.trim().replace(/\/+$/, '').toLowerCase();
  return allowed.some((entry) => normal(entry) === normal(origin));
}

/** Fields of a form that land in a header: the name and reply-to fields and those the subject template names. */
export function headerFields(form: FormConfig): Set<string> {
  const names = new Set<string>();
  for (const match of form.subject.matchAll(/\{([A-Za-z0-9_-]+)\}/g)) names.add(match[1] as string);
  const nameField = form.nameField ?? (form.fields.includes('name') ? 'name' : undefined);
  if (nameField !== undefined) names.add(nameField);
  if (form.replyToField !== undefined) names.add(form.replyToField);
  return names;
}

/** Replaces `{field}` in the subject template by the (checked, single-line) values; unknown names become empty. */
export function renderSubject(template: string, values: Record<string, string>): string {
  return template.replace(/\{([A-Za-z0-9_-]+)\}/g, (_all, name: string) => values[name] ?? '').trim();
}

/** Runs a check; a thrown error (the store did not answer) becomes 503 `store-unavailable`. */
async function unavailableOnError(check: () => Promise<IntakeResult>): Promise<IntakeResult> {
  try {
    return await check();
  } catch {
    return refuse(503, 'store-unavailable', 'the database does not answer right now; try again');
  }
}

export interface IntakeDeps {
  config: RelayConfig;
  store: Store;
  now: () => number;
  /** Called after a submission is committed (wakes the worker). */
  onQueued?: () => void;
}

export class RelayIntake {
  readonly identity: SenderIdentity;
  readonly altcha: AltchaGate;
  private readonly forms: Map<string, FormConfig>;

  constructor(
    private readonly deps: IntakeDeps,
    privateKeyPem: string,
  ) {
    const { config } = deps;
    const privateKey: KeyObject = createPrivateKey(privateKeyPem);
    this.identity = {
      from: config.from,
      hostname: config.hostname,
      dkim: { domain: config.dkim.domain, selector: config.dkim.selector, privateKey },
    };
    this.altcha = new AltchaGate(privateKeyPem);
    this.forms = new Map(config.forms.map((form) => [form.id, form]));
  }

  form(id: string): FormConfig | undefined {
    return this.forms.get(id);
  }

  /** The most bytes a post to this form may have: every field at its cap in 4-byte characters, plus room. */
  maxPostBytes(form: FormConfig): number {
    return (form.fields.length + 2) * form.maxFieldLength * 4 + 65_536;
  }

  /** Counts the post against the IP's and the form's windows; the form's own rates win over `[relay]`'s. */
  private async rateLimited(keys: [string, Rate | undefined][]): Promise<IntakeResult | undefined> {
    const now = this.deps.now();
    let refused: IntakeResult | undefined;
    for (const [key, rate] of keys) {
      if (rate === undefined) continue;
      const hit = await this.deps.store.hitRateLimit(key, rate.limit, rate.windowMs, now);
      if (!hit.allowed && refused === undefined) {
        refused = {
          ok: false,
          status: 429,
          code: 'rate-limited',
          message: 'too many posts; try again later',
          retryAfterSeconds: Math.max(1, Math.ceil((hit.resetAt - now) / 1000)),
        };
      }
    }
    return refused;
  }

  /** Runs a form post through the gates and, when it passes, commits it to the outbox. A database that does not
   * answer (rate limits, replay records, the outbox) is a 503: the post is not acknowledged. */
  submitForm(post: FormPost): Promise<IntakeResult> {
    return unavailableOnError(() => this.checkForm(post));
  }

  /** `POST /api/v1/send`: recipients only from `relay.sendTo`. */
  submitSend(request: SendRequest): Promise<IntakeResult> {
    return unavailableOnError(() => this.checkSend(request));
  }

  private async checkForm(post: FormPost): Promise<IntakeResult> {
    const form = this.forms.get(post.formId);
    if (form === undefined) return refuse(404, 'not-found', `no form ${JSON.stringify(post.formId)}`);
    if (!originAllowed(post.origin, form.allowedOrigins))
      return refuse(403, 'origin-not-allowed', 'posts to this form are not accepted from this origin');

    // Authentication: a form token, else the CAPTCHA. captcha = "none" requires a token.
    const now = this.deps.now();
    let issuedAt: number | undefined;
    if (post.token !== undefined && post.token !== '') {
      if (!tokenMatches(post.token, form.tokens)) return refuse(403, 'token-invalid', 'the form token is not valid');
    } else if (form.captcha === 'altcha') {
      const check = await this.altcha.verify(post.fields[ALTCHA_FIELD], form.id, this.deps.store, now);
      if (!check.ok) return refuse(403, check.code, check.message);
      issuedAt = check.issuedAt;
    } else {
      return refuse(403, 'token-missing', 'this form needs a form token (X-Form-Token)');
    }

    const limited = await this.rateLimited([
      [`form:${form.id}:ip:${post.ip}`, form.rateLimit?.perIp ?? this.deps.config.rateLimit.perIp],
      [`form:${form.id}`, form.rateLimit?.perForm ?? this.deps.config.rateLimit.perForm],
    ]);
    if (limited) return limited;

    if (form.honeypot !== undefined && (post.fields[form.honeypot] ?? '') !== '')
      return refuse(400, 'honeypot', 'the submission was refused');
    if (issuedAt !== undefined && now - issuedAt < form.minFillSeconds * 1000)
      return refuse(400, 'too-fast', 'the form was sent too quickly after it was opened; wait a moment and send again');

    // Fields: declared only, each checked for where it lands.
    const known = new Set([...form.fields, ALTCHA_FIELD, ...(form.honeypot === undefined ? [] : [form.honeypot])]);
    for (const name of Object.keys(post.fields))
      if (!known.has(name))
        return refuse(400, 'unknown-field', `the form has no field ${JSON.stringify(name.slice(0, 64))}`);
    const inHeader = headerFields(form);
    const values: Record<string, string> = {};
    for (const name of form.fields) {
      const value = post.fields[name] ?? '';
      const problem = inHeader.has(name)
        ? checkSingleLine(name, value, Math.min(form.maxFieldLength, 998))
        : checkMultiLine(name, value, form.maxFieldLength);
      if (problem) return fromProblem(problem);
      values[name] = value;
    }
    let replyTo: string | undefined;
    if (form.replyToField !== undefined && (values[form.replyToField] ?? '').trim() !== '') {
      const parsed = parseMailbox(form.replyToField, values[form.replyToField] as string);
      if (!('ok' in parsed)) return fromProblem(parsed);
      replyTo = parsed.address;
    }
    const nameField = form.nameField ?? (form.fields.includes('name') ? 'name' : undefined);
    const visitor = nameField === undefined ? '' : (values[nameField] ?? '').trim();
    const text = form.fields
      .filter((name) => (values[name] ?? '') !== '')
      .map((name) => {
        const value = values[name] as string;
        return /[\r\n]/.test(value) ? `${name}:\n${value}\n` : `${name}: ${value}`;
      })
      .join('\n');

    const recipients: NewRecipient[] = [
      ...form.to.map((address) => ({ address, role: 'to' as const })),
      ...form.copyTo.map((address) => ({ address, role: 'copy' as const })),
    ];
    const result = await this.enqueue({
      origin: `form:${form.id}`,
      displayName: visitor === '' ? `${form.id} form` : `${visitor} via ${form.id}`,
      ...(replyTo === undefined ? {} : { replyTo }),
      to: form.to,
      subject: renderSubject(form.subject, values) || 'Form submission',
      text: `${text}\n\n-- \nSent through the form "${form.id}" by ${post.ip}.\n`,
      recipients,
      formId: form.id,
    });
    if (!result.ok) return result;
    return { ok: true, id: result.id, ...(form.redirect === undefined ? {} : { redirect: form.redirect }) };
  }

  private async checkSend(request: SendRequest): Promise<IntakeResult> {
    const allowed = new Set(this.deps.config.sendTo.map((a) => a.toLowerCase()));
    if (request.to.length === 0) return refuse(400, 'invalid-request', 'to: at least one recipient');
    if (request.to.length > 100) return refuse(400, 'invalid-request', 'to: at most 100 recipients');
    for (const address of request.to)
      if (!allowed.has(address.toLowerCase()))
        return refuse(
          403,
          'recipient-not-allowed',
          `to: ${JSON.stringify(address.slice(0, 254))} is not in relay.sendTo`,
        );
    // A retry of a send already stored is answered before the rate limits: it adds nothing to the outbox.
    const requestHash = request.idempotencyKey === undefined ? undefined : sendRequestHash(request);
    if (request.idempotencyKey !== undefined && requestHash !== undefined) {
      const earlier = await this.earlierSend(request.idempotencyKey, requestHash);
      if (earlier) return earlier;
    }
    const limited = await this.rateLimited([
      [`api:ip:${request.ip}`, this.deps.config.rateLimit.perIp],
      ['api', this.deps.config.rateLimit.perForm],
    ]);
    if (limited) return limited;
    const subjectProblem = checkSingleLine('subject', request.subject, MAX_SUBJECT);
    if (subjectProblem) return fromProblem(subjectProblem);
    const textProblem = checkMultiLine('text', request.text, MAX_TEXT);
    if (textProblem) return fromProblem(textProblem);
    let replyTo: string | undefined;
    if (request.replyTo !== undefined) {
      const parsed = parseMailbox('replyTo', request.replyTo);
      if (!('ok' in parsed)) return fromProblem(parsed);
      replyTo = parsed.address;
    }
    const to = [...new Set(request.to.map((a) => a.toLowerCase()))];
    return this.enqueue({
      origin: 'api',
      displayName: `${this.deps.config.hostname} relay`,
      ...(replyTo === undefined ? {} : { replyTo }),
      to,
      subject: request.subject.trim() || '(no subject)',
      text: request.text,
      recipients: to.map((address) => ({ address, role: 'to' as const })),
      ...(request.idempotencyKey === undefined || requestHash === undefined
        ? {}
        : { idempotency: { key: request.idempotencyKey, requestHash } }),
    });
  }

  /**
   * The answer to a send whose idempotency key is stored already: the first submission's id (202 again), or 422
   * when the key came with another request (draft-ietf-httpapi-idempotency-key-header §2.7).
   */
  private async earlierSend(key: string, requestHash: string): Promise<IntakeResult | undefined> {
    const earlier = await this.deps.store.findIdempotentSubmission(key);
    if (earlier === undefined) return undefined;
    if (earlier.requestHash !== requestHash)
      return refuse(
        422,
        'idempotency-key-reused',
        'this Idempotency-Key was used with another request; send a new key for a new message',
      );
    return { ok: true, id: earlier.id };
  }

  private async enqueue(message: {
    origin: string;
    displayName: string;
    replyTo?: string;
    to: readonly string[];
    subject: string;
    text: string;
    recipients: NewRecipient[];
    formId?: string;
    idempotency?: { key: string; requestHash: string };
  }): Promise<{ ok: true; id: string } | IntakeResult> {
    const now = this.deps.now();
    const id = newId(now);
    const composed = composeMessage(
      {
        id,
        createdAt: now,
        displayName: message.displayName,
        ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
        to: message.to,
        subject: message.subject,
        text: message.text,
        extraFields: [
          ['X-Submission-Id', id],
          ...(message.formId === undefined ? [] : ([['X-Form-Id', message.formId]] as [string, string][])),
        ],
      },
      this.identity,
    );
    if (!composed.ok)
      return refuse(503, 'signing-failed', `the message could not be signed: ${composed.error.message}`);
    try {
      const stored = await this.deps.store.enqueueSubmission({
        id,
        createdAt: now,
        origin: message.origin,
        messageId: composed.messageId,
        mailFrom: this.deps.config.mailFrom ?? this.deps.config.from,
        raw: composed.raw,
        recipients: message.recipients,
        ...(message.idempotency === undefined
          ? {}
          : { idempotencyKey: message.idempotency.key, requestHash: message.idempotency.requestHash }),
      });
      // Another request (or instance) stored the same key in between: its answer is this one's too.
      if (!stored && message.idempotency !== undefined)
        return (
          (await this.earlierSend(message.idempotency.key, message.idempotency.requestHash)) ??
          refuse(503, 'store-unavailable', 'the earlier send with this Idempotency-Key cannot be read; try again')
        );
    } catch {
      return refuse(503, 'store-unavailable', 'the outbox cannot be written right now; try again');
    }
    this.deps.onQueued?.();
    return { ok: true, id };
  }
}
