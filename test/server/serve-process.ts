/**
 * `mailtrust serve` as a child process for the server suites: writes a config into a temporary directory,
 * starts the CLI, waits for its "listening" line and reads the bound ports from it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = new URL('../../src/cli/main.js', import.meta.url).pathname;

export interface ServeProcess {
  child: ChildProcess;
  dir: string;
  stdout: () => string;
  stderr: () => string;
  ports: Record<string, number>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mailtrust-serve-'));
}

/** Starts `serve --config <dir>/serve.toml` and waits for "listening"; rejects when it exits first. */
export function startServe(
  dir: string,
  toml: string,
  extraArgs: string[] = [],
  timeoutMs = 20_000,
): Promise<ServeProcess> {
  writeFileSync(join(dir, 'serve.toml'), toml);
  const child = spawn('node', [CLI, 'serve', '--config', join(dir, 'serve.toml'), ...extraArgs], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within ${timeoutMs} ms\n${err}\n${out}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      const match = /listening \(([^)]*)\)/.exec(err);
      if (!match) return;
      clearInterval(poll);
      clearTimeout(timer);
      const ports: Record<string, number> = {};
      for (const part of match[1]!.split(', ')) {
        const [name, address] = part.split(' ');
        ports[name!] = Number(address!.slice(address!.lastIndexOf(':') + 1));
      }
      resolve({ child, dir, stdout: () => out, stderr: () => err, ports, exited });
    }, 25);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening\n${err}\n${out}`));
    });
  });
}
