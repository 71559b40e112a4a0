/**
 * The relay's JSON API (bearer token, or loopback callers when no token is configured):
 * - `POST /api/v1/send` `{ "to", "subject", "text", "replyTo"? }` → 202 `{ "id" }`; every `to` must be in
 *   `relay.sendTo`. With an `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header), a retry of the
 *   same request under the same key and token answers the first id again and sends nothing more; the key with
 *   another request is 422 `idempotency-key-reused`.
 * - `GET /api/v1/outbox/{id}` → the submission and each recipient's status and attempts.
 * - `GET /api/v1/relay/readiness` → the audit of the relay's own sending setup.
 */
import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { SubmissionView } from '../store/types.js';
import { bearerToken, requireApiAuth } from './auth.js';
import { clientAddress, parseNetworks } from './client-address.js';
import type { HttpDeps } from './deps.js';
import { ERROR_STATUS, jsonError } from './errors.js';

/** The largest send request read (the text is capped at 1,000,000 characters). */
const MAX_SEND_BYTES = 4_500_000;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The outbox JSON of one submission: times as RFC 3339 UTC. */
export function outboxJson(view: SubmissionView): unknown {
  return {
    id: view.id,
    createdAt: iso(view.createdAt),
    origin: view.origin,
    messageId: view.messageId,
    recipients: view.recipients.map((r) => ({
      address: r.address,
      role: r.role,
      status: r.status,
      attempts: r.attempts.map((a) => ({ at: iso(a.at), mx: a.mx ?? null, ip: a.ip ?? null, reply: a.reply })),
      nextAttemptAt: iso(r.nextAttemptAt) ?? null,
    })),
  };
}

/** The longest `Idempotency-Key` taken (a UUID is 36 characters). */
const MAX_IDEMPOTENCY_KEY = 255;

/**
 * The `Idempotency-Key` of a request, scoped to its caller: `{ key: undefined }` when none was sent, `{ key }` when
 * it is 1–255 visible ASCII characters (an RFC 8941 sf-string's quotes are taken off), else an error. The scope is
 * a digest of the bearer token (or `loopback` when no tokens are configured), so two clients never share a key.
 */
function scopedIdempotencyKey(c: Context): { ok: true; key: string | undefined } | { ok: false; message: string } {
  const header = c.req.header('idempotency-key');
  if (header === undefined) return { ok: true, key: undefined };
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY || !/^[\x21-\x7e]+$/.test(key))
    return { ok: false, message: `Idempotency-Key: 1 to ${MAX_IDEMPOTENCY_KEY} visible ASCII characters` };
  const token = bearerToken(c.req.header('authorization'));
  const scope = token === undefined ? 'loopback' : createHash('sha256').update(token).digest('hex').slice(0, 32);
  return { ok: true, key: `api:${scope}:${key}` };
}

function notConfigured(c: Context): Response {
  return jsonError(c, ERROR_STATUS.notFound, 'not-found', 'the relay is not configured on this server');
}

export function relayApiRoutes(app: Hono, deps: HttpDeps): void {
  const proxies = parseNetworks(deps.config.http.trustedProxies);
  const auth = requireApiAuth({ apiTokens: deps.config.http.apiTokens, trustedProxies: proxies });
  app.use('/api/v1/send', auth);
  app.use('/api/v1/outbox/*', auth);
  app.use('/api/v1/relay/*', auth);

  app.post('/api/v1/send', async (c) => {
    const relay = deps.relay;
    if (!relay) return notConfigured(c);
    const idempotency = scopedIdempotencyKey(c);
    if (!idempotency.ok) return jsonError(c, ERROR_STATUS.badRequest, 'invalid-idempotency-key', idempotency.message);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > MAX_SEND_BYTES)
      return jsonError(
        c,
        ERROR_STATUS.payloadTooLarge,
        'payload-too-large',
        `the request is over ${MAX_SEND_BYTES} bytes`,
      );
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      return jsonError(c, ERROR_STATUS.badRequest, 'invalid-body', 'the body must be JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return jsonError(c, ERROR_STATUS.badRequest, 'invalid-body', 'the body must be a JSON object');
    const { to, subject, text, replyTo, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0)
      return jsonError(c, ERROR_STATUS.badRequest, 'unknown-field', `unknown field ${JSON.stringify(unknown[0])}`);
    const recipients = typeof to === 'string' ? [to] : to;
    if (!Array.isArray(recipients) || !recipients.every((r): r is string => typeof r === 'string'))
      return jsonError(c, ERROR_STATUS.badRequest, 'invalid-request', 'to: an address or a list of addresses');
    if (typeof subject !== 'string' || typeof text !== 'string')
      return jsonError(c, ERROR_STATUS.badRequest, 'invalid-request', 'subject and text are required strings');
    if (replyTo !== undefined && typeof replyTo !== 'string')
      return jsonError(c, ERROR_STATUS.badRequest, 'invalid-request', 'replyTo: one address');
    const result = await relay.intake.submitSend({
      ip: clientAddress(c, proxies) ?? 'unknown',
      to: recipients,
      subject,
      text,
      ...(replyTo === undefined ? {} : { replyTo }),
      ...(idempotency.key === undefined ? {} : { idempotencyKey: idempotency.key }),
    });
    if (!result.ok)
      return jsonError(
        c,
        result.status,
        result.code,
        result.message,
        result.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(result.retryAfterSeconds) },
      );
    return c.json({ id: result.id }, 202);
  });

  app.get('/api/v1/outbox/:id', async (c) => {
    const view = await deps.store.getSubmission(c.req.param('id'));
    if (!view) return jsonError(c, ERROR_STATUS.notFound, 'not-found', 'no such submission');
    return c.json(outboxJson(view));
  });

  app.get('/api/v1/relay/readiness', async (c) => {
    const relay = deps.relay;
    if (!relay) return notConfigured(c);
    return c.json(await relay.readiness());
  });
}
