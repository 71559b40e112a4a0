/**
 * The SMTP face of `mailtrust serve`: the test address (`[smtp]`). Mail for any local part at `smtp.testDomain`
 * is evaluated with its real envelope and stored; `GET /api/v1/tests/{localPart}` reads the result.
 */
import type { SmtpDeps } from './deps.js';
import { startSmtpListener } from './listener.js';

export type { SmtpDeps, SmtpEvents } from './deps.js';

export interface SmtpFace {
  readonly name: 'smtp';
  readonly address: string;
  close(graceMs: number): Promise<void>;
}

export async function startSmtp(deps: SmtpDeps): Promise<SmtpFace> {
  const listener = await startSmtpListener(deps);
  const address = listener.host.includes(':')
    ? `[${listener.host}]:${listener.port}`
    : `${listener.host}:${listener.port}`;
  return { name: 'smtp', address, close: (graceMs) => listener.close(graceMs) };
}
