/**
 * The milter over real TCP on loopback, spoken to the way Postfix speaks (test/milter/mta-client.ts), with DNS from
 * the loopback test server: verdicts and headers per scenario fixture equal to `evaluate()`'s, forged results
 * removed, each `[actions]` choice, the time budget, several messages per connection, history and metrics, and
 * bad input (truncated packets, a 2 GB length, unknown commands, body before headers, dropped connections, 500
 * connections at once).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { createResolver, evaluate, type Evaluation } from '../../src/core/index.js';
import { startMilter, type MilterActions, type MilterHandle, type MilterOptions } from '../../src/milter/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openStore } from '../../src/store/index.js';
import type { NewMessage, Store } from '../../src/store/types.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { applyChanges, MilterClient, mtaView, Protocol, type EndOfMessage, type Envelope } from './mta-client.js';
import { loadScenario, type Scenario } from './scenarios.js';

const HOST = 'mx.test';

let dns: TestDnsServer;
const open: MilterHandle[] = [];
const clients: MilterClient[] = [];
const stores: { store: Store; dir: string }[] = [];

before(async () => {
  dns = await startTestDnsServer();
});
after(async () => {
  for (const client of clients) client.close();
  await Promise.all(open.map((m) => m.close(100)));
  await dns.close();
  for (const { store, dir } of stores) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A real SQLite store in a temporary directory, closed and removed after the file's tests. */
async function sqliteStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-milter-store-'));
  const store = await openStore(`sqlite:${join(dir, 'history.db')}`);
  stores.push({ store, dir });
  return store;
}

/** `store` with some of its methods replaced (the rest are the real store's). */
function storeWith(store: Store, replaced: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key in replaced) return replaced[key as keyof Store];
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const resolverOf = (timeoutMs = 2000, cache = false) =>
  createResolver({ servers: [dns.address], timeoutMs, retries: 0, cache });

/** Points the DNS server at the scenario and starts a milter for it. */
async function milterFor(scenario: Scenario, extra: Partial<MilterOptions> = {}): Promise<MilterHandle> {
  dns.setRecords(scenario.zone);
  dns.setRules(scenario.rules);
  const milter = await startMilter({
    milter: { listen: { host: '127.0.0.1', port: 0 }, timeBudget: 10_000 },
    hostname: HOST,
    evaluate: { resolver: resolverOf(), ...(scenario.policy ? { policy: scenario.policy } : {}) },
    clock: () => scenario.fixture.now,
    ...extra,
  });
  open.push(milter);
  return milter;
}

async function client(milter: MilterHandle): Promise<MilterClient> {
  const c = await MilterClient.open(milter.address.port);
  clients.push(c);
  return c;
}

function envelopeOf(scenario: Scenario): Envelope {
  const e = scenario.fixture.envelope;
  return {
    ip: e.ip,
    ...(e.helo !== undefined ? { helo: e.helo } : {}),
    mailFrom: e.mailFrom ?? '',
    rcptTo: e.rcptTo ?? [],
  };
}

/** One message over a fresh connection. */
async function runOnce(milter: MilterHandle, scenario: Scenario, raw = scenario.raw): Promise<EndOfMessage> {
  const c = await client(milter);
  await c.negotiate();
  await c.connectAndHelo(envelopeOf(scenario));
  const result = await c.message(envelopeOf(scenario), mtaView(raw));
  c.send({ kind: 'quit' });
  return result;
}

/** The engine's own answer for the scenario, to compare the milter with. */
function expected(scenario: Scenario, raw = scenario.raw): Promise<Evaluation> {
  return evaluate(raw, scenario.fixture.envelope, {
    resolver: resolverOf(),
    now: scenario.fixture.now,
    authservId: HOST,
    ...(scenario.policy ? { policy: scenario.policy } : {}),
  });
}

const headerValue = (changes: EndOfMessage['changes'], name: string) =>
  changes.flatMap((c) => ((c.kind === 'addheader' || c.kind === 'insheader') && c.name === name ? [c.value] : []));

function assertPrintableOneLine(text: string): void {
  assert.match(text, /^[\x20-\x7e]+$/, `not one line of printable US-ASCII: ${JSON.stringify(text)}`);
}

