/**
 * JSON errors of the HTTP API: every refusal is `{ "error": { "code", "message" } }` with a status that says
 * what kind of problem it is (RFC 9110 §15.5–§15.6). Routes answer through `jsonError`; the app-wide handlers
 * (`installErrorHandlers`) turn unknown routes, oversized bodies and unexpected exceptions into the same shape.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';

/** The statuses the API answers errors with, and the code each carries by default. */
export const ERROR_STATUS = {
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  payloadTooLarge: 413,
  unprocessable: 422,
  tooManyRequests: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorStatus = (typeof ERROR_STATUS)[keyof typeof ERROR_STATUS];

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Answers with a JSON error. `code` is a stable, machine-readable token (`bad-request`, `unauthorized`,
 * `store-unavailable`, …); `message` is one sentence for a person. Extra headers (`Retry-After`,
 * `WWW-Authenticate`) go in `headers`.
 */
export function jsonError(
  c: Context,
  status: ErrorStatus,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Response {
  return c.json(errorBody(code, message), status, headers);
}

/** Thrown by a route helper to end the request with a JSON error; the app's error handler answers it. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * Refuses request bodies larger than `maxBytes` with 413 (RFC 9110 §15.5.14), checking the bytes as they
 * stream in, not only the Content-Length the client claims.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      jsonError(c, ERROR_STATUS.payloadTooLarge, 'payload-too-large', `the request body is over ${maxBytes} bytes`),
  });
}

/**
 * Unknown routes → 404, a store that is unavailable → 503, and other uncaught errors → 500 (or the status of an
 * `HttpError`), all as JSON. The 500's message names no internals; the error is logged.
 */
export function installErrorHandlers(app: Hono, logger: Logger): void {
  app.notFound((c) => jsonError(c, ERROR_STATUS.notFound, 'not-found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof HttpError) return jsonError(c, error.status, error.code, error.message, error.headers);
    // The database is down or unreachable (any route's store call): nothing was committed, and the client may try
    // again; RFC 9110 §15.6.4.
    if (error instanceof Error && error.name === 'StoreUnavailableError') {
      logger.warn({ err: error, method: c.req.method, path: c.req.path }, 'http: the store is unavailable');
      return jsonError(c, ERROR_STATUS.unavailable, 'store-unavailable', 'the database does not answer; try again', {
        'Retry-After': '5',
      });
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'http request failed');
    return jsonError(c, ERROR_STATUS.internal, 'internal', 'the server could not answer this request');
  });
}
