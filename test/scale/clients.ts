/**
 * The clients of the scale-out tests: `swaks` sending one message over a real SMTP session (its transcript read
 * for the reply to the final dot), and form posts over HTTP, each with a time limit.
 */
import { spawn } from 'node:child_process';
import type { ListenAddress } from '../support/serve-instance.js';

export interface SwaksResult {
  /** swaks' exit code (0: every step answered as expected). */
  exit: number | null;
  /** The server's reply to the end of DATA (`250 …`, `451 …`), when it got that far. */
  dataReply?: string;
  transcript: string;
}

export interface SwaksMessage {
  to: string;
  from: string;
  helo: string;
  subject: string;
  /** How long the whole session may take (default 30 s). */
  timeoutMs?: number;
}

/** Sends one message with swaks and returns how the session ended. */
export function swaksSend(server: ListenAddress, message: SwaksMessage): Promise<SwaksResult> {
  const args = [
    '--server',
    server.host,
    '--port',
    String(server.port),
    '--to',
    message.to,
    '--from',
    message.from,
    '--helo',
    message.helo,
    '--header',
    `Subject: ${message.subject}`,
    '--body',
    `Load message ${message.subject}.`,
    '--timeout',
    '20',
  ];
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/swaks', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let transcript = '';
    child.stdout.on('data', (chunk: Buffer) => (transcript += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (transcript += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), message.timeoutMs ?? 30_000);
    child.on('close', (exit) => {
      clearTimeout(timer);
      const dataReply = replyToDot(transcript);
      resolve({ exit, ...(dataReply === undefined ? {} : { dataReply }), transcript });
    });
  });
}

/** The first server reply line after the client sent the lone "." ending DATA. */
export function replyToDot(transcript: string): string | undefined {
  const lines = transcript.split('\n');
  const dot = lines.findIndex((line) => /^ -> \.\r?$/.test(line));
  if (dot < 0) return undefined;
  for (const line of lines.slice(dot + 1)) {
    const match = /^(?:<-|<\*\*)\s+(\d{3}[ -].*?)\r?$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

export interface PostResult {
  status: number;
  body: unknown;
}

/** Posts a JSON form submission (Accept: application/json) and reads the JSON answer; status 0 on a network error. */
export async function postForm(
  baseUrl: string,
  formId: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<PostResult> {
  try {
    const response = await fetch(`${baseUrl}/f/${formId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(fields),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body };
  } catch {
    return { status: 0, body: undefined };
  }
}
