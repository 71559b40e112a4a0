/**
 * Who may use the token-protected API (`/api/v1/…` but the test-address reads): a caller with one of
 * `http.apiTokens` as a bearer token (RFC 6750 §2.1), or — when no token is configured — loopback callers only
 * (127.0.0.0/8 and ::1), so a fresh install exposes nothing to the network.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { IpNetwork } from '../core/index.js';
import { clientAddress, isLoopback } from './client-address.js';
import { ERROR_STATUS, jsonError } from './errors.js';

export interface ApiAuthOptions {
  apiTokens: readonly string[];
  trustedProxies: readonly IpNetwork[];
}

export type AuthDecision =
  { ok: true; by: 'token' | 'loopback' } | { ok: false; status: 401 | 403; code: string; message: string };

/** Compares digests so the time taken does not reveal how much of a token matched. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(header);
  return match ? match[1] : undefined;
}

/** Decides one request. */
export function authorize(c: Context, options: ApiAuthOptions): AuthDecision {
  if (options.apiTokens.length > 0) {
    const token = bearerToken(c.req.header('authorization'));
    if (token === undefined)
      return { ok: false, status: 401, code: 'unauthorized', message: 'send a bearer token: Authorization: Bearer …' };
    let matched = false;
    for (const expected of options.apiTokens) if (sameToken(token, expected)) matched = true;
    return matched
      ? { ok: true, by: 'token' }
      : { ok: false, status: 401, code: 'unauthorized', message: 'the bearer token is not valid' };
  }
  if (isLoopback(clientAddress(c, options.trustedProxies))) return { ok: true, by: 'loopback' };
  return {
    ok: false,
    status: 403,
    code: 'forbidden',
    message: 'no API tokens are configured (http.apiTokens): only loopback callers may use this route',
  };
}

/** Middleware: lets authorized requests through, answers the others 401 (with `WWW-Authenticate`) or 403. */
export function requireApiAuth(options: ApiAuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const decision = authorize(c, options);
    if (!decision.ok) {
      const status = decision.status === 401 ? ERROR_STATUS.unauthorized : ERROR_STATUS.forbidden;
      const headers: Record<string, string> =
        decision.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="mailtrust"' } : {};
      return jsonError(c, status, decision.code, decision.message, headers);
    }
    await next();
    return undefined;
  };
}
