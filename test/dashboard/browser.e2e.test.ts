/// <reference lib="dom" />
/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core): the HTTP app served on loopback,
 * messages evaluated for real (fixtures over the loopback DNS server). A test address is created on `/`, its
 * report waits and fills in by itself when the message is stored, the verdict and every section agree with the
 * evaluation, a copy button copies, the audit form runs, an admin signs in and filters `/messages`, hostile
 * header text never executes, axe finds no serious or critical violation on any page, and screenshots of the
 * report (trusted and untrusted, desktop and phone width) are written to a temporary directory.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createResolver } from '../../src/core/dns/index.js';
import { evaluate, type Evaluation } from '../../src/core/evaluation/index.js';
import { createHttpApp } from '../../src/http/app.js';
import { reportSections } from '../../src/http/views/report-model.js';
import { newId } from '../../src/store/ids.js';
import type { NewMessage } from '../../src/store/types.js';
import { startTestDnsServer, zoneRecords as shorthand, type TestDnsServer } from '../support/dns-server.js';
import { zoneRecords } from '../evaluation/fixture-format.js';
import { ADMIN_TOKEN, testDeps } from './app-deps.js';
import type { MemoryStore } from './memory-store.js';
import { evaluateScenarios, type Scenario } from './scenarios.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether this build serves GET /api/v1/tests/{localPart} (set in before()). */
let API_TESTS_ROUTE = false;

const NAMES = ['aligned-spf-dkim-pass', 'seed-spf-fail-untrusted', 'seed-ptr-missing-low'] as const;

let scenarios: Map<string, Scenario>;
let dns: TestDnsServer;
let server: Server;
let base: string;
let store: MemoryStore;
let context: BrowserContext;
let profile: string;
let screenshots: string;
let hostile: { evaluation: Evaluation; raw: Uint8Array };

const HOSTILE_RAW =
  'From: "<script>window.pwned=1</script>" <alice@example.com>\r\n' +
  'To: Bob <bob@example.net>\r\n' +
  'Subject: "><img src=x onerror="window.pwned=2"> <a href="javascript:window.pwned=3">click</a>\r\n' +
  'Date: Thu, 15 Jan 2026 11:55:00 +0000\r\nMessage-ID: <hostile.1@example.com>\r\n' +
  'X-Link: javascript:window.pwned=4\r\n\r\nHello\r\n';

function scenario(name: (typeof NAMES)[number]): Scenario {
  const s = scenarios.get(name);
  assert.ok(s, name);
  return s;
}

async function deliver(localPart: string | undefined, s: { evaluation: Evaluation; raw: Uint8Array }, extra = {}) {
  const now = Date.now();
  const message: NewMessage = {
    id: newId(now),
    receivedAt: now,
    source: localPart === undefined ? 'milter' : 'smtp',
    ...(localPart !== undefined ? { localPart } : {}),
    envelope: s.evaluation.envelope,
    evaluation: s.evaluation,
    raw: s.raw,
    size: s.raw.length,
    ...extra,
  };
  await store.saveMessage(message);
  return message.id;
}

before(async () => {
  scenarios = await evaluateScenarios(NAMES);
  const aligned = scenario('aligned-spf-dkim-pass');
  dns = await startTestDnsServer({
    records: [
      ...zoneRecords(aligned.fixture),
      ...shorthand({
        'audit-me.test': { MX: [[10, 'mail.audit-me.test']], TXT: ['v=spf1 mx -all'] },
        'mail.audit-me.test': { A: ['192.0.2.77'] },
      }),
    ],
  });
  const resolver = createResolver({ servers: [dns.address], timeoutMs: 1500, retries: 0 });
  hostile = {
    evaluation: await evaluate(HOSTILE_RAW, aligned.fixture.envelope, { resolver, now: aligned.fixture.now }),
    raw: new TextEncoder().encode(HOSTILE_RAW),
  };
  const deps = testDeps({ dns: dns.address });
  store = deps.store;
  const app = createHttpApp(deps);
  API_TESTS_ROUTE = (await app.request('/api/v1/tests/t-probe')).status !== 404;
  server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = await mkdtemp(join(tmpdir(), 'mailtrust-chromium-'));
  screenshots = process.env['MAILTRUST_SCREENSHOTS'] ?? (await mkdtemp(join(tmpdir(), 'mailtrust-screens-')));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
});

