/**
 * The configuration of `mailtrust serve`: one TOML file plus command-line flags, validated at start.
 *
 * Every key is checked: an unknown key or a bad value is a usage error that names the key (exit 64). The keys and
 * their meaning are documented in docs/serve.md; defaults are filled in here so every face reads a complete object.
 */
import { z } from 'zod';

/** A duration such as `30s`, `5m`, `66m`, `4h`, `5d`, in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** A rate such as `20/min` or `600/h`: at most `limit` events in a sliding window of `windowMs`. */
export interface Rate {
  limit: number;
  windowMs: number;
}

export function parseRate(text: string): Rate | undefined {
  const match = /^(\d+)\s*\/\s*(s|min|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const windowMs = { s: 1_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'min' | 'h' | 'd'];
  const limit = Number(match[1]);
  return limit > 0 ? { limit, windowMs } : undefined;
}

/** `HOST:PORT` or `[v6]:PORT` a listener binds to. */
export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(text)} (use e.g. 30s, 5m, 4h, 5d)` });
    return z.NEVER;
  }
  return ms;
});

const rate = z.string().transform((text, ctx) => {
  const parsed = parseRate(text);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `not a rate: ${JSON.stringify(text)} (use N/s, N/min, N/h or N/d)` });
    return z.NEVER;
  }
  return parsed;
});

const listen = z.string().transform((text, ctx) => {
  const parsed = parseListenAddress(text);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `not a listen address: ${JSON.stringify(text)} (use HOST:PORT)` });
    return z.NEVER;
  }
  return parsed;
});

/** An IPv4 or IPv6 network in CIDR form (`127.0.0.1/32`, `::1/128`); a bare address means the one host. */
const cidr = z
  .string()
  .regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'not a network: use CIDR form, e.g. 127.0.0.1/32 or 10.0.0.0/8');

const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/,
    'not a host name',
  );

const mailbox = z.string().regex(/^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9.-]+$/, 'not a mail address (local@domain)');

const smtp = z.strictObject({
  listen: listen.prefault('0.0.0.0:25'),
  testDomain: hostname,
  trustedPeers: z.array(cidr).default(['127.0.0.1/32', '::1/128']),
  proxyProtocol: z.boolean().default(false),
  maxMessageBytes: z.number().int().positive().default(26_214_400),
  maxRecipients: z.number().int().positive().default(100),
  maxSessions: z.number().int().positive().default(200),
  socketTimeout: duration.prefault('300s'),
  tls: z.strictObject({ cert: z.string(), key: z.string() }).optional(),
});

const milter = z.strictObject({
  listen: listen.prefault('127.0.0.1:8891'),
  /** Time budget of one message's evaluation; lookups still pending then count as temperror. */
  timeBudget: duration.prefault('20s'),
  /** Store every evaluation in the history (`/api/v1/messages`). */
  history: z.boolean().default(true),
});

const actions = z.strictObject({
  untrusted: z.enum(['reject', 'quarantine', 'tag']).default('reject'),
  low: z.enum(['tag', 'quarantine']).default('tag'),
  temperror: z.enum(['tempfail', 'tag']).default('tempfail'),
});

const http = z.strictObject({
  listen: listen.prefault('127.0.0.1:8025'),
  publicUrl: z.url().optional(),
  apiTokens: z.array(z.string().min(16, 'an API token has at least 16 characters')).default([]),
  trustedProxies: z.array(cidr).default([]),
  adminToken: z.string().min(16, 'the admin token has at least 16 characters').optional(),
  maxBodyBytes: z.number().int().positive().default(26_214_400),
});

const relayRateLimit = z.strictObject({ perIp: rate.optional(), perForm: rate.optional() });

const form = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a form id is 1–64 letters, digits, - or _'),
  to: z.array(mailbox).min(1),
  copyTo: z.array(mailbox).default([]),
  subject: z.string().default('Form submission'),
  fields: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).min(1),
  replyToField: z.string().optional(),
  nameField: z.string().optional(),
  captcha: z.enum(['altcha', 'none']).default('altcha'),
  tokens: z.array(z.string().min(16)).default([]),
  redirect: z.url().optional(),
  allowedOrigins: z.array(z.string()).optional(),
  honeypot: z.string().optional(),
  minFillSeconds: z.number().nonnegative().default(3),
  maxFieldLength: z.number().int().positive().default(10_000),
  rateLimit: relayRateLimit.optional(),
});

const relay = z.strictObject({
  hostname,
  from: mailbox,
  mailFrom: mailbox.optional(),
  bounceTo: mailbox.optional(),
  dkim: z.strictObject({ domain: hostname, selector: z.string().min(1), keyFile: z.string() }),
  sendTo: z.array(mailbox).default([]),
  allowLocalMx: z.boolean().default(false),
  deliveryPort: z.number().int().min(1).max(65_535).default(25),
  /** The relay's public sending address, for the readiness audit (PTR, SPF). */
  publicIp: z.string().optional(),
  retry: z
    .strictObject({
      minimalBackoff: duration.prefault('5m'),
      maximalBackoff: duration.prefault('66m'),
      lifetime: duration.prefault('5d'),
    })
    .prefault({}),
  lease: duration.prefault('15m'),
  workers: z.number().int().min(0).max(64).default(1),
  rateLimit: relayRateLimit.prefault({}),
  forms: z.array(form).default([]),
});

/** The policy keys, as in the `--policy` JSON file; validated by the core's policy parser after this schema. */
const policy = z.record(z.string(), z.unknown());

export const configSchema = z.strictObject({
  hostname: hostname.optional(),
  database: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'use sqlite:PATH or postgres://user@host:5432/db')
    .default('sqlite:./mailtrust.db'),
  databasePool: z.number().int().min(1).max(200).default(10),
  dns: z.array(z.string()).optional(),
  zone: z.string().optional(),
  policyFile: z.string().optional(),
  retentionDays: z.number().int().min(1).default(30),
  authservId: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long SIGTERM waits for sessions in flight before closing them. */
  shutdownGrace: duration.prefault('10s'),
  smtp: smtp.optional(),
  milter: milter.optional(),
  actions: actions.prefault({}),
  policy: policy.optional(),
  http: http.prefault({}),
  relay: relay.optional(),
});

/** The validated configuration, defaults filled in. */
export type ServeConfig = z.output<typeof configSchema>;
export type SmtpConfig = NonNullable<ServeConfig['smtp']>;
export type MilterConfig = NonNullable<ServeConfig['milter']>;
export type ActionsConfig = ServeConfig['actions'];
export type HttpConfig = ServeConfig['http'];
export type RelayConfig = NonNullable<ServeConfig['relay']>;
export type FormConfig = RelayConfig['forms'][number];

export type ConfigResult = { ok: true; config: ServeConfig } | { ok: false; message: string };

/** Validates a parsed TOML document; the first problem is named by its key path, e.g. `smtp.listen: …`. */
export function validateConfig(document: unknown): ConfigResult {
  const parsed = configSchema.safeParse(document);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  if (!issue) return { ok: false, message: 'invalid configuration' };
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = path ? `${path}.` : '';
    return { ok: false, message: `unknown key ${issue.keys.map((k) => where + k).join(', ')}` };
  }
  return { ok: false, message: `${path || 'config'}: ${issue.message}` };
}
