// The relay's HTTP intake through `startService` (real node:http server, SQLite store, loopback DNS, loopback MX
// hosts on 127.0.1.30–39): ALTCHA challenge and solution, form tokens, origins, rate limits, honeypot, fill time,
// field validation (header injection in every field), body limits, the send API, the outbox view and readiness.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { startService, type Service } from '../../src/server/service.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { FORM_TOKEN, serveConfig, startRelayWorld, waitFor, type RelayWorld } from './support/fixture.js';
import { startMxHost, type MxHost } from './support/mx-hosts.js';

let world: RelayWorld;
let service: Service;
let base: string;
let desk: MxHost;
let store: Store;
const API_TOKEN = 'api-token-0123456789abcdef';
const ORIGIN = 'https://www.example.com';

before(async () => {
  world = await startRelayWorld({
    'helpdesk.example.net': { MX: [[10, 'mx.helpdesk.example.net']] },
    'mx.helpdesk.example.net': { A: ['127.0.1.30'] },
  });
  desk = await startMxHost('127.0.1.30', { kind: 'accept' });
  const common = {
    to: ['support@helpdesk.example.net'],
    subject: 'Contact: {subject}',
    fields: ['name', 'email', 'subject', 'message'],
    replyToField: 'email',
    allowedOrigins: [ORIGIN],
    honeypot: '_gotcha',
    redirect: 'https://www.example.com/thanks',
  };
  const config = serveConfig(
    world,
    {
      sendTo: ['support@helpdesk.example.net'],
      rateLimit: { perIp: '10000/min', perForm: '100000/h' },
      forms: [
        { id: 'contact', ...common, captcha: 'altcha', tokens: [FORM_TOKEN], minFillSeconds: 0, maxFieldLength: 2000 },
        { id: 'slow', ...common, captcha: 'altcha', minFillSeconds: 30 },
        { id: 'limited', ...common, captcha: 'none', tokens: [FORM_TOKEN], rateLimit: { perIp: '20/min' } },
      ],
    },
    {
      database: `sqlite:${join(world.dir, 'intake.db')}`,
      http: { listen: '127.0.0.1:0', apiTokens: [API_TOKEN] },
    },
  );
  store = await openStore(config.database);
  service = await startService(config, { store });
  base = `http://${service.face('http')?.address}`;
});

after(async () => {
  await service?.close(1_000);
  await store?.close();
  await desk?.close();
  await world?.close();
});

async function solved(formId: string): Promise<string> {
  const res = await fetch(`${base}/f/${formId}/challenge`, { headers: { origin: ORIGIN } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  const challenge = (await res.json()) as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey, timeout: 20_000 });
  assert.ok(solution);
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}

