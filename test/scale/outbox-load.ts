/**
 * A queue of relay messages for the outbox proofs (and the scale benchmark): N submissions written straight into the
 * store, each to one help-desk recipient spread over four domains, every tenth with a redundancy copy, a few whose
 * recipient the sink defers once (`defer-…`) and a few it holds longer than the lease (`slow-…`). The MX records
 * send every domain to its own sink address in 127.0.3.0/24 (`sinkHosts`), port 25.
 */
import pg from 'pg';
import { newId } from '../../src/store/ids.js';
import type { NewSubmission, Store } from '../../src/store/types.js';
import type { ZoneShorthand } from '../support/dns-server.js';
import { RELAY_HOST } from './instance-config.js';

/**
 * Five sink addresses in 127.0.3.0/24 (other suites use other 127.0.x ranges), a block of ten per test file so that
 * files run in parallel never share a listener: block 0 is 127.0.3.1–5, block 1 is 127.0.3.11–15, …
 */
export function sinkHosts(block: number): string[] {
  return [1, 2, 3, 4, 5].map((n) => `127.0.3.${block * 10 + n}`);
}

const DOMAINS = ['helpdesk-0.scale.test', 'helpdesk-1.scale.test', 'helpdesk-2.scale.test', 'helpdesk-3.scale.test'];
const BACKUP_DOMAIN = 'backup.scale.test';

/** MX and A records for the four help-desk domains and the backup domain, on the five sink addresses. */
export function outboxZone(hosts: readonly string[]): ZoneShorthand {
  const zone: ZoneShorthand = {};
  DOMAINS.forEach((domain, index) => {
    zone[domain] = { MX: [[10, `mx.${domain}`]] };
    zone[`mx.${domain}`] = { A: [hosts[index] as string] };
  });
  zone[BACKUP_DOMAIN] = { MX: [[10, `mx.${BACKUP_DOMAIN}`]] };
  zone[`mx.${BACKUP_DOMAIN}`] = { A: [hosts[4] as string] };
  return zone;
}

export interface LoadShape {
  messages: number;
  /** Recipients the sink answers 451 once (the first `deferred` messages). */
  deferred?: number;
  /** Recipients the sink holds for `holdMs` (the next `slow` messages). */
  slow?: number;
}

export interface QueuedMessage {
  id: string;
  messageId: string;
  recipients: string[];
}

/** The raw bytes of one queued message: small, with a stable Message-ID. */
function rawMessage(messageId: string, to: string, index: number): Uint8Array {
  const text =
    `From: forms@${RELAY_HOST}\r\nTo: ${to}\r\nSubject: load ${index}\r\nMessage-ID: ${messageId}\r\n` +
    `Date: Sat, 05 Dec 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
    `Message ${index} of the outbox load.\r\n`;
  return new TextEncoder().encode(text);
}

export function recipientFor(index: number, shape: LoadShape): string {
  const domain = DOMAINS[index % DOMAINS.length] as string;
  const deferred = shape.deferred ?? 0;
  const slow = shape.slow ?? 0;
  if (index < deferred) return `defer-${index}@${domain}`;
  if (index < deferred + slow) return `slow-${index}@${domain}`;
  return `support-${index}@${domain}`;
}

/** Queues the load through `store.enqueueSubmission`, 50 at a time; returns what it queued. */
export async function queueLoad(store: Store, shape: LoadShape): Promise<QueuedMessage[]> {
  const queued: QueuedMessage[] = [];
  const batch: Promise<boolean>[] = [];
  for (let index = 0; index < shape.messages; index++) {
    const id = newId();
    const messageId = `<${id}@${RELAY_HOST}>`;
    const to = recipientFor(index, shape);
    const recipients = [to];
    const submission: NewSubmission = {
      id,
      createdAt: Date.now(),
      origin: 'api',
      messageId,
      mailFrom: `bounces@${RELAY_HOST}`,
      raw: rawMessage(messageId, to, index),
      recipients: [{ address: to, role: 'to' }],
    };
    if (index % 10 === 0) {
      const copy = `copy-${index}@${BACKUP_DOMAIN}`;
      recipients.push(copy);
      submission.recipients.push({ address: copy, role: 'copy' });
    }
    queued.push({ id, messageId, recipients });
    batch.push(store.enqueueSubmission(submission));
    if (batch.length >= 50) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  return queued;
}

/** Recipient rows by status, read with a plain connection. */
export async function statusCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ status: string; n: string }>(
      'select status, count(*) as n from recipients group by status',
    );
    return Object.fromEntries(result.rows.map((row) => [row.status, Number(row.n)]));
  } finally {
    await client.end();
  }
}

/** Waits until no row is queued or deferred (polling every 500 ms), or throws after `timeoutMs`. */
export async function waitDrained(url: string, timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let counts: Record<string, number> = {};
  while (Date.now() < deadline) {
    counts = await statusCounts(url);
    if ((counts['queued'] ?? 0) === 0 && (counts['deferred'] ?? 0) === 0) return counts;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`outbox not drained within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
}
