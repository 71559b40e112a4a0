/**
 * `mailtrust serve` as a child process, the way an operator runs it: `node dist/src/cli/main.js serve --config …`.
 * The helper writes the TOML config, waits for the `<face> listening` log line of each face it needs (listeners
 * bind port 0, so the log says where they are), keeps every JSON log line, and stops the process by SIGTERM or
 * SIGKILL. Every instance started here is killed when the test process exits, even after a failure; tests still
 * call `stop()`/`kill()` (or `killAllInstances()`) in `after()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled CLI (this file lives in dist/test/support/). */
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** One JSON log line (pino): `level`, `time`, `msg` and the event's own fields. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface ServeInstanceOptions {
  /** The config file's TOML text. Listeners should use port 0 (`"127.0.0.1:0"`). */
  config: string;
  /** A directory for the config file (and whatever the config names). */
  dir: string;
  /** A name for logs and the config file (default `instance`). */
  name?: string;
  /** Faces whose `listening` line is awaited before `startServeInstance` resolves (default `['http']`). */
  faces?: readonly string[];
  /** More arguments after `serve --config FILE`. */
  args?: readonly string[];
  /** How long start may take (default 60 s: the machine may be busy). */
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ServeInstance {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Where each awaited face listens. */
  readonly addresses: ReadonlyMap<string, ListenAddress>;
  /** `http://127.0.0.1:PORT` of the HTTP face. */
  readonly httpUrl: string;
  /** Every JSON log line so far, in order. */
  readonly logs: LogLine[];
  /** Lines of stdout that were not JSON, and all of stderr. */
  readonly otherOutput: () => string;
  /** Resolves when the process has ended. */
  readonly exited: Promise<Exit>;
  /** True until the process ends. */
  alive(): boolean;
  /** Waits for a log line (already seen or yet to come) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGKILL: the process dies at once, without any cleanup. Resolves when it is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 15 s). Resolves with the exit. */
  stop(timeoutMs?: number): Promise<Exit>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Kills every instance still running (for `after()` hooks). */
export async function killAllInstances(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Reads `HOST:PORT` or `[v6]:PORT` as the service logs it. */
export function parseLoggedAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  if (!match) return undefined;
  return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
}

function spawnServe(configPath: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined): ChildProcess {
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--config', configPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Starts an instance and waits until the awaited faces listen. Rejects (and kills it) when it exits or times out. */
export async function startServeInstance(options: ServeInstanceOptions): Promise<ServeInstance> {
  const name = options.name ?? 'instance';
  const configPath = join(options.dir, `${name}.toml`);
  writeFileSync(configPath, options.config);
  const child = spawnServe(configPath, options.args ?? [], options.env);
  const logs: LogLine[] = [];
  let other = '';
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };

  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === 'object' && typeof (parsed as LogLine).msg === 'string') {
          logs.push(parsed as LogLine);
          continue;
        }
      } catch {
        // not a log line: kept as other output below
      }
      other += `${text}\n`;
    }
    notify();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    other += chunk.toString('utf8');
  });

  let ended = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      notify();
      resolve({ code, signal });
    });
  });

  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      let checked = 0;
      const check = (): void => {
        for (; checked < logs.length; checked++) {
          const line = logs[checked] as LogLine;
          if (match(line)) return finish(() => resolve(line));
        }
        if (ended) finish(() => reject(new Error(`${name} exited before the log line came; output:\n${other}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${name}: no such log line within ${timeoutMs} ms; output:\n${other}`))),
        timeoutMs,
      );
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  const kill = async (): Promise<Exit> => {
    if (!ended) child.kill('SIGKILL');
    return exited;
  };
  const stop = async (timeoutMs = 15_000): Promise<Exit> => {
    if (ended) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  };

  const addresses = new Map<string, ListenAddress>();
  try {
    for (const face of options.faces ?? ['http']) {
      const line = await waitForLog(
        (l) => l.msg === `${face} listening` && typeof l['address'] === 'string',
        options.startTimeoutMs ?? 60_000,
      );
      const address = parseLoggedAddress(line['address'] as string);
      if (!address) throw new Error(`${name}: cannot read the ${face} address ${String(line['address'])}`);
      addresses.set(face, address);
    }
  } catch (error) {
    await kill();
    throw error;
  }
  const http = addresses.get('http');
  return {
    name,
    pid: child.pid ?? -1,
    child,
    addresses,
    httpUrl: http ? `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}` : '',
    logs,
    otherOutput: () => other,
    exited,
    alive: () => !ended,
    waitForLog,
    kill,
    stop,
  };
}

export interface ServeRun extends Exit {
  stdout: string;
  stderr: string;
}

/** Runs `serve` expecting it to end by itself (a start that fails); SIGKILL after `timeoutMs` (default 20 s). */
export async function runServeUntilExit(
  dir: string,
  config: string,
  name = 'failing',
  timeoutMs = 20_000,
): Promise<ServeRun> {
  const configPath = join(dir, `${name}.toml`);
  writeFileSync(configPath, config);
  const child = spawnServe(configPath, [], undefined);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  clearTimeout(timer);
  return { ...exit, stdout, stderr };
}