describe('verdicts and headers per scenario', () => {
  let trusted: Scenario;
  let untrusted: Scenario;
  let retryable: Scenario;
  let low: Scenario;
  before(async () => {
    trusted = await loadScenario('aligned-spf-dkim-pass');
    untrusted = await loadScenario('spoofed-from-spf-fail-no-dkim');
    retryable = await loadScenario('dns-temperror-spf-servfail');
    low = await loadScenario('guide-helo-localhost-low');
  });

  test('no DKIM signature: our Authentication-Results says dkim=none (RFC 8601 §2.7.1), between spf and dmarc', async () => {
    const milter = await milterFor(untrusted, { actions: { untrusted: 'tag', low: 'tag', temperror: 'tag' } });
    const result = await runOnce(milter, untrusted);
    assert.equal(result.final.kind, 'accept');
    const engine = await expected(untrusted);
    assert.deepEqual(engine.dkim, []);
    const inserted = result.changes.find((c) => c.kind === 'insheader');
    assert.ok(inserted && inserted.kind === 'insheader');
    const value = inserted.value.replace(/\n\t/g, ' ').trim();
    assert.match(value, /; spf=fail smtp\.mailfrom=[^;]+; dkim=none; dmarc=/);
    assert.equal(value, engine.authenticationResults.replace(/^Authentication-Results:\s*/, ''));
  });

  test('negotiation: version 6, the actions and steps we need, within what Postfix offers', async () => {
    const milter = await milterFor(trusted);
    const c = await client(milter);
    await c.negotiate();
    const reply = c.negotiated!;
    assert.equal(reply.version, 6);
    assert.equal(reply.actions, 0x01 | 0x10 | 0x20 | 0x100); // ADDHDRS CHGHDRS QUARANTINE SETSYMLIST
    assert.ok(reply.protocol & Protocol.HDR_LEADSPC);
    assert.ok(reply.protocol & Protocol.NR_BODY);
    // Every step we only ever continue is sent without waiting for a reply, DATA and unknown commands not at all.
    for (const bit of [
      Protocol.NR_CONN,
      Protocol.NR_HELO,
      Protocol.NR_MAIL,
      Protocol.NR_RCPT,
      Protocol.NR_HDR,
      Protocol.NR_EOH,
      Protocol.NODATA,
      Protocol.NOUNKNOWN,
    ])
      assert.ok(reply.protocol & bit, `protocol bit 0x${bit.toString(16)} not asked for`);
    assert.equal(reply.protocol & ~0x1fffff, 0);
    assert.ok(reply.macros.some((m) => m.stage === 0 && m.names.includes('{client_addr}')));
  });

  for (const [name, pick, verdict] of [
    ['trusted', () => trusted, 'trusted'],
    ['low (HELO localhost)', () => low, 'low'],
  ] as const) {
    test(`${name}: Authentication-Results at index 0, the verdict and reasons as evaluate() gives them`, async () => {
      const scenario = pick();
      const milter = await milterFor(scenario);
      const result = await runOnce(milter, scenario);
      const engine = await expected(scenario);
      assert.equal(engine.verdict, verdict);
      assert.equal(result.final.kind, 'accept');
      const inserted = result.changes.find((c) => c.kind === 'insheader');
      assert.ok(inserted && inserted.kind === 'insheader');
      assert.equal(inserted.index, 0);
      assert.equal(inserted.name, 'Authentication-Results');
      // The leading space is ours to send (SMFIP_HDR_LEADSPC); folds are LF + TAB, never CR.
      assert.ok(inserted.value.startsWith(` ${HOST};`), inserted.value);
      assert.ok(!inserted.value.includes('\r'));
      assert.equal(
        inserted.value.replace(/\n\t/g, ' ').trim(),
        engine.authenticationResults.replace(/^Authentication-Results:\s*/, ''),
      );
      assert.deepEqual(headerValue(result.changes, 'X-Mailtrust-Verdict'), [` ${verdict}`]);
      const reasons = headerValue(result.changes, 'X-Mailtrust-Reasons');
      if (engine.reasons.length === 0) assert.deepEqual(reasons, []);
      else
        assert.deepEqual(
          reasons.map((r) => r.replace(/\n\t/g, ' ').trim()),
          [engine.reasons.map((r) => r.id).join(', ')],
        );
    });
  }

  test('untrusted: 550 5.7.1 with the top reason in printable ASCII, no header changes', async () => {
    const milter = await milterFor(untrusted);
    const result = await runOnce(milter, untrusted);
    const engine = await expected(untrusted);
    assert.equal(engine.verdict, 'untrusted');
    assert.equal(result.final.kind, 'replycode');
    const text = result.final.kind === 'replycode' ? result.final.text : '';
    assert.ok(text.startsWith('550 5.7.1 '), text);
    assertPrintableOneLine(text);
    const top = engine.reasons[0]!.message;
    for (const word of top
      .split(/[^A-Za-z0-9.@-]+/)
      .filter((w) => w.length >= 4)
      .slice(0, 6))
      assert.ok(text.includes(word), `"${word}" of the top reason missing from ${text}`);
    assert.deepEqual(result.changes, []);
  });

  test('retryable (SPF servfail): 451 4.7.0, never 550', async () => {
    const milter = await milterFor(retryable);
    const result = await runOnce(milter, retryable);
    const engine = await expected(retryable);
    assert.equal(engine.retryable, true);
    assert.equal(result.final.kind, 'replycode');
    const text = result.final.kind === 'replycode' ? result.final.text : '';
    assert.ok(text.startsWith('451 4.7.0 '), text);
    assertPrintableOneLine(text);
  });

  test('[actions]: untrusted = quarantine (reason ids, then accept); untrusted = tag; temperror = tag', async () => {
    const quarantine: MilterActions = { untrusted: 'quarantine', low: 'tag', temperror: 'tempfail' };
    let result = await runOnce(await milterFor(untrusted, { actions: quarantine }), untrusted);
    const engine = await expected(untrusted);
    const q = result.changes.find((c) => c.kind === 'quarantine');
    assert.ok(q && q.kind === 'quarantine');
    assert.ok(q.reason.includes(engine.reasons[0]!.id), q.reason);
    assert.ok(q.reason.length <= 100);
    assert.equal(result.final.kind, 'accept');
    assert.deepEqual(headerValue(result.changes, 'X-Mailtrust-Verdict'), [' untrusted']);

    const tag: MilterActions = { untrusted: 'tag', low: 'tag', temperror: 'tag' };
    result = await runOnce(await milterFor(untrusted, { actions: tag }), untrusted);
    assert.equal(result.final.kind, 'accept');
    assert.equal(result.changes.filter((c) => c.kind === 'quarantine').length, 0);
    assert.deepEqual(headerValue(result.changes, 'X-Mailtrust-Verdict'), [' untrusted']);

    result = await runOnce(await milterFor(retryable, { actions: tag }), retryable);
    assert.equal(result.final.kind, 'accept');
    assert.deepEqual(headerValue(result.changes, 'X-Mailtrust-Verdict'), [' low']);

    const lowQuarantine: MilterActions = { untrusted: 'reject', low: 'quarantine', temperror: 'tempfail' };
    result = await runOnce(await milterFor(low, { actions: lowQuarantine }), low);
    assert.ok(result.changes.some((c) => c.kind === 'quarantine'));
    assert.equal(result.final.kind, 'accept');
  });

  test('forged Authentication-Results (ours, any case, comments, version) and X-Mailtrust-* removed; others kept', async () => {
    const forged = Buffer.concat([
      Buffer.from(
        [
          'Authentication-Results: mx.test; spf=pass smtp.mailfrom=alice@example.com',
          'Authentication-Results: mx.test.example; spf=fail smtp.mailfrom=alice@example.com',
          'X-MAILTRUST-Verdict: trusted',
          'Authentication-Results: (forged) MX.TEST 1; dkim=pass',
          '  header.d=example.com',
          'x-mailtrust-reasons: none',
          'Authentication-Results: mx.tes; none',
          '',
        ].join('\n'),
      ),
      trusted.raw,
    ]);
    const milter = await milterFor(trusted);
    const result = await runOnce(milter, trusted, forged);
    const removals = result.changes.filter((c) => c.kind === 'chgheader');
    assert.deepEqual(
      removals.map((c) => (c.kind === 'chgheader' ? [c.name.toLowerCase(), c.index, c.value] : [])),
      [
        ['authentication-results', 3, ''],
        ['authentication-results', 1, ''],
        ['x-mailtrust-verdict', 1, ''],
        ['x-mailtrust-reasons', 1, ''],
      ],
    );
    // Highest index first within a name, and every removal before our fields.
    const firstAdd = result.changes.findIndex((c) => c.kind === 'insheader' || c.kind === 'addheader');
    assert.ok(result.changes.slice(0, firstAdd).every((c) => c.kind === 'chgheader'));
    const final = applyChanges(mtaView(forged).headers, result.changes);
    const authres = final.filter(([n]) => n.toLowerCase() === 'authentication-results').map(([, v]) => v.trim());
    assert.equal(authres.length, 3);
    assert.ok(authres[0]!.startsWith(`${HOST};`));
    assert.ok(authres.includes('mx.test.example; spf=fail smtp.mailfrom=alice@example.com'));
    assert.ok(authres.includes('mx.tes; none'));
    const own = final.filter(([n]) => n.toLowerCase().startsWith('x-mailtrust-'));
    assert.deepEqual(
      own.map(([n, v]) => `${n}:${v}`),
      ['X-Mailtrust-Verdict: trusted'],
    );
    assert.equal(final[0]![0], 'Authentication-Results');
  });

  test('several messages on one connection, ABORT between: each message its own envelope and removals', async () => {
    const milter = await milterFor(trusted);
    const c = await client(milter);
    await c.negotiate();
    const envelope = envelopeOf(trusted);
    await c.connectAndHelo(envelope);
    const first = await c.message(
      envelope,
      mtaView(Buffer.concat([Buffer.from('X-Mailtrust-Verdict: trusted\n'), trusted.raw])),
    );
    assert.equal(first.final.kind, 'accept');
    assert.equal(first.changes.filter((m) => m.kind === 'chgheader').length, 1);
    // The second: another reverse-path, no From field (untrusted), nothing to remove.
    const noFrom = Buffer.from(
      Buffer.from(trusted.raw)
        .toString('latin1')
        .replace(/^From: .*\n/m, ''),
      'latin1',
    );
    const second = await c.message({ ...envelope, mailFrom: 'carol@example.com' }, mtaView(noFrom));
    assert.equal(second.final.kind, 'replycode');
    assert.equal(second.changes.filter((m) => m.kind === 'chgheader').length, 0);
    // A third after an RSET-style abort in the middle of a transaction.
    await c.step({ kind: 'mail', args: ['<dave@example.com>'] }, Protocol.NR_MAIL);
    await c.step({ kind: 'rcpt', args: ['<x@example.net>'] }, Protocol.NR_RCPT);
    c.send({ kind: 'abort' });
    const third = await c.message(envelope, mtaView(trusted.raw));
    assert.equal(third.final.kind, 'accept');
    const authres = headerValue(third.changes, 'Authentication-Results')[0]!;
    assert.match(authres, /smtp\.mailfrom=alice@example\.com/);
    assert.doesNotMatch(authres, /dave|carol/);
  });

  test('an MTA offering less (no header changes, replies to every step) gets only what it allows', async () => {
    const milter = await milterFor(trusted);
    const c = await client(milter);
    await c.negotiate({ version: 2, actions: 0x01, protocol: 0 });
    assert.equal(c.negotiated!.version, 2);
    assert.equal(c.negotiated!.actions, 0x01);
    assert.equal(c.negotiated!.protocol, 0);
    await c.connectAndHelo(envelopeOf(trusted));
    const forged = Buffer.concat([Buffer.from('X-Mailtrust-Verdict: trusted\n'), trusted.raw]);
    const result = await c.message(envelopeOf(trusted), mtaView(forged));
    assert.equal(result.final.kind, 'accept');
    assert.equal(result.changes.filter((m) => m.kind === 'chgheader').length, 0);
    // Without HDR_LEADSPC the MTA adds ": " itself: no leading space from us.
    assert.deepEqual(headerValue(result.changes, 'X-Mailtrust-Verdict'), ['trusted']);
  });
});

