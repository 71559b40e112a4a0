/**
 * The pages of `mailtrust serve` (server-rendered HTML): `/` (a fresh test address), `/r/{localPart}` (its
 * report), `/audit` (a sending-domain audit), and for admins `/messages`, `/m/{id}` and `/outbox`, with `/login`
 * and `/logout`. The stylesheet and the one script are served from `/assets/`.
 *
 * Every page is sent with a Content-Security-Policy that allows scripts, styles and fetches from this origin only
 * (no inline script, no inline style), and every value from a message or from DNS is escaped by the JSX renderer.
 * See docs/dashboard.md.
 */
import { randomBytes } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { auditDomain, defaultLimits, type AuditReport } from '../core/index.js';
import type { Verdict } from '../store/types.js';
import { requireAdmin, safeNext, signIn, signOut } from './admin-session.js';
import { clientAddress, parseNetworks } from './client-address.js';
import type { HttpDeps } from './deps.js';
import { ASSETS } from './views/assets.js';
import { AuditPage } from './views/audit-page.js';
import type { AuditFormValues } from './views/audit-form.js';
import { MessagesPage, OutboxPage } from './views/history-pages.js';
import { HomePage } from './views/home.js';
import { HistoryMessagePage, TestReportPage } from './views/message-page.js';
import { LoginPage, NoticePage } from './views/notice-pages.js';

/** The Content-Security-Policy of every page. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Messages listed on one report page (the newest). */
export const REPORT_MESSAGES = 50;
/** Rows of one `/messages` page. */
export const HISTORY_PAGE = 100;
/** Audits one client may run per minute (each makes dozens of DNS queries). */
export const AUDITS_PER_MINUTE = 20;
/** The longest an audit may take before the page answers with what it has. */
export const AUDIT_TIMEOUT_MS = 20_000;

/** A test address's local part: what `/r/{localPart}` accepts (lower-cased first). */
const LOCAL_PART = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/;
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i;
const SELECTOR = /^[a-z0-9_](?:[a-z0-9_.-]{0,62})$/i;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** An unguessable local part: `t-` and 128 random bits in lower-case base32 (26 characters). */
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
  }
  return `t-${out}`;
}

