// `mailtrust serve` as a process: config errors and their exit codes, a busy port, SIGTERM while a session is
// in flight.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../smtp/harness.js';
import { LineClient } from '../smtp/harness.js';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.js';
import { CLI, startServe, tempDir } from './serve-process.js';

const children: { kill: (signal: NodeJS.Signals) => boolean }[] = [];
const servers: Server[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const server of servers) server.close();
});

async function serveWith(toml: string, args: string[] = []) {
  const dir = tempDir();
  writeFileSync(join(dir, 'serve.toml'), toml);
  return run('node', [CLI, 'serve', '--config', join(dir, 'serve.toml'), ...args], undefined, 20_000);
}

const base = `database = "sqlite:${join(tempDir(), 'test.db')}"\nzone = "${new URL('../../../examples/example.zone', import.meta.url).pathname}"\n`;

test('an unknown key is exit 64 naming it', async () => {
  const r = await serveWith(`${base}[smtp]\ntestDomain = "check.localhost"\nlisten = "127.0.0.1:0"\ncolour = "blue"\n`);
  assert.equal(r.code, 64, r.stderr);
  assert.match(r.stderr, /unknown key smtp\.colour/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a bad value is exit 64 naming the key', async () => {
  const r = await serveWith(`${base}[smtp]\ntestDomain = "check.localhost"\nlisten = "nowhere"\n`);
  assert.equal(r.code, 64, r.stderr);
  assert.match(r.stderr, /smtp\.listen: not a listen address/);
  const duration = await serveWith(`${base}shutdownGrace = "soon"\n`);
  assert.equal(duration.code, 64);
  assert.match(duration.stderr, /shutdownGrace: not a duration/);
});

test('TOML that does not parse is exit 64 with the line; a missing --config file is 66', async () => {
  const r = await serveWith(`${base}[smtp\n`);
  assert.equal(r.code, 64, r.stderr);
  assert.match(r.stderr, /serve\.toml:3.*not valid TOML/);
  const missing = await run('node', [CLI, 'serve', '--config', '/nonexistent/serve.toml']);
  assert.equal(missing.code, 66);
  assert.match(missing.stderr, /no such file/);
});

test('a zone whose CNAMEs loop stops serve at start, naming the chain', async () => {
  const dir = tempDir();
  const zone = join(dir, 'loop.zone');
  writeFileSync(zone, '$TTL 60\na.example. CNAME b.example.\nb.example. CNAME a.example.\n');
  const config = `database = "sqlite:${join(dir, 'test.db')}"\nzone = "${zone}"\n[http]\nlisten = "127.0.0.1:0"\n`;
  // `zone` in the file: a configuration error (64), as any other bad zone there.
  const r = await serveWith(config);
  assert.equal(r.code, 64, r.stderr);
  assert.equal(r.stderr.trim(), `mailtrust: zone: ${zone}: CNAME loop: a.example → b.example → a.example`);
  // --zone on the command line: read as every command reads it (65, a zone file that cannot be used).
  const flag = await serveWith(config.replace(/^zone = .*\n/m, ''), ['--zone', zone]);
  assert.equal(flag.code, 65, flag.stderr);
  assert.equal(flag.stderr.trim(), `mailtrust: ${zone}: CNAME loop: a.example → b.example → a.example`);
});

test('a port that cannot be bound is exit 69 on one line', async () => {
  const busy = createServer();
  servers.push(busy);
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  const r = await serveWith(
    `${base}[smtp]\ntestDomain = "check.localhost"\nlisten = "127.0.0.1:${port}"\n[http]\nlisten = "127.0.0.1:0"\n`,
  );
  assert.equal(r.code, 69, r.stderr);
  assert.match(r.stderr, new RegExp(`smtp\\.listen: cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use`));
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('--db with a bad URL is 64; --dns overrides the file and is validated', async () => {
  const r = await serveWith(`${base}[http]\nlisten = "127.0.0.1:0"\n`, ['--db', 'mysql://x']);
  assert.equal(r.code, 64, r.stderr);
  assert.match(r.stderr, /database/);
});

test('a database schema newer than this code is exit 69 naming both versions', async () => {
  const dir = tempDir();
  const path = join(dir, 'newer.db');
  const store = await openStore(`sqlite:${path}`);
  await store.ping();
  await store.close();
  const db = new Database(path);
  db.prepare('insert into mailtrust_migrations (version, name, applied_at) values (999, ?, ?)').run(
    'future',
    Date.now(),
  );
  db.close();
  writeFileSync(join(dir, 'serve.toml'), `database = "sqlite:${path}"\n[http]\nlisten = "127.0.0.1:0"\n`);
  const r = await run('node', [CLI, 'serve', '--config', join(dir, 'serve.toml')], undefined, 20_000);
  assert.equal(r.code, 69, r.stderr);
  assert.match(r.stderr, /schema is version 999, newer than version \d+/);
});

test('SIGTERM lets the session in flight finish, then exits 0', async () => {
  const dir = tempDir();
  const serve = await startServe(
    dir,
    `${base}shutdownGrace = "5s"\n[smtp]\ntestDomain = "check.localhost"\nlisten = "127.0.0.1:0"\n[http]\nlisten = "127.0.0.1:0"\n`,
  );
  children.push(serve.child);
  const client = await LineClient.open(serve.ports['smtp']!);
  assert.match(await client.reply(), /^220/);
  await client.command('EHLO mail.example.com');
  await client.command('MAIL FROM:<alice@example.com>');
  await client.command('RCPT TO:<inflight@check.localhost>');
  assert.match(await client.command('DATA'), /^354/);
  serve.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  // New connections are refused once SIGTERM arrived …
  await assert.rejects(LineClient.open(serve.ports['smtp']!));
  // … while the session in flight still gets its 250.
  assert.match(await client.command('Subject: in flight\r\n\r\nstill here\r\n.'), /^250 2\.6\.0 stored as/);
  client.write('QUIT\r\n');
  assert.equal(await serve.exited, 0, serve.stderr());
  assert.match(serve.stdout(), /"msg":"stopped"/);
});