describe('history and metrics', () => {
  test('every evaluation goes to the history after its reply (source milter, action); none with history = false', async () => {
    const trusted = await loadScenario('aligned-spf-dkim-pass');
    const untrusted = await loadScenario('spoofed-from-spf-fail-no-dkim');
    const real = await sqliteStore();
    // A slow commit: the reply must not wait for it, and close() must.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const store = storeWith(real, {
      saveMessage: async (message: NewMessage) => {
        await held;
        await real.saveMessage(message);
      },
    });
    const registry = new Registry();
    let sessions = 0;
    const milter = await milterFor(untrusted, { store, registry, events: { sessionOpened: () => sessions++ } });
    const result = await runOnce(milter, untrusted);
    assert.equal(result.final.kind, 'replycode');
    assert.deepEqual(await real.listMessages({ limit: 10 }), [], 'stored before the write was let through');
    const closed = milter.close(100);
    setTimeout(release, 100);
    await closed;
    const rows = await real.listMessages({ limit: 10 });
    assert.equal(rows.length, 1);
    const saved = await real.getMessage(rows[0]!.id);
    assert.equal(saved?.source, 'milter');
    assert.equal(saved?.action, 'reject');
    assert.equal(saved?.evaluation.verdict, 'untrusted');
    assert.equal(saved?.envelope.ip, untrusted.fixture.envelope.ip);
    assert.equal(saved?.subject, 'Quarterly report');
    assert.match(saved!.id, /^[0-9A-Z]{26}$/);
    const text = await registry.metrics();
    assert.match(text, /mailtrust_milter_messages_total\{action="reject"\} 1/);
    assert.match(text, /mailtrust_milter_history_failures_total 0/);
    assert.equal(sessions, 1);

    const quiet = await milterFor(trusted, {
      store: real,
      milter: { listen: { host: '127.0.0.1', port: 0 }, history: false },
    });
    await runOnce(quiet, trusted);
    await quiet.close(100);
    assert.equal((await real.listMessages({ limit: 10 })).length, 1);
  });

  test('a failing history write: the message keeps its action, the failure is logged and counted', async () => {
    const trusted = await loadScenario('aligned-spf-dkim-pass');
    const real = await sqliteStore();
    let down = true;
    const store = storeWith(real, {
      saveMessage: async (message: NewMessage) => {
        if (down) throw new Error('database gone');
        await real.saveMessage(message);
      },
    });
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const registry = new Registry();
    const milter = await milterFor(trusted, { store, registry, logger });
    const first = await runOnce(milter, trusted);
    assert.equal(first.final.kind, 'accept');
    assert.deepEqual(headerValue(first.changes, 'X-Mailtrust-Verdict'), [' trusted']);
    for (let i = 0; i < 100 && !lines.some((l) => l['event'] === 'milter.history'); i++)
      await new Promise((r) => setTimeout(r, 10));
    const logged = lines.find((l) => l['event'] === 'milter.history');
    assert.ok(logged, 'no milter.history log line');
    assert.equal(logged['level'], 50);
    assert.match(JSON.stringify(logged['err']), /database gone/);
    assert.equal(logged['verdict'], 'trusted');
    assert.match(await registry.metrics(), /mailtrust_milter_history_failures_total 1/);
    // The store back: the next message is stored as usual, the milter never went down.
    down = false;
    const second = await runOnce(milter, trusted);
    assert.equal(second.final.kind, 'accept');
    await milter.close(100);
    assert.equal((await real.listMessages({ limit: 10 })).length, 1);
    assert.match(await registry.metrics(), /mailtrust_milter_history_failures_total 1/);
  });
});

