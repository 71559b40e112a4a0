/**
 * The JSON API of `mailtrust serve`: health, metrics, checking a message, auditing a domain, test addresses and
 * the history of evaluated messages, and rspamd's `/checkv2`. Errors are `{ "error": { "code", "message" } }`
 * (errors.ts); the `/api/v1` routes need a bearer token, or a loopback caller when no token is configured
 * (auth.ts), except the test-address reads, whose unguessable local part is the secret.
 */
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import {
  COMMON_DKIM_SELECTORS,
  DnsClient,
  auditDomain,
  defaultLimits,
  fieldValue,
  getFields,
  parseMessage,
} from '../core/index.js';
import { auditJson } from '../cli/commands/audit.js';
import { observeEvaluation } from '../server/metrics.js';
import type { StoredMessage, Verdict } from '../store/types.js';
import { requireApiAuth } from './auth.js';
import { checkMessage } from './check-request.js';
import { parseNetworks } from './client-address.js';
import type { HttpDeps } from './deps.js';
import { ERROR_STATUS, HttpError, jsonError } from './errors.js';
import { rspamdReply } from './rspamd.js';

/** How long `/healthz` waits for the store before answering 503 (it must answer within 2 s). */
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

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `t-` and 26 base32 characters: 130 random bits, lower case (local parts are matched case-insensitively). */
export function newTestLocalPart(): string {
  const bytes = randomBytes(17);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `t-${out}`;
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;
const DOMAIN =
  /^(?=.{1,253}\.?$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;
const VERDICTS: readonly Verdict[] = ['trusted', 'low', 'untrusted'];

/** A store call; a store that fails is 503 (the client may retry), never a 500. */
async function fromStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new HttpError(
      ERROR_STATUS.unavailable,
      'store-unavailable',
      `the database did not answer: ${(error as Error).message}`,
      {
        'Retry-After': '5',
      },
    );
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function testMessageJson(message: StoredMessage): Record<string, unknown> {
  return {
    id: message.id,
    receivedAt: iso(message.receivedAt),
    envelope: {
      ip: message.envelope.ip,
      helo: message.envelope.helo ?? null,
      mailFrom: message.envelope.mailFrom ?? null,
      rcptTo: message.envelope.rcptTo ?? [],
    },
    size: message.size,
    ...(message.from !== undefined ? { from: message.from } : {}),
    ...(message.subject !== undefined ? { subject: message.subject } : {}),
    evaluation: message.evaluation,
  };
}

async function rawBody(c: Context): Promise<Uint8Array> {
  return new Uint8Array(await c.req.arrayBuffer());
}

export function apiRoutes(app: Hono, deps: HttpDeps): void {
  const { config } = deps;
  const auth = requireApiAuth({
    apiTokens: config.http.apiTokens,
    trustedProxies: parseNetworks(config.http.trustedProxies),
  });
  const testDomain = config.smtp?.testDomain;

  app.get('/healthz', async (c) => {
    if (await storeAnswers(deps)) return c.json({ status: 'ok' });
    return jsonError(c, ERROR_STATUS.unavailable, 'store-unavailable', 'the database does not answer');
  });

  app.get('/metrics', async (c) => {
    const text = await deps.registry.metrics();
    return c.body(text, 200, { 'Content-Type': deps.registry.contentType });
  });

  // The test-address reads need no token: the unguessable local part is the secret.
  app.get('/api/v1/tests/:localPart', async (c) => {
    const localPart = c.req.param('localPart');
    if (!testDomain) throw new HttpError(404, 'no-test-domain', 'this instance has no [smtp] test address');
    if (!LOCAL_PART.test(localPart)) throw new HttpError(400, 'bad-local-part', 'not a local part');
    const messages = await fromStore(() => deps.store.listTestMessages(localPart.toLowerCase(), 100));
    return c.json({ address: `${localPart.toLowerCase()}@${testDomain}`, messages: messages.map(testMessageJson) });
  });

  app.use('/api/v1/*', auth);
  app.use('/checkv2', auth);

  app.post('/api/v1/check', async (c) => {
    const raw = await rawBody(c);
    const query = c.req.queries();
    const one = (name: string): string | undefined => query[name]?.[0];
    const result = await checkMessage(
      raw,
      { ip: one('ip'), helo: one('helo'), mailFrom: one('mailFrom'), rcptTo: query['rcpt'] },
      { ...deps.evaluateOptions, now: new Date(deps.now()) },
    );
    observeEvaluation(deps.metrics, 'http', result.evaluation);
    return c.json({ ...result.evaluation, envelopeSource: result.envelopeSource });
  });

  app.get('/api/v1/audit/:domain', async (c) => {
    const domain = c.req.param('domain');
    if (!DOMAIN.test(domain)) throw new HttpError(400, 'bad-domain', `${JSON.stringify(domain)} is not a domain name`);
    const ips = c.req.queries('ip') ?? [];
    const helo = c.req.query('helo');
    const selectors = c.req.queries('selector') ?? [...COMMON_DKIM_SELECTORS];
    const resolver = deps.resolver instanceof DnsClient ? deps.resolver.withTrace() : deps.resolver;
    const started = performance.now();
    const report = await auditDomain(
      { resolver, now: () => new Date(deps.now()), limits: { ...defaultLimits } },
      { domain, ips, selectors, ...(helo !== undefined ? { helo } : {}) },
    );
    return c.json(auditJson(report, performance.now() - started));
  });

  app.post('/api/v1/tests', async (c) => {
    if (!testDomain) throw new HttpError(404, 'no-test-domain', 'this instance has no [smtp] test address');
    const localPart = newTestLocalPart();
    await fromStore(() => deps.store.createTestAddress(localPart, deps.now()));
    return c.json({ address: `${localPart}@${testDomain}`, report: `/r/${localPart}` }, 201);
  });

  app.get('/api/v1/messages', async (c) => {
    const verdict = c.req.query('verdict');
    const limitText = c.req.query('limit');
    const before = c.req.query('before');
    if (verdict !== undefined && !(VERDICTS as readonly string[]).includes(verdict)) {
      throw new HttpError(400, 'bad-verdict', 'verdict: trusted, low or untrusted');
    }
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new HttpError(400, 'bad-limit', 'limit: a whole number from 1 to 1000');
    }
    if (before !== undefined && !/^[0-9A-Z]{26}$/.test(before))
      throw new HttpError(400, 'bad-before', 'before: a message id');
    const rows = await fromStore(() =>
      deps.store.listMessages({
        limit,
        ...(verdict !== undefined ? { verdict: verdict as Verdict } : {}),
        ...(before !== undefined ? { before } : {}),
      }),
    );
    return c.json({
      messages: rows.map((m) => ({
        id: m.id,
        receivedAt: iso(m.receivedAt),
        source: m.source,
        envelope: m.envelope,
        verdict: m.verdict,
        reasons: m.reasons,
        action: m.action ?? null,
        ...(m.localPart !== undefined ? { localPart: m.localPart } : {}),
        ...(m.from !== undefined ? { from: m.from } : {}),
        ...(m.subject !== undefined ? { subject: m.subject } : {}),
      })),
    });
  });

  app.post('/checkv2', async (c) => {
    const raw = await rawBody(c);
    const rcpt = (c.req.header('rcpt') ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r.length > 0);
    const mtaName = c.req.header('mta-name');
    const options = {
      ...deps.evaluateOptions,
      now: new Date(deps.now()),
      ...(mtaName !== undefined && DOMAIN.test(mtaName) ? { authservId: mtaName } : {}),
    };
    const result = await checkMessage(
      raw,
      {
        ip: c.req.header('ip'),
        helo: c.req.header('helo'),
        mailFrom: c.req.header('from'),
        rcptTo: rcpt,
      },
      options,
    );
    const parsed = parseMessage(raw);
    const idField = parsed.ok ? getFields(parsed.value, 'message-id')[0] : undefined;
    const messageId = idField ? fieldValue(idField).replace(/^<|>$/g, '') : undefined;
    observeEvaluation(deps.metrics, 'http', result.evaluation);
    return c.json(rspamdReply(result.evaluation, messageId));
  });
}
