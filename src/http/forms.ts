/**
 * The relay's form endpoints: `POST /f/{formId}` (urlencoded, multipart without files, or JSON) and
 * `GET /f/{formId}/challenge` (an ALTCHA challenge for the form's widget). The checks themselves are the relay's
 * (src/relay/intake.ts); this module reads the request, answers, and sets CORS headers for allowed origins so the
 * widget and `fetch()` on the form's own site may call across origins (Fetch standard, CORS protocol).
 *
 * Answers: 303 to the form's `redirect`, or 202 `{ "id" }` for `Accept: application/json` (and for forms without a
 * redirect); errors are JSON `{ "error": { "code", "message" } }` with 400, 403, 404, 413, 429 or 503, given only
 * after the outbox rows are committed (success) or nothing was stored (errors).
 */
import type { Context, Hono } from 'hono';
import type { FormConfig } from '../server/config.js';
import { originAllowed } from '../relay/intake.js';
import type { Relay } from '../relay/relay.js';
import { clientAddress, parseNetworks } from './client-address.js';
import type { HttpDeps } from './deps.js';
import { ERROR_STATUS, jsonError, type ErrorStatus } from './errors.js';

/** Fields of one post at most (declared fields are far fewer; this bounds the parsing). */
const MAX_FIELDS = 200;

/** The origin of the request: `Origin`, else the origin of `Referer`. */
export function requestOrigin(c: Context): string | undefined {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null') return origin;
  const referer = c.req.header('referer');
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

type ParsedBody =
  { ok: true; fields: Record<string, string> } | { ok: false; status: ErrorStatus; code: string; message: string };

function bad(code: string, message: string): ParsedBody {
  return { ok: false, status: ERROR_STATUS.badRequest, code, message };
}

/** Collects name/value pairs, refusing repeated names, non-text values and too many fields. */
function collect(entries: Iterable<[string, unknown]>): ParsedBody {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const [name, value] of entries) {
    if (++count > MAX_FIELDS) return bad('too-many-fields', `at most ${MAX_FIELDS} fields`);
    if (typeof value !== 'string')
      return bad('invalid-field', `${JSON.stringify(name.slice(0, 64))}: files and non-text values are not accepted`);
    if (Object.prototype.hasOwnProperty.call(fields, name))
      return bad('duplicate-field', `the field ${JSON.stringify(name.slice(0, 64))} is given more than once`);
    fields[name] = value;
  }
  return { ok: true, fields };
}

/** Reads a post body (at most `maxBytes`) as fields by its content type. */
export async function readFormBody(c: Context, maxBytes: number): Promise<ParsedBody> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes)
    return {
      ok: false,
      status: ERROR_STATUS.payloadTooLarge,
      code: 'payload-too-large',
      message: `the post is over ${maxBytes} bytes`,
    };
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length > maxBytes)
    return {
      ok: false,
      status: ERROR_STATUS.payloadTooLarge,
      code: 'payload-too-large',
      message: `the post is over ${maxBytes} bytes`,
    };
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = () => new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  try {
    switch (type) {
      case 'application/x-www-form-urlencoded':
        return collect(new URLSearchParams(text()).entries());
      case 'application/json': {
        const value: unknown = JSON.parse(text());
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          return bad('invalid-body', 'the JSON body must be an object of text fields');
        return collect(Object.entries(value));
      }
      case 'multipart/form-data': {
        const request = new Request('http://form.invalid/', {
          method: 'POST',
          headers: { 'content-type': c.req.header('content-type') ?? '' },
          body: bytes,
        });
        const form = await request.formData();
        return collect(form.entries());
      }
      default:
        return bad('unsupported-content-type', 'post the form as urlencoded, multipart/form-data or JSON');
    }
  } catch {
    return bad('invalid-body', 'the body could not be read as its content type says');
  }
}

/** CORS headers for an allowed cross-origin caller (none for others: the browser then withholds the answer). */
function corsHeaders(c: Context, form: FormConfig): Record<string, string> {
  const origin = c.req.header('origin');
  if (origin === undefined || !originAllowed(origin, form.allowedOrigins)) return {};
  return {
    'Access-Control-Allow-Origin': form.allowedOrigins === undefined ? '*' : origin,
    Vary: 'Origin',
  };
}

function notConfigured(c: Context): Response {
  return jsonError(c, ERROR_STATUS.notFound, 'not-found', 'the relay is not configured on this server');
}

export function formRoutes(app: Hono, deps: HttpDeps): void {
  const proxies = parseNetworks(deps.config.http.trustedProxies);
  const relayOf = (): Relay | undefined => deps.relay;

  app.options('/f/:formId/*', (c) => preflight(c, relayOf()));
  app.options('/f/:formId', (c) => preflight(c, relayOf()));

  app.get('/f/:formId/challenge', async (c) => {
    const relay = relayOf();
    if (!relay) return notConfigured(c);
    const form = relay.intake.form(c.req.param('formId'));
    if (!form || form.captcha !== 'altcha')
      return jsonError(c, ERROR_STATUS.notFound, 'not-found', 'no such form with a CAPTCHA');
    const challenge = await relay.intake.altcha.challenge(form.id, deps.now());
    return c.json(challenge, 200, { 'Cache-Control': 'no-store', ...corsHeaders(c, form) });
  });

  app.post('/f/:formId', async (c) => {
    const relay = relayOf();
    if (!relay) return notConfigured(c);
    const form = relay.intake.form(c.req.param('formId'));
    if (!form)
      return jsonError(c, ERROR_STATUS.notFound, 'not-found', `no form ${JSON.stringify(c.req.param('formId'))}`);
    const cors = corsHeaders(c, form);
    const body = await readFormBody(c, relay.intake.maxPostBytes(form));
    if (!body.ok) return jsonError(c, body.status, body.code, body.message, cors);
    const origin = requestOrigin(c);
    const token = c.req.header('x-form-token');
    const result = await relay.intake.submitForm({
      formId: form.id,
      ...(origin === undefined ? {} : { origin }),
      ip: clientAddress(c, proxies) ?? 'unknown',
      fields: body.fields,
      ...(token === undefined ? {} : { token }),
    });
    if (!result.ok) {
      const headers: Record<string, string> = { ...cors };
      if (result.retryAfterSeconds !== undefined) headers['Retry-After'] = String(result.retryAfterSeconds);
      return jsonError(c, result.status, result.code, result.message, headers);
    }
    const wantsJson = (c.req.header('accept') ?? '').includes('application/json');
    if (result.redirect !== undefined && !wantsJson) return c.redirect(result.redirect, 303);
    return c.json({ id: result.id }, 202, cors);
  });
}

/** Answers a CORS preflight for an allowed origin (JSON posts and the X-Form-Token header need one). */
function preflight(c: Context, relay: Relay | undefined): Response {
  const form = relay?.intake.form(c.req.param('formId') ?? '');
  if (!form) return c.body(null, 404);
  const cors = corsHeaders(c, form);
  if (Object.keys(cors).length === 0) return c.body(null, 403);
  return c.body(null, 204, {
    ...cors,
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'Content-Type, Accept, X-Form-Token',
    'Access-Control-Max-Age': '600',
  });
}
