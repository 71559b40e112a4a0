/**
 * `npm run bench:scale`: how `mailtrust serve` scales out on one database. On a private PostgreSQL cluster (its
 * own data directory and port, so the figures hold only mailtrust's load), it measures
 *
 * - SMTP test messages per second (Postfix's `smtp-source`, one message per session, 20 sessions in parallel) with
 *   1 and with 2 instances, and with 1 instance on SQLite;
 * - relay deliveries per second (a queued outbox drained to a loopback sink on 127.0.3.x) with 1 and 2 instances;
 * - where the CPU went: PostgreSQL's processes and the instances' (from /proc/PID/stat);
 * - what one message costs the database: commits, rows written, WAL bytes, and bytes stored.
 *
 * Every phase checks its result (the messages stored, the outbox delivered); a fast wrong answer is no result.
 * Time is never asserted. Environment: BENCH_SCALE_MESSAGES (default 1000 SMTP messages per phase),
 * BENCH_SCALE_RELAY (default 2000 relay messages per phase), BENCH_SCALE_SESSIONS (default 20).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openStore } from '../src/store/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../test/support/dns-server.js';
import { startPrivatePostgres, type PrivatePostgres } from '../test/support/private-postgres.js';
import { startServeInstance, killAllInstances, type ServeInstance } from '../test/support/serve-instance.js';
import { instanceConfig, TEST_DOMAIN, writeDkimKey } from '../test/scale/instance-config.js';
import { startMailSink, type MailSink } from '../test/scale/mail-sink.js';
import { outboxZone, queueLoad, sinkHosts, waitDrained } from '../test/scale/outbox-load.js';

/** This file's sink addresses (block 4 of 127.0.3.0/24). */
const SINKS = sinkHosts(4);

const MESSAGES = Number(process.env['BENCH_SCALE_MESSAGES'] ?? 1_000);
const RELAY_MESSAGES = Number(process.env['BENCH_SCALE_RELAY'] ?? 2_000);
const SESSIONS = Number(process.env['BENCH_SCALE_SESSIONS'] ?? 20);
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const out = (line = '') => process.stdout.write(`${line}\n`);
const finished: PhaseResult[] = [];
/** Keeps a phase's result and prints its line. */
function record(result: PhaseResult): void {
  finished.push(result);
  progress(result);
}

/** CPU seconds (user + system) used so far by each of the given processes. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended; its time is lost to this count (the postmaster's cutime keeps ended backends)
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** The postmaster of a data directory and every process it started (backends, checkpointer, WAL writer, …). */
function postgresPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

interface DatabaseCounters {
  commits: number;
  rowsWritten: number;
  walBytes: number;
  databaseBytes: number;
}

async function databaseCounters(url: string): Promise<DatabaseCounters> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Statistics of other backends reach the shared view within about a second (PostgreSQL 15).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stats = await client.query<{ commits: string; rows: string; size: string; lsn: string }>(
      `select xact_commit::text as commits, (tup_inserted + tup_updated + tup_deleted)::text as rows,
              pg_database_size(current_database())::text as size,
              (pg_current_wal_lsn() - '0/0'::pg_lsn)::text as lsn
         from pg_stat_database where datname = current_database()`,
    );
    const row = stats.rows[0];
    if (!row) throw new Error('no pg_stat_database row');
    return {
      commits: Number(row.commits),
      rowsWritten: Number(row.rows),
      walBytes: Number(row.lsn),
      databaseBytes: Number(row.size),
    };
  } finally {
    await client.end();
  }
}

