/**
 * The dashboard without a browser: the report model against real evaluations (fixtures over the loopback DNS
 * server), the pages as HTML from the HTTP app (escaping, CSP, the waiting state, several messages), the admin
 * sign-in (cookie flags, same-origin posts, sessions) and the audit form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createResolver, evaluate } from '../../src/core/index.js';
import { createHttpApp } from '../../src/http/app.js';
import { sessionKey, safeNext } from '../../src/http/admin-session.js';
import { PAGE_CSP } from '../../src/http/pages.js';
import { ASSETS, SCRIPT_ASSET, STYLESHEET_ASSET } from '../../src/http/views/assets.js';
import { recordsInRemedy, reportSections, SECTION_ORDER, sectionOfFinding } from '../../src/http/views/report-model.js';
import { newId } from '../../src/store/ids.js';
import { startTestDnsServer, zoneRecords as shorthand, type TestDnsServer } from '../support/dns-server.js';
import { zoneRecords } from '../evaluation/fixture-format.js';
import { queueOutboxRows } from './outbox-rows.js';
import { formatTime } from '../../src/http/views/report.js';
import { ADMIN_TOKEN, closeTestStores, TEST_DOMAIN, testConfig, testDeps } from './app-deps.js';
import type { Store } from '../../src/store/types.js';
import { evaluateScenarios, type Scenario } from './scenarios.js';

const NAMES = [
  'aligned-spf-dkim-pass',
  'guide-spf-fail-untrusted',
  'guide-ptr-missing-low',
  'ptr-timeout-retryable',
  'guide-invalid-dkim-untrusted',
  'forwarded-footer-dkim-broken-untrusted',
  'sender-unauthenticated-low',
  'guide-helo-localhost-low',
] as const;

let scenarios: Map<string, Scenario>;
let dns: TestDnsServer;

before(async () => {
  scenarios = await evaluateScenarios(NAMES);
  dns = await startTestDnsServer({
    records: [
      ...zoneRecords(scenarios.get('aligned-spf-dkim-pass')!.fixture),
      ...shorthand({ 'audit-me.test': { MX: [[10, 'mail.audit-me.test']], TXT: ['v=spf1 mx -all'] } }),
      ...shorthand({ 'mail.audit-me.test': { A: ['192.0.2.77'] } }),
    ],
  });
});
after(async () => {
  await closeTestStores();
  await dns?.close();
});

function scenario(name: (typeof NAMES)[number]): Scenario {
  const s = scenarios.get(name);
  assert.ok(s, `scenario ${name} evaluated`);
  return s;
}

/** The result token the evaluation JSON holds for each section (what the page must show). */
function jsonToken(e: Scenario['evaluation'], key: string): string {
  switch (key) {
    case 'ptr':
      return e.iprev.result;
    case 'helo':
      return e.helo.result;
    case 'spf':
      return e.spf.result;
    case 'dmarc':
      return e.dmarc.result;
    case 'headers':
      return e.headers.result;
    case 'forwarding':
      return e.arc.result;
    default:
      return e.dkim.length === 0 ? 'none' : e.dkim.some((d) => d.result === 'pass') ? 'pass' : e.dkim[0]!.result;
  }
}