after(async () => {
  await context?.close().catch(() => undefined);
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await dns?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  if (screenshots) console.log(`screenshots: ${screenshots}`);
});

/** A fresh page that fails the test on any dialog, page error or console error. */
async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A failed load is reported with its URL by the response listener below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const path = new URL(r.url()).pathname;
    // The report polls /api/v1/tests/{localPart}; in a build without that API route the page reloads itself
    // instead, so a 404 there is expected (src/http/views/page-script.ts).
    if (r.status() === 404 && path.startsWith('/api/v1/tests/') && !API_TESTS_ROUTE) return;
    problems.push(`HTTP ${r.status()} ${path}`);
  });
  return { page, problems };
}

async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${label}: axe`,
  );
}

/** The sections as the page shows them: key, result token and status. */
async function shownSections(page: Page) {
  return page.$$eval('section[data-section]', (nodes) =>
    nodes.map((n) => ({
      key: n.getAttribute('data-section'),
      result: n.getAttribute('data-result'),
      status: n.querySelector('.section-head .badge')?.getAttribute('data-status'),
      word: n.querySelector('.section-head .badge')?.textContent?.trim(),
    })),
  );
}

describe('dashboard in Chromium', { timeout: 180_000 }, () => {
  test('a test address: the report waits, then fills in by itself and agrees with the evaluation', async () => {
    const { page, problems } = await newPage();
    await page.goto(`${base}/`);
    const address = (await page.textContent('#test-address'))?.trim() ?? '';
    assert.match(address, /^t-[a-z2-7]{26}@check\.example\.test$/);
    await page.click('#report-link');
    await page.waitForSelector('[data-verdict="waiting"]');
    await expectNoSeriousViolations(page, 'waiting report');
    const localPart = address.split('@')[0]!;
    const s = scenario('seed-spf-fail-untrusted');
    await deliver(localPart, s, { subject: 'Quarterly report' });
    // No reload from the test: the page's own script notices the message.
    await page.waitForSelector('[data-verdict="untrusted"]', { timeout: 20_000 });
    const shown = await shownSections(page);
    assert.deepEqual(
      shown.map((x) => [x.key, x.result, x.status]),
      reportSections(s.evaluation).map((x) => [x.key, x.result, x.status]),
    );
    // The page's results against the evaluation JSON itself.
    const byKey = new Map(shown.map((x) => [x.key, x.result]));
    assert.equal(byKey.get('spf'), s.evaluation.spf.result);
    assert.equal(byKey.get('ptr'), s.evaluation.iprev.result);
    assert.equal(byKey.get('dmarc'), s.evaluation.dmarc.result);
    assert.equal(byKey.get('headers'), s.evaluation.headers.result);
    assert.equal(await page.textContent('#authentication-results'), s.evaluation.authenticationResults);
    await expectNoSeriousViolations(page, 'untrusted report');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a copy button puts the exact record on the clipboard', async () => {
    const { page, problems } = await newPage();
    await deliver('t-copy', scenario('seed-spf-fail-untrusted'));
    await page.goto(`${base}/r/t-copy`);
    const button = page.locator('section[data-section="spf"] button.copy').first();
    await button.waitFor({ state: 'visible' });
    const expected = await button.getAttribute('data-copy');
    assert.match(expected ?? '', /TXT "v=spf1 /);
    await button.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('copy-status')?.textContent !== '');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
    assert.equal((await button.textContent())?.trim(), 'Copied');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the audit form runs an audit and shows the records to publish', async () => {
    const { page, problems } = await newPage();
    await page.goto(`${base}/`);
    await page.fill('#audit-domain', 'audit-me.test');
    await page.fill('#audit-ip', '192.0.2.77');
    await page.fill('#audit-selector', 's1');
    await page.click('form[action="/audit"] button[type="submit"]');
    await page.waitForSelector('[data-result]');
    assert.match(page.url(), /\/audit\?domain=audit-me\.test&ip=192\.0\.2\.77/);
    assert.ok(await page.isVisible('#publish-heading'));
    assert.match((await page.textContent('[data-suggestion="dmarc"] code')) ?? '', /^_dmarc\.audit-me\.test\. TXT/);
    await expectNoSeriousViolations(page, 'audit');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('an admin signs in, filters /messages by verdict and opens a row', async () => {
    const { page, problems } = await newPage();
    await deliver(undefined, scenario('aligned-spf-dkim-pass'), { from: 'alice@example.com' });
    await deliver(undefined, scenario('seed-ptr-missing-low'), { from: 'low@example.com' });
    await deliver(undefined, scenario('seed-spf-fail-untrusted'), { from: 'spoof@example.com' });
    await page.goto(`${base}/messages`);
    assert.match(page.url(), /\/login\?next=%2Fmessages$/);
    await expectNoSeriousViolations(page, 'login');
    await page.fill('#admin-token', ADMIN_TOKEN);
    await page.press('#admin-token', 'Enter');
    await page.waitForURL(`${base}/messages`);
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === 'mailtrust_admin');
    assert.ok(session?.httpOnly, 'HttpOnly');
    assert.equal(session?.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie.includes('mailtrust_admin')), false);
    await expectNoSeriousViolations(page, 'messages');
    await page.selectOption('#verdict-filter', 'low');
    await page.click('form[aria-label="Filter messages"] button');
    await page.waitForURL(/verdict=low/);
    const verdicts = await page.$$eval('tr.open-row', (rows) => rows.map((r) => r.getAttribute('data-verdict')));
    assert.ok(verdicts.length >= 1 && verdicts.every((v) => v === 'low'), verdicts.join(','));
    await page.click('tr.open-row a');
    await page.waitForSelector('[data-verdict="low"]');
    await expectNoSeriousViolations(page, 'history message');
    await page.goto(`${base}/outbox`);
    await expectNoSeriousViolations(page, 'outbox');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('hostile header text shows literally and nothing in it runs', async () => {
    const { page, problems } = await newPage();
    await deliver('t-hostile', hostile, { subject: '"><img src=x onerror="window.pwned=2">' });
    const response = await page.goto(`${base}/r/t-hostile`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    await page.waitForSelector('#message-header');
    const header = (await page.textContent('#message-header')) ?? '';
    assert.ok(header.includes('"<script>window.pwned=1</script>"'), 'the From text, literally');
    assert.ok(header.includes('<img src=x onerror="window.pwned=2">'), 'the Subject text, literally');
    assert.ok(header.includes('javascript:window.pwned=4'));
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
    // Focus every link and button, then press Enter on the header block: nothing runs.
    await page.focus('#message-header');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('keyboard: the first Tab reaches the skip link, which moves focus to the content', async () => {
    const { page } = await newPage();
    await deliver('t-keys', scenario('aligned-spf-dkim-pass'));
    await page.goto(`${base}/r/t-keys`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.match(page.url(), /#content$/);
    await page.close();
  });

  test('screenshots of the report: trusted and untrusted, desktop and phone width', async () => {
    const cases = [
      ['trusted', 'aligned-spf-dkim-pass'],
      ['untrusted', 'seed-spf-fail-untrusted'],
      ['low', 'seed-ptr-missing-low'],
    ] as const;
    for (const [label, name] of cases) {
      const localPart = `t-shot-${label}`;
      await deliver(localPart, scenario(name), { subject: 'Quarterly report' });
      for (const [width, height, device] of [
        [1280, 900, 'desktop'],
        [390, 844, 'phone'],
      ] as const) {
        const { page, problems } = await newPage();
        await page.setViewportSize({ width, height });
        await page.goto(`${base}/r/${localPart}`);
        await page.waitForSelector(`[data-verdict="${scenario(name).evaluation.verdict}"]`);
        // Nothing wider than the screen: the page reflows at phone width.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${label} ${device}: ${overflow}px wider than the viewport`);
        await page.screenshot({ path: join(screenshots, `report-${label}-${device}.png`), fullPage: true });
        assert.deepEqual(problems, []);
        await page.close();
      }
    }
  });
});