describe('DNS trouble and the time budget', () => {
  test('every lookup timing out: SMFIR_PROGRESS while waiting, then 451 at the budget (temperror = tempfail)', async () => {
    const scenario = await loadScenario('aligned-spf-dkim-pass');
    const timingOut = { ...scenario, rules: [{ name: /.*/, action: 'timeout' as const }] };
    const milter = await milterFor(timingOut, {
      milter: { listen: { host: '127.0.0.1', port: 0 }, timeBudget: 800 },
      progressIntervalMs: 150,
      evaluate: { resolver: resolverOf(30_000) },
    });
    const started = Date.now();
    const result = await runOnce(milter, timingOut);
    const elapsed = Date.now() - started;
    assert.equal(result.final.kind, 'replycode');
    assert.ok(result.final.kind === 'replycode' && result.final.text.startsWith('451 4.7.0 '));
    assert.ok(result.progress >= 2, `progress replies: ${result.progress}`);
    assert.ok(elapsed < 5_000, `took ${elapsed} ms with a budget of 800 ms`);
  });

  test('every lookup timing out with temperror = tag: accepted, tagged, not trusted', async () => {
    const scenario = await loadScenario('aligned-spf-dkim-pass');
    const timingOut = { ...scenario, rules: [{ name: /.*/, action: 'timeout' as const }] };
    const milter = await milterFor(timingOut, {
      milter: { listen: { host: '127.0.0.1', port: 0 }, timeBudget: 500 },
      actions: { untrusted: 'reject', low: 'tag', temperror: 'tag' },
      evaluate: { resolver: resolverOf(30_000) },
    });
    const result = await runOnce(milter, timingOut);
    assert.equal(result.final.kind, 'accept');
    const verdict = headerValue(result.changes, 'X-Mailtrust-Verdict')[0]?.trim();
    assert.ok(verdict === 'low' || verdict === 'untrusted', String(verdict));
    assert.match(headerValue(result.changes, 'X-Mailtrust-Reasons')[0] ?? '', /temperror/);
  });

  test('slow DNS for one session does not hold up another', async () => {
    const scenario = await loadScenario('aligned-spf-dkim-pass');
    // Only the slow client's PTR is delayed.
    const other = { ...scenario.fixture.envelope, ip: '192.0.2.10' };
    const slowIp = '192.0.2.99';
    const slow = { ...scenario, rules: [{ name: '99.2.0.192.in-addr.arpa', action: { delayMs: 1500 } }] };
    const milter = await milterFor(slow);
    const a = await client(milter);
    await a.negotiate();
    await a.connectAndHelo({ ...envelopeOf(scenario), ip: slowIp });
    const slowResult = a.message({ ...envelopeOf(scenario), ip: slowIp }, mtaView(scenario.raw));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const fast = await runOnce(milter, { ...scenario, fixture: { ...scenario.fixture, envelope: other } });
    const fastMs = Date.now() - started;
    assert.equal(fast.final.kind, 'accept');
    assert.ok(fastMs < 1200, `the fast session took ${fastMs} ms`);
    assert.ok((await slowResult).final);
  });
});

