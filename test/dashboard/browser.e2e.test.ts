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
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Evaluation } from '../../src/core/evaluation/index.js';
import { validateConfig } from '../../src/server/config.js';
import { startService, type Service } from '../../src/server/service.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { reportSections } from '../../src/http/views/report-model.js';
import { run } from '../smtp/harness.js';
import { startTestDnsServer, zoneRecords as shorthand, type TestDnsServer } from '../support/dns-server.js';
import { buildMessage, loadFixture, zoneRecords } from '../evaluation/fixture-format.js';
import { createResolver } from '../../src/core/dns/index.js';
import { ADMIN_TOKEN, TEST_DOMAIN } from './app-deps.js';

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

let dns: TestDnsServer;
let service: Service;
let store: Store;
let base: string;
let smtpPort: number;
let work: string;
let context: BrowserContext;
let screenshots: string;
/** The messages sent, as files for swaks: a signed aligned one and a spoofed one from a foreign address. */
const files = { aligned: '', spoofed: '', hostile: '' };

const HOSTILE_RAW =
  'From: "<script>window.pwned=1</script>" <alice@example.com>\r\n' +
  'To: Bob <bob@example.net>\r\n' +
  'Subject: "><img src=x onerror="window.pwned=2"> <a href="javascript:window.pwned=3">click</a>\r\n' +
  'Date: Thu, 15 Jan 2026 11:55:00 +0000\r\nMessage-ID: <hostile.1@example.com>\r\n' +
  'X-Link: javascript:window.pwned=4\r\n\r\nHello\r\n';

/** How each kind of message is sent: the file, and the client address and HELO given by XCLIENT. */
const SENDS = {
  trusted: { file: 'aligned', ip: '192.0.2.10', helo: 'mail.example.com' },
  low: { file: 'aligned', ip: '192.0.2.10', helo: 'localhost' },
  untrusted: { file: 'spoofed', ip: '203.0.113.66', helo: 'mail.example.com' },
  hostile: { file: 'hostile', ip: '192.0.2.10', helo: 'mail.example.com' },
} as const;

/** Sends one message to `localPart@testDomain` with swaks over real SMTP, XCLIENT setting the client. */
async function send(localPart: string, kind: keyof typeof SENDS): Promise<void> {
  const how = SENDS[kind];
  const r = await run('swaks', [
    '--server',
    '127.0.0.1',
    '--port',
    String(smtpPort),
    '--timeout',
    '20',
    '--to',
    `${localPart}@${TEST_DOMAIN}`,
    '--from',
    'alice@example.com',
    '--ehlo',
    how.helo,
    '--xclient',
    `ADDR=${how.ip} NAME=[UNAVAILABLE] HELO=${how.helo}`,
    '--data',
    files[how.file],
  ]);
  assert.equal(r.code, 0, `swaks: ${r.stdout}${r.stderr}`);
}

/** The evaluation JSON of the newest message to a test address: from the API when this build has it. */
async function evaluationOf(localPart: string): Promise<Evaluation> {
  if (API_TESTS_ROUTE) {
    const body = (await (await fetch(`${base}/api/v1/tests/${localPart}`)).json()) as {
      messages: { evaluation: Evaluation }[];
    };
    assert.ok(body.messages[0], 'the API lists the message');
    return body.messages[0].evaluation;
  }
  const [newest] = await store.listTestMessages(localPart, 1);
  assert.ok(newest, 'the store holds the message');
  return newest.evaluation;
}

