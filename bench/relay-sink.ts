/**
 * The relay benchmark's SMTP sink in a process of its own, so that what it spends on TLS and parsing is not taken
 * from the relay it measures: an smtp-server that accepts every message, with STARTTLS offered (its built-in
 * self-signed certificate) unless `--no-tls`. Started with `fork()` and the arguments `IP PORT [--no-tls]`; replies
 * `{ listening: true }` once it listens, answers `'count'` with `{ received, connections, tlsHandshakes,
 * tlsResumed }`, and ends on `'stop'` or when its parent goes away.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';

export interface SinkCounts {
  received: number;
  connections: number;
  tlsHandshakes: number;
  tlsResumed: number;
}

export interface SinkProcess {
  counts(): Promise<SinkCounts>;
  stop(): Promise<void>;
}

/** Starts the sink in a child process and resolves once it listens. */
export async function startSinkProcess(ip: string, port: number, tls: boolean): Promise<SinkProcess> {
  const child: ChildProcess = fork(
    fileURLToPath(import.meta.url),
    ['--serve', ip, String(port), ...(tls ? [] : ['--no-tls'])],
    { stdio: 'inherit' },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the sink process exited with ${code}`)));
    child.once('message', () => resolve());
  });
  return {
    counts: () =>
      new Promise((resolve) => {
        child.once('message', (message) => resolve(message as SinkCounts));
        child.send('count');
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

function serve(ip: string, port: number, tls: boolean): void {
  const counts: SinkCounts = { received: 0, connections: 0, tlsHandshakes: 0, tlsResumed: 0 };
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideSTARTTLS: !tls,
    logger: false,
    onConnect(_session, callback) {
      counts.connections++;
      callback();
    },
    onSecure(socket, _session, callback) {
      counts.tlsHandshakes++;
      if ((socket as TLSSocket).isSessionReused()) counts.tlsResumed++;
      callback();
    },
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        counts.received++;
        callback();
      });
    },
  });
  sink.listen(port, ip, () => process.send?.({ listening: true }));
  const stop = () => sink.close(() => process.exit(0));
  process.on('message', (message) => {
    if (message === 'count') process.send?.(counts);
    else if (message === 'stop') stop();
  });
  process.on('disconnect', stop);
}

const at = process.argv.indexOf('--serve');
if (at >= 0 && process.send)
  serve(process.argv[at + 1] as string, Number(process.argv[at + 2]), !process.argv.includes('--no-tls'));
