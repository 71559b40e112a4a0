/** Runs `store-child.js` in its own Node.js process and collects its output lines (killed in any case by `stop`). */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./store-child.js', import.meta.url));

export interface StoreChild {
  process: ChildProcess;
  lines: string[];
  stderr: string[];
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Resolves when a line matching `pattern` has been printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): void;
}

export function startChild(args: string[], timeoutMs = 120_000): StoreChild {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    process: child,
    lines,
    stderr,
    exited,
    waitFor(pattern, waitMs = 30_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no line matching ${String(pattern)} within ${waitMs} ms; stderr: ${stderr.join('')}`)),
          waitMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`the child ended before printing ${String(pattern)}; stderr: ${stderr.join('')}`));
        });
      });
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Kills a writer after it has acknowledged some messages; returns the ids it acknowledged. */
export async function killWriterMidRun(url: string, register: (child: StoreChild) => void): Promise<string[]> {
  const child = startChild(['write', url]);
  register(child);
  await child.waitFor(/^ready$/);
  // Let it acknowledge a good number of messages, then kill it without warning, writes in flight.
  await child.waitFor(/^saved /);
  while (child.lines.filter((line) => line.startsWith('saved ')).length < 150) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.process.kill('SIGKILL');
  assert.equal(await child.exited, 'SIGKILL');
  return child.lines.filter((line) => line.startsWith('saved ')).map((line) => line.slice('saved '.length));
}