describe('bad input and dropped connections', () => {
  let scenario: Scenario;
  let milter: MilterHandle;
  before(async () => {
    scenario = await loadScenario('aligned-spf-dkim-pass');
    milter = await milterFor(scenario);
  });

  async function settled(): Promise<void> {
    for (let i = 0; i < 100 && milter.connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(milter.connections, 0, 'a connection was left behind');
  }

  async function stillServes(): Promise<void> {
    const result = await runOnce(milter, scenario);
    assert.equal(result.final.kind, 'accept');
    await settled();
  }

  test('a length of 2 GB closes the connection; the milter goes on', async () => {
    const c = await client(milter);
    c.writeRaw(Buffer.from([0x80, 0, 0, 0, 0x42, 1, 2, 3]));
    await c.whenClosed();
    await stillServes();
  });

  test('an unknown command byte closes the connection', async () => {
    const c = await client(milter);
    await c.negotiate();
    c.writeRaw(Buffer.from([0, 0, 0, 1, 0x5a]));
    await c.whenClosed();
    await stillServes();
  });

  test('a malformed packet (CONNECT without its NUL) closes the connection', async () => {
    const c = await client(milter);
    await c.negotiate();
    c.writeRaw(Buffer.from([0, 0, 0, 5, 0x43, 0x68, 0x6f, 0x73, 0x74]));
    await c.whenClosed();
    await stillServes();
  });

  test('a truncated packet and then a dropped connection leave nothing behind', async () => {
    const c = await client(milter);
    await c.negotiate();
    c.writeRaw(Buffer.from([0, 0, 0, 50, 0x4c, 0x53]));
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    await settled();
  });

  test('body before headers: evaluated as a message without a header block, with a clear verdict', async () => {
    const c = await client(milter);
    await c.negotiate();
    const envelope = envelopeOf(scenario);
    await c.connectAndHelo(envelope);
    await c.step({ kind: 'mail', args: [`<${envelope.mailFrom}>`] }, Protocol.NR_MAIL);
    await c.step({ kind: 'rcpt', args: ['<bob@example.net>'] }, Protocol.NR_RCPT);
    await c.step({ kind: 'body', chunk: Buffer.from('Hello\r\n') }, Protocol.NR_BODY);
    c.send({ kind: 'eom', chunk: new Uint8Array(0) });
    const result = await c.endOfMessage();
    assert.equal(result.final.kind, 'replycode');
    assert.ok(result.final.kind === 'replycode' && result.final.text.startsWith('550 5.7.1 '));
    // The connection stays usable.
    c.send({ kind: 'abort' });
    const next = await c.message(envelope, mtaView(scenario.raw));
    assert.equal(next.final.kind, 'accept');
    c.send({ kind: 'quit' });
    await c.whenClosed();
    await settled();
  });

  test('a header after the body is a protocol error: the connection is closed', async () => {
    const c = await client(milter);
    await c.negotiate();
    const envelope = envelopeOf(scenario);
    await c.connectAndHelo(envelope);
    await c.step({ kind: 'mail', args: [`<${envelope.mailFrom}>`] }, Protocol.NR_MAIL);
    await c.step({ kind: 'body', chunk: Buffer.from('Hello\r\n') }, Protocol.NR_BODY);
    c.send({ kind: 'header', name: 'Subject', value: ' late' });
    await c.whenClosed();
    await settled();
  });

  test('RCPT outside a transaction is a protocol error', async () => {
    const c = await client(milter);
    await c.negotiate();
    c.send({ kind: 'rcpt', args: ['<x@example.net>'] });
    await c.whenClosed();
  });

  test('dropped while the evaluation waits on DNS: no reply, no history, no state left', async () => {
    const slow = { ...scenario, rules: [{ name: /.*/, action: { delayMs: 600 } }] };
    const store = await sqliteStore();
    const slowMilter = await milterFor(slow, { store });
    const c = await client(slowMilter);
    await c.negotiate();
    await c.connectAndHelo(envelopeOf(scenario));
    const message = c.message(envelopeOf(scenario), mtaView(scenario.raw)).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 200));
    c.close();
    assert.ok((await message) instanceof Error);
    for (let i = 0; i < 100 && slowMilter.connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(slowMilter.connections, 0);
    await new Promise((r) => setTimeout(r, 1500));
    await slowMilter.close(100);
    assert.deepEqual(await store.listMessages({ limit: 10 }), [], 'a message of a dropped connection was stored');
    dns.setRules(scenario.rules);
  });

  test('QUIT ends the connection from our side', async () => {
    const c = await client(milter);
    await c.negotiate();
    c.send({ kind: 'quit' });
    await c.whenClosed();
    await settled();
  });
});

