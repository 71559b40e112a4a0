// The HTTP API of `mailtrust serve` over a real socket, with real DNS on loopback and real SMTP (swaks) for the
// test addresses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResolver } from '../../src/core/index.js';
import { buildMessage, loadFixture, zoneRecords } from '../evaluation/fixture-format.js';
import { TEST_DOMAIN, run, startHarness, swaks, type Harness } from '../smtp/harness.js';

const NOW = Date.parse('2026-01-15T12:00:00Z');
const TOKEN = 'test-token-0123456789abcdef';
const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;

type Json = Record<string, unknown>;

async function json(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

function errorCode(body: Json): string {
  return (body['error'] as { code: string }).code;
}

describe('HTTP API (no tokens: loopback only)', () => {
  let h: Harness;
  let raw: Uint8Array;
  const fixture = loadFixture('aligned-spf-dkim-pass');
  before(async () => {
    h = await startHarness({
      records: zoneRecords(fixture),
      now: () => NOW,
      top: { authservId: 'mailtrust' },
      http: { maxBodyBytes: 100_000 },
    });
    raw = await buildMessage(fixture, createResolver({ servers: [h.dns.address], cache: false }));
  });
  after(async () => {
    await h.close();
  });

  test('POST /api/v1/check answers the JSON of mailtrust check --json', async () => {
    const { ip, helo, mailFrom } = fixture.envelope;
    const url = `${h.httpBase}/api/v1/check?ip=${ip}&helo=${helo}&mailFrom=${encodeURIComponent(mailFrom!)}&rcpt=bob@example.net`;
    const response = await fetch(url, {
      method: 'POST',
      body: new Uint8Array(raw),
      headers: { 'content-type': 'message/rfc822' },
    });
    assert.equal(response.status, 200);
    const viaHttp = await json(response);
    const cliRun = await run(
      'node',
      [
        cli,
        'check',
        '-',
        '--json',
        '--dns',
        h.dns.address,
        '--now',
        '2026-01-15T12:00:00Z',
        '--ip',
        ip,
        '--helo',
        helo!,
        '--mail-from',
        mailFrom!,
        '--rcpt',
        'bob@example.net',
      ],
      Buffer.from(raw),
    );
    assert.equal(cliRun.code, 0, cliRun.stderr);
    const viaCli = JSON.parse(cliRun.stdout) as Json;
    // The DNS trace differs only in timing and cache hits (the service's resolver is shared and warm).
    delete viaHttp['dns'];
    delete viaCli['dns'];
    assert.deepEqual(viaHttp, viaCli);
    assert.equal(viaHttp['verdict'], 'trusted');
  });

  test('check: garbage is 400, a missing IP is 400, over maxBodyBytes is 413', async () => {
    const garbage = await fetch(`${h.httpBase}/api/v1/check?ip=192.0.2.1`, {
      method: 'POST',
      body: 'not a header line\n\nbody',
    });
    assert.equal(garbage.status, 400);
    const noIp = await fetch(`${h.httpBase}/api/v1/check`, { method: 'POST', body: 'Subject: x\r\n\r\nhi\r\n' });
    assert.equal(noIp.status, 400);
    assert.equal(errorCode(await json(noIp)), 'ip-missing');
    const badIp = await fetch(`${h.httpBase}/api/v1/check?ip=999.1.1.1`, {
      method: 'POST',
      body: 'Subject: x\r\n\r\nhi\r\n',
    });
    assert.equal(errorCode(await json(badIp)), 'ip-invalid');
    const huge = await fetch(`${h.httpBase}/api/v1/check?ip=192.0.2.1`, { method: 'POST', body: 'x'.repeat(100_001) });
    assert.equal(huge.status, 413);
    assert.equal(errorCode(await json(huge)), 'payload-too-large');
  });

  test('unknown routes are JSON 404s', async () => {
    const response = await fetch(`${h.httpBase}/api/v2/nothing`);
    assert.equal(response.status, 404);
    assert.equal(errorCode(await json(response)), 'not-found');
  });

  test('without tokens a loopback caller may read; a forged X-Forwarded-For from an untrusted peer is ignored', async () => {
    const response = await fetch(`${h.httpBase}/api/v1/messages`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(response.status, 200);
  });

  test('POST /api/v1/tests → 201 with an unguessable address; mail to it shows up in GET /api/v1/tests/{lp}', async () => {
    const created = await fetch(`${h.httpBase}/api/v1/tests`, { method: 'POST' });
    assert.equal(created.status, 201);
    const body = await json(created);
    const address = body['address'] as string;
    assert.match(address, new RegExp(`^t-[a-z2-7]{26}@${TEST_DOMAIN.replace(/\./g, '\\.')}$`));
    const localPart = address.split('@')[0]!;
    assert.equal(body['report'], `/r/${localPart}`);
    const second = await json(await fetch(`${h.httpBase}/api/v1/tests`, { method: 'POST' }));
    assert.notEqual(second['address'], address);

    const empty = await json(await fetch(`${h.httpBase}/api/v1/tests/${localPart}`));
    assert.deepEqual(empty, { address, messages: [] });

    const sent = await swaks(h.smtpPort, [
      '--to',
      address.toUpperCase().replace(TEST_DOMAIN.toUpperCase(), TEST_DOMAIN),
      '--from',
      'alice@example.com',
      '--ehlo',
      'mail.example.com',
      '--xclient',
      'ADDR=192.0.2.10',
      '--data',
      Buffer.from(raw).toString('latin1'),
    ]);
    assert.equal(sent.code, 0, sent.stdout);
    const listed = await json(await fetch(`${h.httpBase}/api/v1/tests/${localPart}`));
    const messages = listed['messages'] as Json[];
    assert.equal(messages.length, 1);
    const first = messages[0]!;
    assert.equal(first['receivedAt'], new Date(NOW).toISOString());
    assert.deepEqual(first['envelope'], {
      ip: '192.0.2.10',
      helo: 'mail.example.com',
      mailFrom: 'alice@example.com',
      rcptTo: [address.toUpperCase().replace(TEST_DOMAIN.toUpperCase(), TEST_DOMAIN)],
    });
    assert.equal((first['evaluation'] as Json)['verdict'], 'trusted');
  });

  test('GET /api/v1/messages: newest first, verdict filter, limit and before, bad values are 400', async () => {
    for (const subject of ['m1', 'm2', 'm3']) {
      const r = await swaks(h.smtpPort, [
        '--to',
        `hist@${TEST_DOMAIN}`,
        '--from',
        'a@nowhere.invalid',
        '--header',
        `Subject: ${subject}`,
      ]);
      assert.equal(r.code, 0, r.stdout);
    }
    const all = (await json(await fetch(`${h.httpBase}/api/v1/messages?limit=2`)))['messages'] as Json[];
    assert.equal(all.length, 2);
    assert.ok((all[0]!['id'] as string) > (all[1]!['id'] as string));
    assert.equal(all[0]!['source'], 'smtp');
    const next = (await json(await fetch(`${h.httpBase}/api/v1/messages?limit=1&before=${all[1]!['id'] as string}`)))[
      'messages'
    ] as Json[];
    assert.equal(next.length, 1);
    assert.ok((next[0]!['id'] as string) < (all[1]!['id'] as string));
    const trusted = (await json(await fetch(`${h.httpBase}/api/v1/messages?verdict=trusted`)))['messages'] as Json[];
    assert.ok(trusted.every((m) => m['verdict'] === 'trusted'));
    for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'verdict=great', 'before=nope']) {
      const response = await fetch(`${h.httpBase}/api/v1/messages?${bad}`);
      assert.equal(response.status, 400, bad);
    }
  });

  test('/metrics counts messages by source and verdict', async () => {
    const text = await (await fetch(`${h.httpBase}/metrics`)).text();
    assert.match(text, /mailtrust_messages_total\{source="smtp",verdict="\w+"\} [1-9]/);
    assert.match(text, /mailtrust_messages_total\{source="http",verdict="trusted"\} [1-9]/);
    assert.match(text, /mailtrust_sessions_total\{face="smtp"\} [1-9]/);
  });
});

