/**
 * Starts `mailtrust serve` in-process for the SMTP and HTTP suites: a real DNS server on loopback, the service's
 * faces on random loopback ports, the real SQLite store in a temporary directory
 * behind a fault-injecting wrapper (test/support/faulty-store.ts), logs discarded. Also a line-level SMTP
 * client for the sessions no off-the-shelf client can send (garbage, half messages, pipelining abuse).
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import type { ZoneRecord } from '../../src/core/index.js';
import { validateConfig, type ServeConfig } from '../../src/server/config.js';
import { startService, type Service } from '../../src/server/service.js';
import { startTestDnsServer, type Rule, type TestDnsServer } from '../support/dns-server.js';
import { openFaultyStore, type FaultyStore } from '../support/faulty-store.js';

export const TEST_DOMAIN = 'check.test.example';

export interface Harness {
  service: Service;
  store: FaultyStore;
  dns: TestDnsServer;
  config: ServeConfig;
  smtpPort: number;
  httpBase: string;
  /** JSON log lines written so far. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  records?: ZoneRecord[];
  rules?: Rule[];
  smtp?: Record<string, unknown>;
  http?: Record<string, unknown>;
  top?: Record<string, unknown>;
  now?: () => number;
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dns = await startTestDnsServer({ records: options.records ?? [], rules: options.rules ?? [] });
  const parsed = validateConfig({
    hostname: 'mx.test.example',
    dns: [dns.address],
    logLevel: 'info',
    ...options.top,
    smtp: { listen: '127.0.0.1:0', testDomain: TEST_DOMAIN, ...options.smtp },
    http: { listen: '127.0.0.1:0', ...options.http },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  const store = await openFaultyStore();
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const service = await startService(parsed.config, {
    store,
    logDestination: sink as unknown as DestinationStream,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    service,
    store,
    dns,
    config: parsed.config,
    smtpPort: portOf(service.face('smtp')!.address),
    httpBase: `http://127.0.0.1:${portOf(service.face('http')!.address)}`,
    logs,
    async close() {
      await service.close(500);
      await store.close();
      await dns.close();
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with a hard timeout (the test fails rather than hangs). */
export function run(command: string, args: string[], input?: string | Buffer, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** swaks against the harness's SMTP port; `args` add to or override the defaults. */
export function swaks(port: number, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return run(
    'swaks',
    ['--server', '127.0.0.1', '--port', String(port), '--timeout', '20', '--hide-informational', ...args],
    undefined,
    timeoutMs,
  );
}

/** A raw SMTP client: write lines, read replies (multi-line replies joined). */
export class LineClient {
  private buffer = '';
  private waiting: ((reply: string) => void)[] = [];
  private replies: string[] = [];
  closed = false;
  readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (data: Buffer) => {
      this.buffer += data.toString('latin1');
      for (;;) {
        const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.buffer);
        if (!match) break;
        this.buffer = this.buffer.slice(match[0].length);
        const reply = match[0].trimEnd();
        const waiter = this.waiting.shift();
        if (waiter) waiter(reply);
        else this.replies.push(reply);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const waiter of this.waiting.splice(0)) waiter('(closed)');
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, localAddress?: string): Promise<LineClient> {
    const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new LineClient(socket);
  }

  /** The next reply (or `(closed)`), failing after `timeoutMs`. */
  reply(timeoutMs = 10_000): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.closed) return Promise.resolve('(closed)');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SMTP reply in time')), timeoutMs);
      this.waiting.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  async command(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  end(): void {
    this.socket.destroy();
  }
}
