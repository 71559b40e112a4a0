/**
 * A private PostgreSQL cluster for one test: its own data directory, port and socket directory, so a test can stop
 * and start the server under running instances without touching the shared server every other suite uses.
 *
 * `initdb` refuses to run as root, so when the test runs as root the cluster is created and run as the `postgres`
 * OS user (through `runuser`). The server listens on 127.0.0.1 only, with trust authentication for the `postgres`
 * role. `destroy()` stops it (immediate mode) and removes the directory; call it in `after()`.
 */
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where Debian's PostgreSQL 15 server programs are (override with `MAILTRUST_TEST_PG_BIN`). */
export const PG_BIN = process.env['MAILTRUST_TEST_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:PORT/mailtrust` (the database exists and is empty). */
  url: string;
  port: number;
  /** The cluster's data directory. */
  dataDir: string;
  /** Stops the server (fast mode: open connections are closed, committed work is kept). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops the server for good and removes its directory. Safe to call more than once. */
  destroy(): Promise<void>;
}

export type PrivatePostgresResult = { ok: true; server: PrivatePostgres } | { ok: false; skip: string };

interface RunResult {
  code: number | null;
  output: string;
}

/** Runs one command to its end (with a time limit), as the `postgres` user when this process is root. */
function run(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return new Promise((resolve) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: output + error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The `postgres` OS user's ids, from /etc/passwd. */
function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const fields = line?.split(':');
  if (!fields || fields.length < 4) throw new Error('no postgres user in /etc/passwd (initdb refuses to run as root)');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Creates and starts a private cluster. Returns a skip reason when the server programs are missing (outside CI);
 * under CI (`CI=true`) a missing server is an error, as with the shared server.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgresResult> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    const reason = `private PostgreSQL tests skipped: no initdb in ${PG_BIN} (set MAILTRUST_TEST_PG_BIN)`;
    if (process.env['CI'] === 'true') throw new Error(`${reason} — under CI they must run`);
    return { ok: false, skip: reason };
  }
  const root = mkdtempSync(join(tmpdir(), 'mailtrust-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = root;
  if (process.getuid?.() === 0) {
    const owner = postgresUser();
    chownSync(root, owner.uid, owner.gid);
  }
  const init = await run(
    join(PG_BIN, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-instructions'],
    60_000,
  );
  if (init.code !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.code}): ${init.output}`);
  }
  const port = await freePort();
  const log = join(root, 'server.log');
  const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c max_connections=100`;

  let running = false;
  let destroyed = false;
  const start = async (): Promise<void> => {
    const result = await run(join(PG_BIN, 'pg_ctl'), ['-D', dataDir, '-l', log, '-o', options, '-w', 'start'], 60_000);
    if (result.code !== 0) throw new Error(`pg_ctl start failed (${result.code}): ${result.output}`);
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    const result = await run(join(PG_BIN, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', 'stop'], 60_000);
    if (result.code !== 0) throw new Error(`pg_ctl stop failed (${result.code}): ${result.output}`);
    running = false;
  };

  await start();
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    await admin.query('CREATE DATABASE mailtrust');
  } finally {
    await admin.end();
  }

  return {
    ok: true,
    server: {
      url: `postgres://postgres@127.0.0.1:${port}/mailtrust`,
      port,
      dataDir,
      stop: () => stop('fast'),
      start,
      async destroy() {
        if (destroyed) return;
        destroyed = true;
        if (running) await stop('immediate').catch(() => undefined);
        rmSync(root, { recursive: true, force: true });
      },
    },
  };
}