describe('report model', () => {
  test('sections come in the order PTR, HELO, SPF, DKIM, DMARC, headers, forwarding', () => {
    const sections = reportSections(scenario('aligned-spf-dkim-pass').evaluation);
    assert.deepEqual(
      sections.map((s) => s.key),
      ['ptr', 'helo', 'spf', 'dkim', 'dmarc', 'headers', 'forwarding'],
    );
    assert.deepEqual(
      [...SECTION_ORDER],
      sections.map((s) => s.key),
    );
  });

  test('a trusted message: every authentication section passes', () => {
    const sections = reportSections(scenario('aligned-spf-dkim-pass').evaluation);
    for (const key of ['ptr', 'helo', 'spf', 'dkim', 'dmarc', 'headers'] as const) {
      assert.equal(sections.find((s) => s.key === key)?.status, 'pass', key);
    }
  });

  for (const name of NAMES) {
    test(`${name}: tokens match the evaluation; a section fails exactly when one of its reasons is untrusted`, () => {
      const e = scenario(name).evaluation;
      for (const section of reportSections(e)) {
        assert.equal(section.result, jsonToken(e, section.key), `${section.key} token`);
        const own = e.reasons.filter((r) => sectionOfFinding(r.id) === section.key);
        assert.deepEqual(section.findings.map((f) => f.id).sort(), own.map((r) => r.id).sort(), section.key);
        assert.equal(
          section.status === 'fail',
          own.some((r) => r.level === 'untrusted'),
          `${section.key} fail`,
        );
        if (own.some((r) => r.level === 'low') && !own.some((r) => r.level === 'untrusted'))
          assert.equal(section.status, 'warn', section.key);
        assert.match(section.rule, /RFC \d+/, `${section.key} cites its rule`);
      }
      // Every reason but dns.* lands in some section.
      const placed = reportSections(e).flatMap((s) => s.findings.map((f) => f.id));
      for (const r of e.reasons) if (!r.id.startsWith('dns.')) assert.ok(placed.includes(r.id), r.id);
    });
  }

  test('a lookup that timed out reads "could not check", never fail', () => {
    const e = scenario('ptr-timeout-retryable').evaluation;
    assert.equal(e.iprev.result, 'temperror');
    assert.equal(reportSections(e).find((s) => s.key === 'ptr')?.status, 'unknown');
  });

  test('the fix of an SPF failure carries the exact record to publish', () => {
    const e = scenario('guide-spf-fail-untrusted').evaluation;
    const spf = reportSections(e).find((s) => s.key === 'spf');
    assert.equal(spf?.status, 'fail');
    const records = spf?.fixes.flatMap((f) => f.records) ?? [];
    assert.ok(
      records.some((r) => /^\S+\. TXT "v=spf1 ip4:[0-9.]+ ~all"$/.test(r)),
      `a TXT line: ${records.join(' | ')}`,
    );
  });

  test('records in remedies: zone lines, EHLO names and quoted policies, each once', () => {
    assert.deepEqual(recordsInRemedy('Publish example.com. TXT "v=spf1 ip4:192.0.2.1 ~all" now.'), [
      'example.com. TXT "v=spf1 ip4:192.0.2.1 ~all"',
    ]);
    assert.deepEqual(recordsInRemedy('e.g. EHLO mail.example.com, a name'), ['EHLO mail.example.com']);
    assert.deepEqual(recordsInRemedy('(e.g. "v=spf1 ip4:1.2.3.4 ~all") and'), ['v=spf1 ip4:1.2.3.4 ~all']);
    assert.deepEqual(recordsInRemedy('Nothing to copy here.'), []);
  });
});

