/**
 * The SMTP clients of `npm run bench:serve`, in a process of their own so that the service's process counts only
 * the service's CPU. Started with `fork()` (advanced serialization, so the payloads travel as bytes); each IPC
 * message `{ run }` opens `sessions` connections to the test address, sends `count` messages over them and answers
 * with the latencies (end of DATA → 250), the ids in the 250 replies, the wall time and this process's CPU.
 *
 * The client is a minimal SMTP client rather than Postfix's smtp-source: smtp-source sends one message file and
 * reports no per-message latency.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** What the clients send: DATA payloads (dot-stuffed, ended by CRLF . CRLF) and their MAIL FROM addresses. */
export interface ClientMessages {
  payloads: Uint8Array[];
  mailFrom: string[];
  helo: string;
}

export interface RunRequest {
  port: number;
  domain: string;
  sessions: number;
  /** Messages sent in all; message i is payload i modulo the payloads' count. */
  count: number;
}

export interface RunResult {
  /** Milliseconds from the last byte of DATA to the 250, one per message. */
  latencies: number[];
  /** The ids the 250 replies named. */
  acknowledged: string[];
  wallMs: number;
  /** This process's CPU during the run, in microseconds (process.cpuUsage). */
  cpuMicros: number;
}

/** A pipelining-free SMTP client: one command, one reply. */
class Client {
  private buffer = '';
  private waiter: ((reply: string) => void) | undefined;
  constructor(private readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.buffer += data.toString('latin1');
      const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.buffer);
      if (!match) return;
      this.buffer = this.buffer.slice(match[0].length);
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.(match[0]);
    });
  }
  static async open(port: number): Promise<Client> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new Client(socket);
    await client.reply();
    return client;
  }
  reply(): Promise<string> {
    return new Promise((resolve) => (this.waiter = resolve));
  }
  send(data: string | Uint8Array): Promise<string> {
    const reply = this.reply();
    this.socket.write(data);
    return reply;
  }
  close(): void {
    this.socket.end('QUIT\r\n');
  }
}

/** The DATA payload: dot-stuffed (RFC 5321 §4.5.2) and ended by CRLF . CRLF. */
export function dataPayload(raw: Uint8Array): Buffer {
  const text = Buffer.from(raw)
    .toString('latin1')
    .replace(/\r\n\./g, '\r\n..');
  const stuffed = text.startsWith('.') ? `.${text}` : text;
  return Buffer.from(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1');
}

async function run(messages: ClientMessages, request: RunRequest): Promise<RunResult> {
  const latencies: number[] = [];
  const acknowledged: string[] = [];
  let next = 0;
  const session = async (n: number): Promise<void> => {
    const client = await Client.open(request.port);
    await client.send(`EHLO ${messages.helo}\r\n`);
    for (;;) {
      const i = next++;
      if (i >= request.count) break;
      const m = i % messages.payloads.length;
      await client.send(`MAIL FROM:<${messages.mailFrom[m] ?? ''}>\r\n`);
      await client.send(`RCPT TO:<bench${n}@${request.domain}>\r\n`);
      await client.send('DATA\r\n');
      const started = performance.now();
      const reply = await client.send(messages.payloads[m]!);
      latencies.push(performance.now() - started);
      const id = /^250 2\.6\.0 stored as (\w+)/.exec(reply)?.[1];
      if (!id) throw new Error(`message ${i}: ${reply.trim()}`);
      acknowledged.push(id);
    }
    client.close();
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: request.sessions }, (_, n) => session(n)));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { latencies, acknowledged, wallMs, cpuMicros: cpu.user + cpu.system };
}

export interface ClientProcess {
  run(request: RunRequest): Promise<RunResult>;
  stop(): Promise<void>;
}

/** Forks the client process and hands it the messages; `run` then drives one load phase at a time. */
export async function startClientProcess(messages: ClientMessages): Promise<ClientProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--clients'], {
    stdio: 'inherit',
    serialization: 'advanced',
  });
  const answer = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the client process exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (reply) => {
        child.off('exit', onExit);
        const { error, result } = reply as { error?: string; result?: T };
        if (error !== undefined) reject(new Error(error));
        else resolve(result as T);
      });
    });
  const ready = answer<undefined>();
  child.send({ messages });
  await ready;
  return {
    run(request) {
      const result = answer<RunResult>();
      child.send({ run: request });
      return result;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

if (process.argv.includes('--clients') && process.send) {
  let messages: ClientMessages | undefined;
  process.on('message', (message: { messages?: ClientMessages; run?: RunRequest }) => {
    if (message.messages) {
      messages = message.messages;
      process.send?.({});
      return;
    }
    if (message.run && messages) {
      run(messages, message.run).then(
        (result) => process.send?.({ result }),
        (error: unknown) => process.send?.({ error: String(error) }),
      );
    }
  });
  process.on('disconnect', () => process.exit(0));
}
