/**
 * Real evaluations to store: one message evaluated by the engine against a small offline zone from the address
 * its SPF record allows (`pass`), and the same message from one it does not (`fail`, a worse verdict), so stored
 * rows carry what the faces will store.
 */
import { createResolver, evaluate, parseZoneFile, type Evaluation } from '../../src/core/index.js';
import type { NewMessage } from '../../src/store/index.js';

const ZONE = `
example.org. 300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc.example.org. 300 IN TXT "v=DMARC1; p=reject"
10.2.0.192.in-addr.arpa. 300 IN PTR mail.example.org.
mail.example.org. 300 IN A 192.0.2.10
example.org. 300 IN MX 10 mail.example.org.
check.example.org. 300 IN MX 10 mail.example.org.
`;

export const RAW = new TextEncoder().encode(
  'From: Alice <alice@example.org>\r\nTo: t-abc@check.example.org\r\nSubject: Hello \u00e9t\u00e9\r\n' +
    'Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nBody line\r\n',
);

let cached: Promise<{ pass: Evaluation; fail: Evaluation }> | undefined;

/** The two evaluations (computed once per process). */
export function evaluations(): Promise<{ pass: Evaluation; fail: Evaluation }> {
  cached ??= (async () => {
    const zone = parseZoneFile(ZONE);
    if (!zone.ok) throw new Error('test zone does not parse');
    const resolver = createResolver({ zone: zone.value });
    const now = new Date('2026-12-05T10:00:05Z');
    const pass = await evaluate(
      RAW,
      { ip: '192.0.2.10', helo: 'mail.example.org', mailFrom: 'alice@example.org' },
      {
        resolver,
        now,
      },
    );
    const fail = await evaluate(
      RAW,
      { ip: '198.51.100.7', helo: 'bad.example', mailFrom: 'alice@example.org' },
      {
        resolver,
        now,
      },
    );
    return { pass, fail };
  })();
  return cached;
}

/** A message as a face hands it to the store. */
export function message(id: string, evaluation: Evaluation, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    id,
    receivedAt: 1_700_000_000_000,
    source: 'smtp',
    envelope: evaluation.envelope,
    evaluation,
    size: RAW.byteLength,
    raw: RAW,
    from: 'Alice <alice@example.org>',
    subject: 'Hello \u00e9t\u00e9',
    ...extra,
  };
}