describe('pages', () => {
  async function withMessages(
    names: (typeof NAMES)[number][],
    localPart: string,
  ): Promise<{ app: ReturnType<typeof createHttpApp>; store: Store; ids: string[] }> {
    const deps = await testDeps({ dns: dns.address });
    const ids: string[] = [];
    let t = Date.parse('2026-01-15T12:00:00Z');
    for (const name of names) {
      const s = scenario(name);
      const id = newId(t);
      ids.push(id);
      await deps.store.saveMessage({
        id,
        receivedAt: t,
        source: 'smtp',
        localPart,
        envelope: s.fixture.envelope,
        evaluation: s.evaluation,
        raw: s.raw,
        size: s.raw.length,
        subject: name,
      });
      t += 60_000;
    }
    return { app: createHttpApp(deps), store: deps.store, ids };
  }

  test('/ hands out a fresh unguessable address and records it', async () => {
    const deps = await testDeps({ dns: dns.address });
    const app = createHttpApp(deps);
    const one = await app.request('/');
    const two = await app.request('/');
    assert.equal(one.status, 200);
    const address = (html: string) => /id="test-address">(t-[a-z2-7]{26})@([^<]+)</.exec(html);
    const a = address(await one.text());
    const b = address(await two.text());
    assert.ok(a && b, 'the address is on the page');
    assert.equal(a[2], TEST_DOMAIN);
    assert.notEqual(a[1], b[1]);
    assert.equal(one.headers.get('content-security-policy'), PAGE_CSP);
  });

  test('the report before mail arrives: a waiting state that refreshes without JavaScript', async () => {
    const app = createHttpApp(await testDeps({ dns: dns.address }));
    const res = await app.request('/r/t-waiting');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /data-verdict="waiting"/);
    assert.match(html, /<noscript><meta http-equiv="refresh" content="5"\/?><\/noscript>/);
    assert.match(html, /data-wait-for="t-waiting"/);
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
  });

  test('the report of a message: verdict banner, sections with their results, A-R line, header', async () => {
    const { app } = await withMessages(['guide-spf-fail-untrusted'], 't-one');
    const e = scenario('guide-spf-fail-untrusted').evaluation;
    const html = await (await app.request('/r/T-ONE')).text();
    assert.match(html, new RegExp(`data-verdict="${e.verdict}"`));
    const sections = [...html.matchAll(/data-section="([a-z]+)" data-result="([a-z]+)"/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(
      sections,
      reportSections(e).map((s) => [s.key, s.result]),
    );
    assert.ok(html.includes('id="authentication-results"'));
    assert.ok(html.includes('Subject: '), 'the message header is shown');
    for (const reason of e.reasons.filter((r) => r.level !== 'info'))
      assert.ok(html.includes(`data-reason="${reason.id}"`), reason.id);
  });

  test('several messages: a list newest first, the newest shown, ?m= picks another', async () => {
    const names = ['aligned-spf-dkim-pass', 'guide-ptr-missing-low', 'guide-spf-fail-untrusted'] as const;
    const { app, ids } = await withMessages([...names], 't-many');
    const html = await (await app.request('/r/t-many')).text();
    const order = [...html.matchAll(/UTC · [A-Za-z ]+ · ([a-z0-9-]+)/g)].map((m) => m[1]);
    assert.deepEqual(order, [...names].reverse());
    assert.match(html, /data-verdict="untrusted"/);
    const first = await (await app.request(`/r/t-many?m=${ids[0]}`)).text();
    assert.match(first, /data-verdict="trusted"/);
  });

  test('a store that fails gives an HTML page with 503, not a crash or a JSON error', async () => {
    const deps = await testDeps({ dns: dns.address });
    const broken = new Proxy(deps.store, {
      get(target, key, receiver) {
        if (key === 'listTestMessages' || key === 'sessionValid' || key === 'createTestAddress')
          return () => Promise.reject(new Error('database down'));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const app = createHttpApp({ ...deps, store: broken });
    for (const path of ['/', '/r/t-down']) {
      const res = await app.request(path);
      assert.equal(res.status, 503, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /Try again in a moment/);
    }
    const admin = await app.request('/messages', {
      headers: { cookie: 'mailtrust_admin=session-id-for-tests-000000000000' },
    });
    assert.equal(admin.status, 503);
  });

  test('unknown pages and bad local parts are a clear 404 page', async () => {
    const app = createHttpApp(await testDeps({ dns: dns.address }));
    const res = await app.request('/r/%3Cscript%3E');
    assert.equal(res.status, 404);
    assert.ok(!(await res.text()).includes('<script>'));
  });

  test('hostile header text is shown literally, never as markup', async () => {
    const aligned = scenario('aligned-spf-dkim-pass');
    const raw =
      'From: "<script>window.pwned=1</script>" <alice@example.com>\r\n' +
      'To: Bob <bob@example.net>\r\n' +
      'Subject: "><img src=x onerror=alert(1)> <a href="javascript:alert(2)">x</a>\r\n' +
      'Date: Thu, 15 Jan 2026 11:55:00 +0000\r\nMessage-ID: <x.1@example.com>\r\n' +
      'X-Link: javascript:alert(3)\r\n\r\nHello\r\n';
    const resolver = createResolver({ servers: [dns.address], timeoutMs: 1500, retries: 0 });
    const evaluation = await evaluate(raw, aligned.fixture.envelope, { resolver, now: aligned.fixture.now });
    const deps = await testDeps({ dns: dns.address });
    await deps.store.saveMessage({
      id: newId(),
      receivedAt: Date.now(),
      source: 'smtp',
      localPart: 't-hostile',
      envelope: aligned.fixture.envelope,
      evaluation,
      raw: new TextEncoder().encode(raw),
      size: raw.length,
      subject: '"><img src=x onerror=alert(1)>',
    });
    const html = await (await createHttpApp(deps).request('/r/t-hostile')).text();
    assert.ok(!html.includes('<script>window'), 'no script element from the message');
    assert.ok(!html.includes('<img'), 'no img element from the message');
    assert.ok(!/<a href="javascript:/i.test(html), 'no javascript: link');
    assert.ok(html.includes('&lt;script&gt;window.pwned=1&lt;/script&gt;'), 'the text shows escaped');
    assert.ok(html.includes('onerror=alert(1)&gt;'));
  });
});

describe('admin sign-in', () => {
  const origin = 'http://localhost';
  const form = (token: string, next = '/messages') => new URLSearchParams({ token, next }).toString();
  const post = (app: ReturnType<typeof createHttpApp>, path: string, body: string, headers = {}) =>
    app.request(`${origin}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });

  test('the admin pages send a visitor without a session to the sign-in page', async () => {
    const app = createHttpApp(await testDeps({ dns: dns.address }));
    for (const path of ['/messages', '/outbox', '/m/01ABC']) {
      const res = await app.request(path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent(path)}`);
    }
  });

  test('a post from another site is refused; a wrong token is refused; the right one starts a session', async () => {
    const deps = await testDeps({ dns: dns.address });
    const app = createHttpApp(deps);
    assert.equal((await post(app, '/login', form(ADMIN_TOKEN))).status, 403, 'no Origin');
    assert.equal(
      (await post(app, '/login', form(ADMIN_TOKEN), { origin: 'https://evil.example' })).status,
      403,
      'a foreign Origin',
    );
    assert.equal((await post(app, '/login', form('wrong-token-0000000000'), { origin })).status, 400);
    const ok = await post(app, '/login', form(ADMIN_TOKEN, '/outbox'), { origin });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/outbox');
    const cookie = ok.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^mailtrust_admin=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/, 'plain http: no Secure flag');
    const id = /^mailtrust_admin=([^;]+)/.exec(cookie)![1]!;
    assert.ok(await deps.store.sessionValid(sessionKey(id), Date.now()), 'the store keeps the hash');
    assert.ok(!(await deps.store.sessionValid(id, Date.now())), 'never the id itself');
    const page = await app.request('/outbox', { headers: { cookie: `mailtrust_admin=${id}` } });
    assert.equal(page.status, 200);
    const out = await post(app, '/logout', '', { origin, cookie: `mailtrust_admin=${id}` });
    assert.equal(out.status, 303);
    assert.equal(await deps.store.sessionValid(sessionKey(id), Date.now()), false);
    assert.equal((await app.request('/outbox', { headers: { cookie: `mailtrust_admin=${id}` } })).status, 303);
  });

  test('behind https the cookie is Secure with the __Host- prefix', async () => {
    const deps = await testDeps({
      dns: dns.address,
      config: testConfig({}, { publicUrl: 'https://check.example.test' }),
    });
    const app = createHttpApp(deps);
    const ok = await post(app, '/login', form(ADMIN_TOKEN), { origin: 'https://check.example.test' });
    assert.equal(ok.status, 303);
    assert.match(ok.headers.get('set-cookie') ?? '', /^__Host-mailtrust_admin=.*Secure/);
  });

  test('sign-in attempts are rate limited per client', async () => {
    const app = createHttpApp(await testDeps({ dns: dns.address }));
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await post(app, '/login', form('wrong-token-0000000000'), { origin })).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(400));
    assert.deepEqual(statuses.slice(10), [429, 429]);
  });

  test('without http.adminToken the admin pages do not exist', async () => {
    const config = testConfig({}, { adminToken: undefined });
    const app = createHttpApp(await testDeps({ dns: dns.address, config }));
    assert.equal((await app.request('/messages')).status, 404);
    assert.equal((await app.request('/login')).status, 404);
  });

  test('the page to return to is always local', () => {
    assert.equal(safeNext('/messages?verdict=low'), '/messages?verdict=low');
    assert.equal(safeNext('//evil.example/'), '/messages');
    assert.equal(safeNext('/\\evil.example'), '/messages');
    assert.equal(safeNext('https://evil.example/'), '/messages');
    assert.equal(safeNext(undefined), '/messages');
  });

  test('/messages lists history newest first and filters by verdict', async () => {
    const deps = await testDeps({ dns: dns.address });
    let t = Date.parse('2026-01-15T12:00:00Z');
    for (const name of ['aligned-spf-dkim-pass', 'guide-ptr-missing-low', 'guide-spf-fail-untrusted'] as const) {
      const s = scenario(name);
      await deps.store.saveMessage({
        id: newId(t),
        receivedAt: t,
        source: 'milter',
        envelope: s.fixture.envelope,
        evaluation: s.evaluation,
        size: s.raw.length,
        from: `${name}@example.com`,
      });
      t += 1000;
    }
    const id = 'session-id-for-tests-000000000000';
    await deps.store.createSession(sessionKey(id), Date.now() + 60_000);
    const app = createHttpApp(deps);
    const get = async (path: string) =>
      (await app.request(path, { headers: { cookie: `mailtrust_admin=${id}` } })).text();
    const all = await get('/messages');
    assert.deepEqual(
      [...all.matchAll(/<tr class="open-row" data-verdict="([a-z]+)"/g)].map((m) => m[1]),
      ['untrusted', 'low', 'trusted'],
    );
    const low = await get('/messages?verdict=low');
    assert.deepEqual(
      [...low.matchAll(/<tr class="open-row" data-verdict="([a-z]+)"/g)].map((m) => m[1]),
      ['low'],
    );
    const link = /href="(\/m\/[0-9A-Z]+)"/.exec(low)![1]!;
    const one = await get(link);
    assert.match(one, /data-verdict="low"/);
  });
});