describe('HTTP API with tokens', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ http: { apiTokens: [TOKEN] } });
  });
  after(async () => {
    await h.close();
  });

  test('missing or wrong token → 401; the right one → 200; test-address reads need none', async () => {
    const none = await fetch(`${h.httpBase}/api/v1/messages`);
    assert.equal(none.status, 401);
    assert.equal(errorCode(await json(none)), 'unauthorized');
    const wrong = await fetch(`${h.httpBase}/api/v1/messages`, {
      headers: { authorization: 'Bearer nope-nope-nope-nope' },
    });
    assert.equal(wrong.status, 401);
    const right = await fetch(`${h.httpBase}/api/v1/messages`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(right.status, 200);
    const checkv2 = await fetch(`${h.httpBase}/checkv2`, { method: 'POST', body: 'Subject: x\r\n\r\n' });
    assert.equal(checkv2.status, 401);
    const read = await fetch(`${h.httpBase}/api/v1/tests/anything`);
    assert.equal(read.status, 200);
  });

  test('/healthz: 200 while the store answers, 503 within 2 s when it fails or hangs', async () => {
    assert.equal((await fetch(`${h.httpBase}/healthz`)).status, 200);
    h.store.inject({ method: '*', effect: 'unavailable' });
    try {
      assert.equal((await fetch(`${h.httpBase}/healthz`)).status, 503);
      const post = await fetch(`${h.httpBase}/api/v1/tests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(post.status, 503);
      assert.equal(errorCode(await json(post)), 'store-unavailable');
      h.store.inject({ method: 'ping', effect: 'hang' });
      const started = Date.now();
      const hung = await fetch(`${h.httpBase}/healthz`);
      assert.equal(hung.status, 503);
      assert.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms`);
    } finally {
      h.store.heal();
    }
  });
});