function render(c: Context, page: JSX.Element, status: 200 | 400 | 403 | 404 | 429 | 500 | 503 = 200): Response {
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  if (c.res.headers.get('Cache-Control') === null) c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${String(page)}`, status);
}

/** The `--server` of the swaks example: none for port 25 (swaks finds the MX), else the listener. */
function swaksServer(listen: { host: string; port: number }): { smtpServer?: string } {
  if (listen.port === 25 || listen.port === 0) return {};
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  return { smtpServer: host.includes(':') ? `[${host}]:${listen.port}` : `${host}:${listen.port}` };
}

function verdictParam(value: string | undefined): Verdict | undefined {
  return value === 'trusted' || value === 'low' || value === 'untrusted' ? value : undefined;
}

/** Reads and checks the audit form; an error names the field. */
function auditInput(
  values: AuditFormValues,
): { ok: true; domain: string; ips: string[]; helo?: string; selectors: string[] } | { ok: false; error: string } {
  const domain = (values.domain ?? '').trim().toLowerCase();
  if (!DOMAIN.test(domain)) return { ok: false, error: 'Domain: give a domain name such as example.com.' };
  const ips = (values.ip ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ips.length > 8) return { ok: false, error: 'Sending IP: at most 8 addresses.' };
  for (const ip of ips) {
    if (!/^[0-9a-f.:]{2,45}$/i.test(ip)) return { ok: false, error: `Sending IP: ${ip} is not an IP address.` };
  }
  const helo = (values.helo ?? '').trim().toLowerCase();
  if (helo !== '' && !DOMAIN.test(helo)) return { ok: false, error: 'HELO name: give a host name.' };
  const selectors = (values.selector ?? '')
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .slice(0, 8);
  for (const s of selectors)
    if (!SELECTOR.test(s)) return { ok: false, error: `DKIM selector: ${s} is not a selector name.` };
  return { ok: true, domain, ips, ...(helo !== '' ? { helo } : {}), selectors };
}

export function pageRoutes(app: Hono, deps: HttpDeps): void {
  const adminOff = (c: Context) =>
    render(
      c,
      <NoticePage title="Not found" message="The admin pages are off: set http.adminToken in the configuration." />,
      404,
    );
  const guard = requireAdmin(deps, adminOff);
  /**
   * A page handler whose failures (the database not answering, an unexpected error) become an HTML page with 503,
   * not the API's JSON error; the cause goes to the log.
   */
  const page =
    (handler: (c: Context) => Response | Promise<Response>) =>
    async (c: Context): Promise<Response> => {
      try {
        return await handler(c);
      } catch (error) {
        deps.logger.error({ err: error, path: c.req.path }, 'page failed');
        return render(
          c,
          <NoticePage title="Try again in a moment" message="The server could not build this page just now." />,
          503,
        );
      }
    };
  const admin: MiddlewareHandler = async (c, next) => {
    try {
      return await guard(c, next);
    } catch (error) {
      deps.logger.error({ err: error, path: c.req.path }, 'admin session check failed');
      return render(
        c,
        <NoticePage title="Try again in a moment" message="The server could not check your session just now." />,
        503,
      );
    }
  };

  app.get('/assets/:file', (c) => {
    const asset = ASSETS.get(c.req.path);
    if (asset === undefined) return c.text('not found', 404);
    c.header('Content-Type', asset.contentType);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(asset.body);
  });

  app.get(
    '/',
    page(async (c) => {
      const smtp = deps.config.smtp;
      if (smtp === undefined) {
        return render(
          c,
          <AuditPage values={{}} error="Test addresses are off on this server (no [smtp] section): audit a domain." />,
        );
      }
      const localPart = newTestLocalPart();
      await deps.store.createTestAddress(localPart, deps.now());
      return render(
        c,
        <HomePage
          address={`${localPart}@${smtp.testDomain}`}
          reportPath={`/r/${localPart}`}
          {...swaksServer(smtp.listen)}
        />,
      );
    }),
  );

  app.get(
    '/r/:localPart',
    page(async (c) => {
      const localPart = (c.req.param('localPart') ?? '').toLowerCase();
      const testDomain = deps.config.smtp?.testDomain;
      if (!LOCAL_PART.test(localPart) || testDomain === undefined) {
        return render(c, <NoticePage title="Not found" message="There is no report at this address." />, 404);
      }
      const messages = await deps.store.listTestMessages(localPart, REPORT_MESSAGES);
      const wanted = c.req.query('m');
      const selected = (wanted !== undefined && messages.find((m) => m.id === wanted)) || messages[0];
      return render(
        c,
        <TestReportPage
          localPart={localPart}
          address={`${localPart}@${testDomain}`}
          messages={messages}
          selected={selected}
        />,
      );
    }),
  );

  app.get(
    '/audit',
    page(async (c) => {
      const values: AuditFormValues = {
        domain: c.req.query('domain') ?? '',
        ip: c.req.query('ip') ?? '',
        helo: c.req.query('helo') ?? '',
        selector: c.req.query('selector') ?? '',
      };
      for (const [key, value] of Object.entries(values)) {
        if (typeof value === 'string' && value.length > 300)
          return render(c, <AuditPage values={{}} error={`${key}: too long.`} />, 400);
      }
      if (values.domain === '') return render(c, <AuditPage values={values} />);
      const input = auditInput(values);
      if (!input.ok) return render(c, <AuditPage values={values} error={input.error} />, 400);
      const now = deps.now();
      const limit = await deps.store.hitRateLimit(
        `audit:${clientAddress(c, parseNetworks(deps.config.http.trustedProxies)) ?? 'unknown'}`,
        AUDITS_PER_MINUTE,
        60_000,
        now,
      );
      if (!limit.allowed) {
        c.header('Retry-After', String(Math.max(1, Math.ceil((limit.resetAt - now) / 1000))));
        return render(c, <AuditPage values={values} error="Too many audits: wait a minute." />, 429);
      }
      let report: AuditReport;
      try {
        report = await auditDomain(
          {
            resolver: deps.resolver,
            now: () => new Date(deps.now()),
            limits: defaultLimits,
            signal: AbortSignal.timeout(AUDIT_TIMEOUT_MS),
          },
          {
            domain: input.domain,
            ips: input.ips,
            selectors: input.selectors,
            ...(input.helo !== undefined ? { helo: input.helo } : {}),
          },
        );
      } catch (error) {
        deps.logger.warn({ err: error, domain: input.domain }, 'audit failed');
        return render(c, <AuditPage values={values} error="The audit could not be completed: try again." />, 500);
      }
      return render(c, <AuditPage values={values} report={report} />);
    }),
  );

  app.get(
    '/login',
    page((c) => {
      if (deps.config.http.adminToken === undefined) return adminOff(c);
      return render(c, <LoginPage next={safeNext(c.req.query('next'))} />);
    }),
  );

  app.post(
    '/login',
    page(async (c) => {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const result = await signIn(c, deps, form['token'], form['next']);
      if (result.ok) return c.redirect(result.location, 303);
      if (result.status === 404) return adminOff(c);
      return render(c, <LoginPage next={safeNext(form['next'])} error={result.message} />, result.status);
    }),
  );

  app.post(
    '/logout',
    page(async (c) => {
      if (!(await signOut(c, deps)))
        return render(c, <NoticePage title="Forbidden" message="Sign out from a page of this site." />, 403);
      return c.redirect('/', 303);
    }),
  );

  app.get(
    '/messages',
    admin,
    page(async (c) => {
      const verdict = verdictParam(c.req.query('verdict'));
      const beforeParam = c.req.query('before');
      const before = beforeParam !== undefined && MESSAGE_ID.test(beforeParam) ? beforeParam : undefined;
      const messages = await deps.store.listMessages({
        limit: HISTORY_PAGE,
        ...(verdict !== undefined ? { verdict } : {}),
        ...(before !== undefined ? { before } : {}),
      });
      const last = messages[messages.length - 1];
      return render(
        c,
        <MessagesPage
          messages={messages}
          verdict={verdict}
          nextBefore={messages.length === HISTORY_PAGE && last ? last.id : undefined}
        />,
      );
    }),
  );

  app.get(
    '/m/:id',
    admin,
    page(async (c) => {
      const id = c.req.param('id') ?? '';
      const message = MESSAGE_ID.test(id) ? await deps.store.getMessage(id) : undefined;
      if (message === undefined)
        return render(c, <NoticePage title="Not found" message="There is no message with this id." />, 404);
      return render(c, <HistoryMessagePage message={message} />);
    }),
  );

  app.get(
    '/outbox',
    admin,
    page(async (c) => {
      const submissions = await deps.store.listOutbox({ limit: HISTORY_PAGE });
      return render(c, <OutboxPage submissions={submissions} />);
    }),
  );
}