describe('outbox page', () => {
  test('/outbox shows each recipient row: status, attempts, last reply (escaped), next attempt', async () => {
    const deps = await testDeps({ dns: dns.address });
    const now = Date.parse('2026-01-15T12:00:00Z');
    const { nextAttemptAt } = await queueOutboxRows(deps.store, now);
    const id = 'session-id-for-tests-000000000000';
    await deps.store.createSession(sessionKey(id), Date.now() + 60_000);
    const html = await (
      await createHttpApp(deps).request('/outbox', { headers: { cookie: `mailtrust_admin=${id}` } })
    ).text();
    const statuses = [...html.matchAll(/<tr data-status="([a-z]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(statuses, ['deferred', 'delivered']);
    assert.ok(html.includes('&lt;script&gt;try again&lt;/script&gt;'), 'the reply text is escaped');
    assert.ok(html.includes(formatTime(nextAttemptAt)), 'the next attempt is shown');
    assert.ok(html.includes('backup@external.example.test'));
  });
});

describe('audit page and assets', () => {
  test('/audit runs the audit and shows the records to publish', async () => {
    const app = createHttpApp(await testDeps({ dns: dns.address }));
    const res = await app.request('/audit?domain=audit-me.test&ip=192.0.2.77&helo=mail.audit-me.test&selector=s1');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /data-result="(pass|warn|fail)"/);
    assert.match(html, /data-section="spf"/);
    assert.match(html, /Records to publish/);
    assert.match(html, /_dmarc\.audit-me\.test\. TXT &quot;v=DMARC1/);
  });

  test('/audit with a bad domain answers 400 with the field named', async () => {
    const app = createHttpApp(await testDeps({ dns: dns.address }));
    const res = await app.request('/audit?domain=%3Cscript%3E');
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Domain: give a domain name/);
  });

  test('the stylesheet and the script are served under their hash, cacheable for good', async () => {
    const app = createHttpApp(await testDeps({ dns: dns.address }));
    assert.equal(ASSETS.size, 3);
    for (const asset of [STYLESHEET_ASSET, SCRIPT_ASSET]) {
      const res = await app.request(asset.path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('cache-control') ?? '', /immutable/);
      assert.equal(await res.text(), asset.body);
    }
    assert.equal((await app.request('/assets/style.000000000000.css')).status, 404);
  });
});