async function countRows(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(sql);
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

interface SourceRun {
  pid: number;
  done: Promise<{ code: number | null; output: string }>;
}

/** Postfix's smtp-source: `count` messages over `sessions` parallel sessions, one message per session. */
function smtpSource(instance: ServeInstance, count: number, sessions: number, localPart: string): SourceRun {
  const smtp = instance.addresses.get('smtp');
  if (!smtp) throw new Error(`${instance.name} has no SMTP listener`);
  const child = spawn(
    '/usr/sbin/smtp-source',
    [
      '-s',
      String(sessions),
      '-m',
      String(count),
      '-l',
      '2000',
      '-M',
      'client.bench.example',
      '-f',
      'sender@client.bench.example',
      '-t',
      `${localPart}@${TEST_DOMAIN}`,
      '-S',
      'scale benchmark',
      `${smtp.host}:${smtp.port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, output })),
  );
  return { pid: child.pid ?? -1, done };
}

interface PhaseResult {
  name: string;
  count: number;
  seconds: number;
  perSecond: number;
  cpu: { database: number; instances: number };
  database?: { commitsPer: number; rowsPer: number; walBytesPer: number; bytesPer: number };
  sqliteBytesPer?: number;
}

/** CPU milliseconds per item: what a phase costs regardless of how busy the machine was. */
function perItemMs(cpu: number, count: number): string {
  return ((cpu * 1000) / count).toFixed(2);
}

function share(cpu: number, seconds: number): string {
  return `${((cpu / (seconds * 2)) * 100).toFixed(0)} %`;
}

async function smtpPhase(
  name: string,
  instances: ServeInstance[],
  databasePids: () => number[],
  counters: (() => Promise<DatabaseCounters>) | undefined,
  stored: () => Promise<number>,
  localPart: string,
): Promise<PhaseResult> {
  const before = counters ? await counters() : undefined;
  const storedBefore = await stored();
  const dbCpu0 = cpuSeconds(databasePids());
  const instanceCpu0 = cpuSeconds(instances.map((i) => i.pid));
  const started = performance.now();
  const perInstance = Math.floor(MESSAGES / instances.length);
  const runs = instances.map((instance) =>
    smtpSource(instance, perInstance, Math.max(1, Math.floor(SESSIONS / instances.length)), localPart),
  );
  const results = await Promise.all(runs.map((run) => run.done));
  const seconds = (performance.now() - started) / 1000;
  const dbCpu = cpuSeconds(databasePids()) - dbCpu0;
  const instanceCpu = cpuSeconds(instances.map((i) => i.pid)) - instanceCpu0;
  for (const result of results) {
    if (result.code !== 0)
      throw new Error(`${name}: smtp-source failed (${result.code}): ${result.output.slice(-500)}`);
  }
  const count = perInstance * instances.length;
  const storedNow = (await stored()) - storedBefore;
  if (storedNow !== count) throw new Error(`${name}: ${count} messages answered, ${storedNow} stored`);
  const after = counters ? await counters() : undefined;
  const result: PhaseResult = {
    name,
    count,
    seconds,
    perSecond: count / seconds,
    cpu: { database: dbCpu, instances: instanceCpu },
  };
  if (before && after) {
    result.database = {
      commitsPer: (after.commits - before.commits) / count,
      rowsPer: (after.rowsWritten - before.rowsWritten) / count,
      walBytesPer: (after.walBytes - before.walBytes) / count,
      bytesPer: (after.databaseBytes - before.databaseBytes) / count,
    };
  }
  return result;
}

async function relayPhase(
  name: string,
  url: string,
  start: (n: number) => Promise<ServeInstance[]>,
  databasePids: () => number[],
  sink: MailSink,
): Promise<PhaseResult> {
  const store = await openStore(url, { pool: 4 });
  await queueLoad(store, { messages: RELAY_MESSAGES });
  await store.close();
  const rows = await countRows(url, `select count(*) as n from recipients where status = 'queued'`);
  const deliveredBefore = sink.deliveries.length;
  const before = await databaseCounters(url);
  const dbCpu0 = cpuSeconds(databasePids());
  const started = performance.now();
  // The instances start inside the measured span (their start is part of draining a backlog), so all their CPU
  // time counts.
  const instances = await start(0);
  await waitDrained(url, 600_000);
  const seconds = (performance.now() - started) / 1000;
  const dbCpu = cpuSeconds(databasePids()) - dbCpu0;
  const instanceCpu = cpuSeconds(instances.map((i) => i.pid));
  await Promise.all(instances.map((instance) => instance.stop()));
  const delivered = sink.deliveries.length - deliveredBefore;
  if (delivered !== rows) throw new Error(`${name}: ${rows} rows queued, ${delivered} delivered at the sink`);
  const after = await databaseCounters(url);
  return {
    name,
    count: rows,
    seconds,
    perSecond: rows / seconds,
    cpu: { database: dbCpu, instances: instanceCpu },
    database: {
      commitsPer: (after.commits - before.commits) / rows,
      rowsPer: (after.rowsWritten - before.rowsWritten) / rows,
      walBytesPer: (after.walBytes - before.walBytes) / rows,
      bytesPer: (after.databaseBytes - before.databaseBytes) / rows,
    },
  };
}

/** One line per phase as soon as it ends (the tables follow at the end). */
function progress(r: PhaseResult): void {
  const database = r.database
    ? `, ${r.database.commitsPer.toFixed(2)} commits, ${r.database.rowsPer.toFixed(2)} rows, ` +
      `${r.database.walBytesPer.toFixed(0)} WAL bytes, ${r.database.bytesPer.toFixed(0)} bytes stored per item`
    : '';
  out(
    `# ${r.name}: ${r.count} in ${r.seconds.toFixed(1)} s = ${r.perSecond.toFixed(1)}/s; ` +
      `CPU: instances ${share(r.cpu.instances, r.seconds)} (${perItemMs(r.cpu.instances, r.count)} ms/item), ` +
      `PostgreSQL ${share(r.cpu.database, r.seconds)} (${perItemMs(r.cpu.database, r.count)} ms/item)${database}`,
  );
}

function report(results: PhaseResult[]): void {
  out();
  out(
    '| phase | count | seconds | per second | PostgreSQL CPU | instances CPU | PostgreSQL ms/item | instances ms/item |',
  );
  out('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const sqlite = r.name.includes('SQLite');
    out(
      `| ${r.name} | ${r.count} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(1)} | ` +
        `${sqlite ? '–' : share(r.cpu.database, r.seconds)} | ${share(r.cpu.instances, r.seconds)} | ` +
        `${sqlite ? '–' : perItemMs(r.cpu.database, r.count)} | ${perItemMs(r.cpu.instances, r.count)} |`,
    );
  }
  out();
  out('| phase | commits / item | rows written / item | WAL bytes / item | bytes stored / item |');
  out('|---|---:|---:|---:|---:|');
  for (const r of results) {
    if (r.database) {
      out(
        `| ${r.name} | ${r.database.commitsPer.toFixed(2)} | ${r.database.rowsPer.toFixed(2)} | ` +
          `${r.database.walBytesPer.toFixed(0)} | ${r.database.bytesPer.toFixed(0)} |`,
      );
    } else if (r.sqliteBytesPer !== undefined) {
      out(`| ${r.name} | 1 | – | – | ${r.sqliteBytesPer.toFixed(0)} |`);
    }
  }
  out();
  out('CPU shares are of both cores over the phase (200 % would be both cores busy).');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-bench-scale-'));
  let cluster: PrivatePostgres | undefined;
  let dns: TestDnsServer | undefined;
  let sink: MailSink | undefined;
  try {
    const made = await startPrivatePostgres();
    if (!made.ok) throw new Error(made.skip);
    cluster = made.server;
    const url = cluster.url;
    const dataDir = cluster.dataDir;
    const databasePids = () => postgresPids(dataDir);
    dns = await startTestDnsServer({ records: zoneRecords(outboxZone(SINKS)) });
    sink = await startMailSink(SINKS);
    const keyFile = writeDkimKey(dir);
    out(
      `# scale benchmark: ${MESSAGES} SMTP messages, ${RELAY_MESSAGES} relay messages per phase, ${SESSIONS} sessions`,
    );

    const config = (database: string, relay: boolean) =>
      instanceConfig({
        database,
        dns: dns!.address,
        databasePool: 10,
        ...(relay ? { relay: { keyFile, workers: 16 }, smtp: false } : {}),
      });
    const startInstances = async (n: number, database: string, relay: boolean): Promise<ServeInstance[]> =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          startServeInstance({
            config: config(database, relay),
            dir,
            name: `bench-${relay ? 'relay' : 'smtp'}-${i}`,
            faces: relay ? ['http'] : ['http', 'smtp'],
          }),
        ),
      );
    const storedOn = (database: string, localPart: string) => () =>
      countRows(database, `select count(*) as n from messages where local_part = '${localPart}'`);

    for (const n of [1, 2]) {
      const instances = await startInstances(n, url, false);
      // A short warm-up: the first sessions compile code paths and fill the pools.
      await smtpSource(instances[0]!, 40, 4, 'warmup').done;
      const localPart = `bench-${n}`;
      record(
        await smtpPhase(
          `SMTP, ${n} instance${n > 1 ? 's' : ''}, PostgreSQL`,
          instances,
          databasePids,
          () => databaseCounters(url),
          storedOn(url, localPart),
          localPart,
        ),
      );
      await Promise.all(instances.map((instance) => instance.stop()));
    }

    const sqlitePath = join(dir, 'bench.db');
    const sqliteInstances = await startInstances(1, `sqlite:${sqlitePath}`, false);
    await smtpSource(sqliteInstances[0]!, 40, 4, 'warmup').done;
    const sqliteSize = () => {
      let bytes = 0;
      for (const suffix of ['', '-wal']) {
        try {
          bytes += statSync(sqlitePath + suffix).size;
        } catch {
          // no WAL file yet
        }
      }
      return bytes;
    };
    const sqliteBefore = sqliteSize();
    const sqliteStored = async (): Promise<number> => {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(sqlitePath, { readonly: true });
      try {
        return (
          db.prepare(`select count(*) as n from messages where local_part = 'bench-sqlite'`).get() as { n: number }
        ).n;
      } finally {
        db.close();
      }
    };
    const sqliteResult = await smtpPhase(
      'SMTP, 1 instance, SQLite',
      sqliteInstances,
      () => [],
      undefined,
      sqliteStored,
      'bench-sqlite',
    );
    sqliteResult.sqliteBytesPer = (sqliteSize() - sqliteBefore) / sqliteResult.count;
    record(sqliteResult);
    await Promise.all(sqliteInstances.map((instance) => instance.stop()));

    for (const n of [1, 2]) {
      record(
        await relayPhase(
          `relay, ${n} instance${n > 1 ? 's' : ''}, PostgreSQL`,
          url,
          () => startInstances(n, url, true),
          databasePids,
          sink,
        ),
      );
    }
    report(finished);
  } finally {
    await killAllInstances();
    await sink?.close();
    await dns?.close();
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
