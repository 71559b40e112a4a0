/**
 * The JSON API of `mailtrust serve`: health, metrics, checking a message, auditing a domain, test addresses and
 * the history of evaluated messages. Errors are `{ "error": { "code", "message" } }` (see errors.ts); the
 * `/api/v1` routes need a bearer token, or a loopback caller when no token is configured (see auth.ts), except
 * the test-address reads, whose unguessable local part is the secret.
 */
import type { Hono } from 'hono';
import type { HttpDeps } from './deps.js';
import { ERROR_STATUS, jsonError } from './errors.js';

/** How long `/healthz` waits for the store before answering 503. */
export const HEALTH_TIMEOUT_MS = 1_500;

/** True when the store answered within `timeoutMs`. */
export async function storeAnswers(deps: HttpDeps, timeoutMs = HEALTH_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([deps.store.ping().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function apiRoutes(app: Hono, deps: HttpDeps): void {
  app.get('/healthz', async (c) => {
    if (await storeAnswers(deps)) return c.json({ status: 'ok' });
    return jsonError(c, ERROR_STATUS.unavailable, 'store-unavailable', 'the database does not answer');
  });

  app.get('/metrics', async (c) => {
    const text = await deps.registry.metrics();
    return c.body(text, 200, { 'Content-Type': deps.registry.contentType });
  });
}