function post(formId: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${base}/f/${formId}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const good = { name: 'Jane Doe', email: 'jane@visitor.example.org', subject: 'Hello', message: 'Line 1\r\nLine 2' };

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

test('a solved ALTCHA post: 303 to the redirect; the same solution again: 403 replayed', async () => {
  const altcha = await solved('contact');
  const first = await post('contact', { ...good, altcha });
  assert.equal(first.status, 303);
  assert.equal(first.headers.get('location'), 'https://www.example.com/thanks');
  const again = await post('contact', { ...good, altcha });
  assert.equal(again.status, 403);
  assert.equal(await errorCode(again), 'captcha-replayed');
});

test('JSON clients get 202 {id}, and the outbox shows the delivery with its attempt', async () => {
  const altcha = await solved('contact');
  const res = await post('contact', { ...good, altcha }, { accept: 'application/json' });
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  const view = await waitFor('delivery', async () => {
    const r = await fetch(`${base}/api/v1/outbox/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const body = (await r.json()) as { recipients: { status: string }[] };
    return body.recipients.every((x) => x.status === 'delivered') ? body : undefined;
  });
  assert.deepEqual(Object.keys(view).sort(), ['createdAt', 'id', 'messageId', 'origin', 'recipients']);
  const recipient = (view as unknown as { recipients: Record<string, unknown>[] }).recipients[0] as {
    address: string;
    role: string;
    attempts: { at: string; mx: string; ip: string; reply: string }[];
  };
  assert.equal(recipient.address, 'support@helpdesk.example.net');
  assert.equal(recipient.role, 'to');
  assert.equal(recipient.attempts.length, 1);
  assert.equal(recipient.attempts[0]?.mx, 'mx.helpdesk.example.net');
  assert.equal(recipient.attempts[0]?.ip, '127.0.1.30');
  assert.match(recipient.attempts[0]?.reply ?? '', /^250 /);
  assert.ok(!Number.isNaN(Date.parse(recipient.attempts[0]?.at ?? '')));
  const unauthorized = await fetch(`${base}/api/v1/outbox/${id}`);
  assert.equal(unauthorized.status, 401);
});

test('a wrong, missing or other-form ALTCHA solution is refused with 403', async () => {
  const altcha = await solved('contact');
  // In deterministic mode the proof is the derived key (its HMAC is in the signed challenge): change one digit.
  const payload = JSON.parse(Buffer.from(altcha, 'base64').toString()) as { solution: { derivedKey: string } };
  const key = payload.solution.derivedKey;
  payload.solution.derivedKey = (key[0] === '0' ? '1' : '0') + key.slice(1);
  const wrong = await post('contact', { ...good, altcha: Buffer.from(JSON.stringify(payload)).toString('base64') });
  assert.equal(wrong.status, 403);
  assert.equal(await errorCode(wrong), 'captcha-invalid');
  const missing = await post('contact', good);
  assert.equal(await errorCode(missing), 'captcha-missing');
  const garbage = await post('contact', { ...good, altcha: '!!!not base64 json' });
  assert.equal(await errorCode(garbage), 'captcha-invalid');
  const forSlow = await solved('slow');
  const crossed = await post('contact', { ...good, altcha: forSlow });
  assert.equal(await errorCode(crossed), 'captcha-invalid');
});

test('a post faster than minFillSeconds after the challenge: 400 too-fast', async () => {
  const altcha = await solved('slow');
  const res = await post('slow', { ...good, altcha });
  assert.equal(res.status, 400);
  assert.equal(await errorCode(res), 'too-fast');
});

test('form tokens: a right one passes without a CAPTCHA, a wrong one is 403; captcha "none" needs one', async () => {
  assert.equal((await post('contact', good, { 'x-form-token': FORM_TOKEN, accept: 'application/json' })).status, 202);
  const wrong = await post('contact', good, { 'x-form-token': `${FORM_TOKEN}x` });
  assert.equal(wrong.status, 403);
  assert.equal(await errorCode(wrong), 'token-invalid');
  const none = await post('limited', good);
  assert.equal(none.status, 403);
  assert.equal(await errorCode(none), 'token-missing');
});

test('origins: another site is 403; CORS preflight only for the allowed one', async () => {
  const res = await post('contact', good, { 'x-form-token': FORM_TOKEN, origin: 'https://evil.example.org' });
  assert.equal(res.status, 403);
  assert.equal(await errorCode(res), 'origin-not-allowed');
  const ok = await fetch(`${base}/f/contact`, { method: 'OPTIONS', headers: { origin: ORIGIN } });
  assert.equal(ok.status, 204);
  assert.match(ok.headers.get('access-control-allow-headers') ?? '', /X-Form-Token/);
  const evil = await fetch(`${base}/f/contact`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.org' } });
  assert.equal(evil.status, 403);
});

test('a filled honeypot and unknown fields are refused', async () => {
  const trap = await post('contact', { ...good, _gotcha: 'http://spam.example' }, { 'x-form-token': FORM_TOKEN });
  assert.equal(trap.status, 400);
  assert.equal(await errorCode(trap), 'honeypot');
  const unknown = await post('contact', { ...good, cc: 'victim@example.org' }, { 'x-form-token': FORM_TOKEN });
  assert.equal(unknown.status, 400);
  assert.equal(await errorCode(unknown), 'unknown-field');
});

test('header injection in every field is refused: CRLF, bare LF, bare CR, NUL, other controls', async () => {
  const attacks = [
    'x\r\nBcc: victim@example.org',
    'x\nBcc: victim@example.org',
    'x\rBcc: v@example.org',
    'x\u0000y',
    'x\u001by',
    'x\u2028y',
  ];
  for (const field of ['name', 'email', 'subject'])
    for (const attack of attacks) {
      const value = field === 'email' ? `jane@visitor.example.org${attack}` : attack;
      const res = await post('contact', { ...good, [field]: value }, { 'x-form-token': FORM_TOKEN });
      assert.equal(res.status, 400, `${field}: ${JSON.stringify(attack)}`);
      assert.match(await errorCode(res), /^(control-character|invalid-address)$/);
    }
  // The message body may have line breaks but no NUL or other control characters.
  for (const attack of ['x\u0000y', 'x\u0007y']) {
    const res = await post('contact', { ...good, message: attack }, { 'x-form-token': FORM_TOKEN });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'control-character');
  }
  for (const email of [
    'a@example.org, b@example.org',
    'Jane <jane@example.org>',
    'jane',
    'jane@localhost',
    '"j a"@example.org',
  ])
    assert.equal((await post('contact', { ...good, email }, { 'x-form-token': FORM_TOKEN })).status, 400, email);
});

test('oversize: a field over maxFieldLength is 400, a post over the form limit is 413', async () => {
  const long = await post('contact', { ...good, message: 'x'.repeat(2001) }, { 'x-form-token': FORM_TOKEN });
  assert.equal(long.status, 400);
  assert.equal(await errorCode(long), 'too-long');
  const huge = await post('contact', { ...good, message: 'x'.repeat(200_000) }, { 'x-form-token': FORM_TOKEN });
  assert.equal(huge.status, 413);
});

test('multipart and JSON bodies are read; files and non-text JSON values are refused', async () => {
  const form = new FormData();
  for (const [k, v] of Object.entries(good)) form.append(k, v);
  const multipart = await fetch(`${base}/f/contact`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'x-form-token': FORM_TOKEN, accept: 'application/json' },
    body: form,
  });
  assert.equal(multipart.status, 202);
  form.append('message2', new Blob(['file']), 'a.txt');
  const withFile = await fetch(`${base}/f/contact`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'x-form-token': FORM_TOKEN },
    body: form,
  });
  assert.equal(withFile.status, 400);
  const json = await fetch(`${base}/f/contact`, {
    method: 'POST',
    headers: {
      origin: ORIGIN,
      'x-form-token': FORM_TOKEN,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify(good),
  });
  assert.equal(json.status, 202);
  const nested = await fetch(`${base}/f/contact`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'x-form-token': FORM_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ ...good, name: { $ne: 1 } }),
  });
  assert.equal(nested.status, 400);
});

test('1,000 posts from one IP: the first 20 accepted, the rest 429 with Retry-After', async () => {
  const statuses = new Map<number, number>();
  let retryAfter: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const res = await post('limited', good, { 'x-form-token': FORM_TOKEN, accept: 'application/json' });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 429) retryAfter = res.headers.get('retry-after');
    await res.arrayBuffer();
  }
  assert.deepEqual(Object.fromEntries(statuses), { 202: 20, 429: 980 });
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60);
});

test('the send API: bearer token, recipients only from relay.sendTo, 202 {id}', async () => {
  const auth = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };
  const okRes = await fetch(`${base}/api/v1/send`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      to: 'support@helpdesk.example.net',
      subject: 'Nightly report',
      text: 'All good.',
      replyTo: 'ops@visitor.example.org',
    }),
  });
  assert.equal(okRes.status, 202);
  assert.match(((await okRes.json()) as { id: string }).id, /^[0-9A-Z]{26}$/);
  const other = await fetch(`${base}/api/v1/send`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ to: ['support@helpdesk.example.net', 'victim@example.org'], subject: 's', text: 't' }),
  });
  assert.equal(other.status, 403);
  assert.equal(await errorCode(other), 'recipient-not-allowed');
  const injected = await fetch(`${base}/api/v1/send`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ to: 'support@helpdesk.example.net', subject: 'x\r\nBcc: victim@example.org', text: 't' }),
  });
  assert.equal(injected.status, 400);
  const noToken = await fetch(`${base}/api/v1/send`, { method: 'POST', body: '{}' });
  assert.equal(noToken.status, 401);
});

test('readiness: the relay setup of the test zone passes, with the DKIM key matched', async () => {
  const res = await fetch(`${base}/api/v1/relay/readiness`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  assert.equal(res.status, 200);
  const report = (await res.json()) as { result: string; ips: string[]; checks: { id: string; status: string }[] };
  assert.deepEqual(report.ips, ['192.0.2.25']);
  assert.deepEqual(
    report.checks.filter((c) => c.status === 'fail'),
    [],
  );
  assert.equal(report.checks.find((c) => c.id === 'relay.dkim-key-match')?.status, 'pass');
});
