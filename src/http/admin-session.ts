/**
 * Admin sign-in for the history and outbox pages: the `http.adminToken` of the config, exchanged at `/login` for
 * a session cookie.
 *
 * - The cookie holds a random 256-bit session id; the store keeps only its SHA-256, so a copy of the database
 *   holds no usable session. It is `HttpOnly`, `SameSite=Strict`, `Path=/`, and `Secure` (with the `__Host-`
 *   prefix, RFC 6265bis §4.1.3.2) when the app is reached over https.
 * - Every form that changes state (sign in, sign out) is a POST accepted only from the app's own pages: the
 *   browser's `Sec-Fetch-Site: same-origin`, or an `Origin` equal to the request's or `http.publicUrl`'s origin.
 *   With the SameSite=Strict cookie, another site can neither sign an admin in nor out nor act as one.
 * - Sign-in attempts count against a per-client rate limit in the store (shared by every instance).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { clientAddress, parseNetworks } from './client-address.js';
import type { HttpDeps } from './deps.js';

/** How long a session lasts. */
export const SESSION_MS = 12 * 60 * 60 * 1000;
/** Sign-in attempts allowed per client address in {@link LOGIN_WINDOW_MS}. */
export const LOGIN_ATTEMPTS = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

const COOKIE = 'mailtrust_admin';
const SECURE_COOKIE = '__Host-mailtrust_admin';

/** What the store keeps for a session id: its SHA-256 in hex. */
export function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/** True when the app is reached over https (the request, or the configured public URL). */
function secure(c: Context, deps: HttpDeps): boolean {
  if (deps.config.http.publicUrl?.startsWith('https:')) return true;
  return new URL(c.req.url).protocol === 'https:';
}

/** Constant-time comparison of a submitted token with the configured one. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True when a state-changing request comes from the app's own pages (see the module comment). */
export function sameOriginPost(c: Context, deps: HttpDeps): boolean {
  if (c.req.header('sec-fetch-site') === 'same-origin') return true;
  const origin = c.req.header('origin');
  if (origin === undefined || origin === 'null') return false;
  if (origin === new URL(c.req.url).origin) return true;
  const publicUrl = deps.config.http.publicUrl;
  return publicUrl !== undefined && origin === new URL(publicUrl).origin;
}

/** A local path to return to after sign-in (never another site: `//host` and `/\host` are refused). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return '/messages';
  return next.length > 2000 ? '/messages' : next;
}

/** The rate-limit bucket of a request: the client address (behind trusted proxies, the forwarded one). */
function clientKey(c: Context, deps: HttpDeps): string {
  // Served without a socket (app.request() in tests) there is no address: one shared bucket.
  return clientAddress(c, parseNetworks(deps.config.http.trustedProxies)) ?? 'unknown';
}

/** The session id of the request's cookie, when it names a live session. */
export async function adminSignedIn(c: Context, deps: HttpDeps): Promise<boolean> {
  if (deps.config.http.adminToken === undefined) return false;
  const id = getCookie(c, SECURE_COOKIE) ?? getCookie(c, COOKIE);
  if (id === undefined || id.length < 20 || id.length > 100) return false;
  return deps.store.sessionValid(sessionKey(id), deps.now());
}

export type SignInResult =
  { ok: true; location: string } | { ok: false; status: 400 | 403 | 404 | 429; message: string };

/** Checks a sign-in post and, when the token is right, starts a session and sets its cookie. */
export async function signIn(c: Context, deps: HttpDeps, token: unknown, next: unknown): Promise<SignInResult> {
  const expected = deps.config.http.adminToken;
  if (expected === undefined) return { ok: false, status: 404, message: 'The admin pages are off.' };
  if (!sameOriginPost(c, deps))
    return { ok: false, status: 403, message: 'Sign in from the sign-in page of this site.' };
  const now = deps.now();
  const limit = await deps.store.hitRateLimit(
    `admin-login:${clientKey(c, deps)}`,
    LOGIN_ATTEMPTS,
    LOGIN_WINDOW_MS,
    now,
  );
  if (!limit.allowed) return { ok: false, status: 429, message: 'Too many attempts: wait a few minutes.' };
  if (typeof token !== 'string' || token === '' || !tokenMatches(token, expected))
    return { ok: false, status: 400, message: 'That is not the admin token.' };
  const id = randomBytes(32).toString('base64url');
  await deps.store.createSession(sessionKey(id), now + SESSION_MS);
  const isSecure = secure(c, deps);
  setCookie(c, isSecure ? SECURE_COOKIE : COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: isSecure,
    maxAge: Math.floor(SESSION_MS / 1000),
  });
  return { ok: true, location: safeNext(next) };
}

/** Ends the request's session (when it has one) and clears the cookie. */
export async function signOut(c: Context, deps: HttpDeps): Promise<boolean> {
  if (!sameOriginPost(c, deps)) return false;
  for (const name of [SECURE_COOKIE, COOKIE]) {
    const id = getCookie(c, name);
    if (id !== undefined && id.length <= 100) await deps.store.deleteSession(sessionKey(id));
    if (id !== undefined) deleteCookie(c, name, { path: '/', secure: name === SECURE_COOKIE });
  }
  return true;
}

/**
 * Guards the admin pages: without a live session, a redirect to the sign-in page (which returns here after);
 * without `http.adminToken` in the config, 404 (the pages do not exist).
 */
export function requireAdmin(deps: HttpDeps, off: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  return async (c, next) => {
    if (deps.config.http.adminToken === undefined) return off(c);
    if (await adminSignedIn(c, deps)) {
      c.header('Cache-Control', 'no-store');
      return next();
    }
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  };
}