before(async () => {
  const spoofed = loadFixture('spoofed-from-spf-fail-no-dkim');
  const aligned = loadFixture('aligned-spf-dkim-pass');
  dns = await startTestDnsServer({
    records: [
      ...zoneRecords(spoofed),
      ...shorthand({
        'audit-me.test': { MX: [[10, 'mail.audit-me.test']], TXT: ['v=spf1 mx -all'] },
        'mail.audit-me.test': { A: ['192.0.2.77'] },
      }),
    ],
  });
  work = await mkdtemp(join(tmpdir(), 'mailtrust-dashboard-'));
  const signer = createResolver({ servers: [dns.address], timeoutMs: 1500, retries: 0 });
  const crlf = (raw: Uint8Array) => Buffer.from(raw).toString('latin1').replace(/\r?\n/g, '\r\n');
  files.aligned = join(work, 'aligned.eml');
  files.spoofed = join(work, 'spoofed.eml');
  files.hostile = join(work, 'hostile.eml');
  await writeFile(files.aligned, crlf(await buildMessage(aligned, signer)), 'latin1');
  await writeFile(files.spoofed, crlf(await buildMessage(spoofed, signer)), 'latin1');
  await writeFile(files.hostile, HOSTILE_RAW, 'latin1');

  const config = validateConfig({
    hostname: 'mx.check.example.test',
    database: `sqlite:${join(work, 'mailtrust.db')}`,
    dns: [dns.address],
    logLevel: 'silent',
    smtp: { listen: '127.0.0.1:0', testDomain: TEST_DOMAIN },
    http: { listen: '127.0.0.1:0', adminToken: ADMIN_TOKEN },
  });
  if (!config.ok) throw new Error(config.message);
  store = await openStore(`sqlite:${join(work, 'mailtrust.db')}`);
  service = await startService(config.config, { store });
  base = `http://${service.face('http')!.address}`;
  smtpPort = Number(service.face('smtp')!.address.split(':').pop());
  API_TESTS_ROUTE = (await fetch(`${base}/api/v1/tests/t-probe`)).status !== 404;

  screenshots = process.env['MAILTRUST_SCREENSHOTS'] ?? (await mkdtemp(join(tmpdir(), 'mailtrust-screens-')));
  context = await chromium.launchPersistentContext(join(work, 'chromium'), {
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
  await service?.close(1000).catch(() => undefined);
  await store?.close().catch(() => undefined);
  await dns?.close();
  if (work) await rm(work, { recursive: true, force: true });
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
    await send(localPart, 'untrusted');
    // No reload from the test: the page's own script notices the message.
    await page.waitForSelector('[data-verdict="untrusted"]', { timeout: 20_000 });
    const evaluation = await evaluationOf(localPart);
    assert.equal(evaluation.verdict, 'untrusted');
    const shown = await shownSections(page);
    assert.deepEqual(
      shown.map((x) => [x.key, x.result, x.status]),
      reportSections(evaluation).map((x) => [x.key, x.result, x.status]),
    );
    // The page's results against the evaluation JSON itself.
    const byKey = new Map(shown.map((x) => [x.key, x.result]));
    assert.equal(byKey.get('spf'), evaluation.spf.result);
    assert.equal(byKey.get('ptr'), evaluation.iprev.result);
    assert.equal(byKey.get('helo'), evaluation.helo.result);
    assert.equal(byKey.get('dmarc'), evaluation.dmarc.result);
    assert.equal(byKey.get('headers'), evaluation.headers.result);
    assert.equal(byKey.get('forwarding'), evaluation.arc.result);
    assert.equal(await page.textContent('#authentication-results'), evaluation.authenticationResults);
    await expectNoSeriousViolations(page, 'untrusted report');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('a copy button puts the exact record on the clipboard', async () => {
    const { page, problems } = await newPage();
    await send('t-copy', 'untrusted');
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
    await send('t-history-1', 'trusted');
    await send('t-history-2', 'low');
    await send('t-history-3', 'untrusted');
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
    await send('t-hostile', 'hostile');
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
    await send('t-keys', 'trusted');
    await page.goto(`${base}/r/t-keys`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.match(page.url(), /#content$/);
    await page.close();
  });

  test('screenshots of the report: trusted and untrusted, desktop and phone width', async () => {
    for (const label of ['trusted', 'low', 'untrusted'] as const) {
      const localPart = `t-shot-${label}`;
      await send(localPart, label);
      for (const [width, height, device] of [
        [1280, 900, 'desktop'],
        [390, 844, 'phone'],
      ] as const) {
        const { page, problems } = await newPage();
        await page.setViewportSize({ width, height });
        await page.goto(`${base}/r/${localPart}`);
        await page.waitForSelector(`[data-verdict="${label}"]`);
        // Nothing wider than the screen: the page reflows at phone width.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${label} ${device}: ${overflow}px wider than the viewport`);
        await page.screenshot({ path: join(screenshots, `report-${label}-${device}.png`), fullPage: true });
        await page.screenshot({ path: join(screenshots, `report-${label}-${device}-top.png`) });
        assert.deepEqual(problems, []);
        await page.close();
      }
    }
  });
});
