// The HTTP plumbing every route uses: bearer tokens / loopback rule, the client address behind trusted proxies,
// JSON errors, the body size limit. Served by a real node:http server on loopback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { pino } from 'pino';
import { requireApiAuth, bearerToken } from '../../src/http/auth.js';
import { clientAddress, forwardedClient, parseNetworks } from '../../src/http/client-address.js';
import { installErrorHandlers, limitBody, HttpError } from '../../src/http/errors.js';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

async function serve(app: Hono): Promise<string> {
  const server = createServer(getRequestListener(app.fetch));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function appWith(apiTokens: string[], trustedProxies: string[]): Hono {
  const app = new Hono();
  const proxies = parseNetworks(trustedProxies);
  installErrorHandlers(app, pino({ level: 'silent' }));
  app.use('*', limitBody(1000));
  app.use('/api/*', requireApiAuth({ apiTokens, trustedProxies: proxies }));
  app.get('/api/who', (c) => c.json({ client: clientAddress(c, proxies) }));
  app.post('/api/echo', async (c) => c.json({ length: (await c.req.arrayBuffer()).byteLength }));
  app.get('/api/teapot', () => {
    throw new HttpError(429, 'rate-limited', 'slow down', { 'Retry-After': '7' });
  });
  app.get('/api/crash', () => {
    throw new Error('secret internals');
  });
  return app;
}

const TOKEN = 'tok-0123456789abcdef';

test('with tokens set: no token → 401 with WWW-Authenticate, wrong token → 401, right token → 200', async () => {
  const base = await serve(appWith([TOKEN], []));
  const none = await fetch(`${base}/api/who`);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
  assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'unauthorized');
  const wrong = await fetch(`${base}/api/who`, { headers: { authorization: `Bearer ${TOKEN}x` } });
  assert.equal(wrong.status, 401);
  const right = await fetch(`${base}/api/who`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(right.status, 200);
  assert.deepEqual(await right.json(), { client: '127.0.0.1' });
});

test('without tokens: a loopback peer may call; behind a trusted proxy the forwarded client decides', async () => {
  const open = await serve(appWith([], []));
  assert.equal((await fetch(`${open}/api/who`)).status, 200);
  // X-Forwarded-For from an untrusted peer is ignored: the peer (loopback) is the client.
  const spoof = await fetch(`${open}/api/who`, { headers: { 'x-forwarded-for': '203.0.113.5' } });
  assert.deepEqual(await spoof.json(), { client: '127.0.0.1' });

  const proxied = await serve(appWith([], ['127.0.0.1/32']));
  const remote = await fetch(`${proxied}/api/who`, { headers: { 'x-forwarded-for': '203.0.113.5' } });
  assert.equal(remote.status, 403);
  assert.equal(((await remote.json()) as { error: { code: string } }).error.code, 'forbidden');
});

test('forwardedClient reads from the right and stops at the first untrusted or malformed hop', () => {
  const proxies = parseNetworks(['10.0.0.0/8']);
  assert.equal(forwardedClient('198.51.100.7, 203.0.113.5, 10.1.2.3', proxies), '203.0.113.5');
  assert.equal(forwardedClient('garbage, 10.1.2.3', proxies), '10.1.2.3');
  assert.equal(forwardedClient('[2001:db8::1]:443', proxies), '2001:db8::1');
  assert.equal(forwardedClient('203.0.113.9:5555', proxies), '203.0.113.9');
  assert.equal(forwardedClient('', proxies), undefined);
});

test('bearerToken parses only the Bearer scheme', () => {
  assert.equal(bearerToken(`Bearer ${TOKEN}`), TOKEN);
  assert.equal(bearerToken(`bearer ${TOKEN}`), TOKEN);
  assert.equal(bearerToken(`Basic ${TOKEN}`), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
});

test('JSON errors: unknown route 404, HttpError keeps status and headers, a crash is 500 without internals', async () => {
  const base = await serve(appWith([], []));
  const missing = await fetch(`${base}/nowhere`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not-found');
  const limited = await fetch(`${base}/api/teapot`);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '7');
  const crash = await fetch(`${base}/api/crash`);
  assert.equal(crash.status, 500);
  const text = await crash.text();
  assert.doesNotMatch(text, /secret internals/);
  assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'internal');
});

test('a body over the limit is 413, also when streamed without Content-Length', async () => {
  const base = await serve(appWith([], []));
  const small = await fetch(`${base}/api/echo`, { method: 'POST', body: 'x'.repeat(1000) });
  assert.deepEqual(await small.json(), { length: 1000 });
  const big = await fetch(`${base}/api/echo`, { method: 'POST', body: 'x'.repeat(1001) });
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'payload-too-large');
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(400));
      controller.close();
    },
  });
  const streamed = await fetch(`${base}/api/echo`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  assert.equal(streamed.status, 413);
});
