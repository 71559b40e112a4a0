/**
 * The loopback DNS server of dns-server.ts in a process of its own, for tests that keep their own event loop busy:
 * an in-process server would wait for the same loop as the resolver it answers. Started with `fork()`; it takes
 * `{ records }` as its first IPC message, replies `{ port }` once it listens, and ends on `'stop'` or when its parent
 * goes away.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ZoneRecord } from '../../src/core/index.js';
import { startTestDnsServer } from './dns-server.js';

export interface DnsServerProcess {
  address: string;
  stop(): Promise<void>;
}

/** Starts the server in a child process and resolves once it listens. */
export async function startDnsServerProcess(records: ZoneRecord[]): Promise<DnsServerProcess> {
  // 'advanced' serialization carries the TXT records' Uint8Arrays as they are.
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: 'inherit',
    serialization: 'advanced',
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`DNS server process exited with ${code}`)));
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.send({ records });
  });
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv.includes('--serve') && process.send) {
  process.once('message', (message) => {
    const { records } = message as { records: ZoneRecord[] };
    void startTestDnsServer({ records }).then((server) => {
      process.send?.({ port: server.port });
      process.on('disconnect', () => void server.close().then(() => process.exit(0)));
      process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
    });
  });
}