describe('many connections', () => {
  test('500 concurrent milter connections each get their message evaluated', async () => {
    const scenario = await loadScenario('aligned-spf-dkim-pass');
    dns.setRecords(scenario.zone);
    dns.setRules([]);
    const milter = await startMilter({
      milter: { listen: { host: '127.0.0.1', port: 0 } },
      hostname: HOST,
      evaluate: { resolver: resolverOf(5000, true) },
      clock: () => scenario.fixture.now,
    });
    open.push(milter);
    const view = mtaView(scenario.raw);
    const envelope = envelopeOf(scenario);
    const connections = await Promise.all(Array.from({ length: 500 }, () => MilterClient.open(milter.address.port)));
    clients.push(...connections);
    assert.equal(connections.length, 500);
    const results = await Promise.all(
      connections.map(async (c) => {
        await c.negotiate();
        await c.connectAndHelo(envelope);
        return c.message(envelope, view);
      }),
    );
    const verdicts = results.map((r) => `${r.final.kind} ${headerValue(r.changes, 'X-Mailtrust-Verdict')[0]}`);
    assert.deepEqual(new Set(verdicts), new Set(['accept  trusted']));
    for (const c of connections) c.send({ kind: 'quit' });
    for (let i = 0; i < 200 && milter.connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(milter.connections, 0);
  });
});
