// Delivery over real sockets: loopback SMTP servers on port 25 of 127.0.1.10–29 act as the recipients' MX hosts,
// found through MX records in the loopback DNS server. Each scenario of docs/relay.md's retry rules has its domain.
// The outbox is the real SQLite store (test/support/faulty-store.ts, no faults injected here).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evaluate } from '../../src/core/index.js';
import { Relay } from '../../src/relay/relay.js';
import type { SubmissionView } from '../../src/store/types.js';
import {
  FORM_TOKEN,
  RELAY_HOST,
  RELAY_IP,
  dkimpyVerify,
  loopbackMx,
  relayConfig,
  silentLogger,
  startRelayWorld,
  waitFor,
  type RelayWorld,
} from './support/fixture.js';
import { openFaultyStore, type FaultyStore } from '../support/faulty-store.js';
import { startMxHost, type MxHost } from './support/mx-hosts.js';

const hosts: Record<string, MxHost> = {};
let world: RelayWorld;
let store: FaultyStore;
let relay: Relay;

const domains = {
  ...loopbackMx('helpdesk.example.net', '127.0.1.10'),
  ...loopbackMx('backup.example.net', '127.0.1.11'),
  ...loopbackMx('greylist.example.net', '127.0.1.12'),
  ...loopbackMx('reject.example.net', '127.0.1.13'),
  ...loopbackMx('ops.example.net', '127.0.1.14'),
  'twomx.example.net': {
    MX: [
      [10, 'down.twomx.example.net'],
      [20, 'up.twomx.example.net'],
    ] as [number, string][],
  },
  'down.twomx.example.net': { A: ['127.0.1.15'] },
  'up.twomx.example.net': { A: ['127.0.1.16'] },
  ...loopbackMx('drop.example.net', '127.0.1.17'),
  ...loopbackMx('flaky.example.net', '127.0.1.18'),
  'nullmx.example.net': { MX: [[0, '.']] as [number, string][] },
  // The visitor's domain routes to a loopback host too, so a notice sent there would be seen.
  ...loopbackMx('visitor.example.org', '127.0.1.19'),
};

const recipients = [
  'support@helpdesk.example.net',
  'copy@backup.example.net',
  'desk@greylist.example.net',
  'nobody@reject.example.net',
  'desk@twomx.example.net',
  'desk@drop.example.net',
  'desk@flaky.example.net',
  'desk@nullmx.example.net',
  'desk@nx.example.net',
];

before(async () => {
  world = await startRelayWorld(domains);
  hosts.helpdesk = await startMxHost('127.0.1.10', { kind: 'accept' });
  hosts.backup = await startMxHost('127.0.1.11', { kind: 'accept' });
  hosts.greylist = await startMxHost('127.0.1.12', { kind: 'greylist', times: 3 });
  hosts.reject = await startMxHost('127.0.1.13', { kind: 'reject' });
  hosts.ops = await startMxHost('127.0.1.14', { kind: 'accept' });
  hosts.up = await startMxHost('127.0.1.16', { kind: 'accept' });
  hosts.drop = await startMxHost('127.0.1.17', { kind: 'drop' });
  hosts.flaky = await startMxHost('127.0.1.18', { kind: 'accept' });
  hosts.visitor = await startMxHost('127.0.1.19', { kind: 'accept' });
  store = await openFaultyStore();
  const config = relayConfig(world, {
    bounceTo: 'postmaster@ops.example.net',
    sendTo: recipients,
    forms: [
      {
        id: 'contact',
        to: ['support@helpdesk.example.net'],
        copyTo: ['copy@backup.example.net'],
        subject: 'Contact: {subject}',
        fields: ['name', 'email', 'subject', 'message'],
        replyToField: 'email',
        captcha: 'none',
        tokens: [FORM_TOKEN],
      },
      {
        id: 'split',
        to: ['nobody@reject.example.net'],
        copyTo: ['copy@backup.example.net'],
        fields: ['name', 'email', 'message'],
        replyToField: 'email',
        captcha: 'none',
        tokens: [FORM_TOKEN],
      },
    ],
  });
  relay = Relay.open(config, { store, resolver: world.resolver, logger: silentLogger, now: Date.now }, { pollMs: 50 });
  relay.start();
});

after(async () => {
  await relay?.stop(1_000);
  await Promise.all(Object.values(hosts).map((h) => h.close()));
  await store?.close();
  await world?.close();
});

async function send(to: string, subject = 'hello'): Promise<string> {
  const result = await relay.intake.submitSend({ ip: '127.0.0.1', to: [to], subject, text: `test for ${to}\n` });
  assert.ok(result.ok, JSON.stringify(result));
  return result.id;
}

/** Waits until no recipient of the submission is queued or deferred. */
function settled(id: string, timeoutMs = 15_000): Promise<SubmissionView> {
  return waitFor(
    `submission ${id} to settle`,
    async () => {
      const view = await store.getSubmission(id);
      return view && view.recipients.every((r) => r.status === 'delivered' || r.status === 'failed') ? view : undefined;
    },
    timeoutMs,
  );
}

test('a form post is delivered to the helpdesk and, independently, to the copy address: same bytes, signed, trusted', async () => {
  const result = await relay.intake.submitForm({
    formId: 'contact',
    ip: '203.0.113.7',
    token: FORM_TOKEN,
    fields: {
      name: 'Jane Doe',
      email: 'jane@visitor.example.org',
      subject: 'Printer on fire',
      message: 'Help!\nIt burns.',
    },
  });
  assert.ok(result.ok, JSON.stringify(result));
  const view = await settled(result.id);
  assert.deepEqual(
    view.recipients.map((r) => [r.address, r.role, r.status, r.attempts.length]),
    [
      ['support@helpdesk.example.net', 'to', 'delivered', 1],
      ['copy@backup.example.net', 'copy', 'delivered', 1],
    ],
  );
  const stored = (await store.submissions()).find((s) => s.id === result.id);
  const atDesk = hosts.helpdesk?.received.find((m) => m.raw.toString('latin1').includes(view.messageId));
  const atCopy = hosts.backup?.received.find((m) => m.raw.toString('latin1').includes(view.messageId));
  assert.ok(atDesk && atCopy && stored);
  assert.ok(atDesk.raw.equals(Buffer.from(stored.raw)), 'the helpdesk got the stored bytes');
  assert.ok(atCopy.raw.equals(Buffer.from(stored.raw)), 'the copy got the stored bytes');
  assert.equal(atDesk.mailFrom, `bounces@${RELAY_HOST}`);
  assert.deepEqual(atDesk.rcptTo, ['support@helpdesk.example.net']);
  assert.deepEqual(atCopy.rcptTo, ['copy@backup.example.net']);
  assert.equal(atDesk.helo, RELAY_HOST);
  assert.equal(atDesk.tls, true, 'STARTTLS was used');
  const text = atDesk.raw.toString('utf8');
  assert.match(text, /\r\nFrom: "Jane Doe via contact" <forms@relay\.example\.com>\r\n/);
  assert.match(text, /\r\nReply-To: jane@visitor\.example\.org\r\n/);
  assert.match(text, /\r\nSubject: Contact: Printer on fire\r\n/);
  assert.equal(dkimpyVerify(atDesk.raw, world.keyRecord), true);
  const evaluation = await evaluate(
    atDesk.raw,
    { ip: RELAY_IP, helo: atDesk.helo, mailFrom: atDesk.mailFrom, rcptTo: atDesk.rcptTo },
    { resolver: world.resolver },
  );
  assert.equal(evaluation.verdict, 'trusted', JSON.stringify(evaluation.reasons));
});

test('451 three times then 250: delivered on the 4th attempt, all 4 attempts recorded', async () => {
  const id = await send('desk@greylist.example.net');
  const view = await settled(id);
  const row = view.recipients[0];
  assert.equal(row?.status, 'delivered');
  assert.equal(row?.attempts.length, 4);
  assert.deepEqual(
    row?.attempts.map((a) => a.reply.slice(0, 3)),
    ['451', '451', '451', '250'],
  );
  assert.ok(row?.attempts.every((a) => a.mx === 'mx.greylist.example.net' && a.ip === '127.0.1.12'));
  // Doubling backoff: each wait at least 90 % of 300 ms, 600 ms, 1 s.
  const at = row?.attempts.map((a) => a.at) ?? [];
  assert.ok((at[1] as number) - (at[0] as number) >= 270);
  assert.ok((at[2] as number) - (at[1] as number) >= 540);
  assert.ok((at[3] as number) - (at[2] as number) >= 900);
  assert.equal(hosts.greylist?.received.length, 1);
});

test('550: failed after one attempt, an RFC 3464 notice goes to bounceTo with MAIL FROM:<>, none to the visitor', async () => {
  const result = await relay.intake.submitForm({
    formId: 'split',
    ip: '203.0.113.8',
    token: FORM_TOKEN,
    fields: { name: 'Sam', email: 'sam@visitor.example.org', message: 'split routes' },
  });
  assert.ok(result.ok);
  const view = await settled(result.id);
  const byRole = Object.fromEntries(view.recipients.map((r) => [r.role, r]));
  assert.equal(byRole.to?.status, 'failed');
  assert.equal(byRole.to?.attempts.length, 1);
  assert.match(byRole.to?.attempts[0]?.reply ?? '', /^550 /);
  // The copy goes its own way: delivered although the main route failed.
  assert.equal(byRole.copy?.status, 'delivered');
  const notice = await waitFor('the failure notice', () =>
    hosts.ops?.received.find((m) =>
      m.raw.toString('latin1').includes('Final-Recipient: rfc822; nobody@reject.example.net'),
    ),
  );
  assert.equal(notice.mailFrom, '');
  assert.deepEqual(notice.rcptTo, ['postmaster@ops.example.net']);
  assert.match(notice.raw.toString('latin1'), /\r\nStatus: 5\.1\.1\r\n/);
  assert.equal(dkimpyVerify(notice.raw, world.keyRecord), true);
  assert.equal(hosts.visitor?.received.length, 0, 'nothing was sent to the visitor');
});

test('null MX and NXDOMAIN: failed at once, with a notice each', async () => {
  const nullMx = await settled(await send('desk@nullmx.example.net'));
  assert.equal(nullMx.recipients[0]?.status, 'failed');
  assert.equal(nullMx.recipients[0]?.attempts.length, 1);
  assert.match(nullMx.recipients[0]?.attempts[0]?.reply ?? '', /^556 5\.1\.10 /);
  const nx = await settled(await send('desk@nx.example.net'));
  assert.equal(nx.recipients[0]?.status, 'failed');
  assert.match(nx.recipients[0]?.attempts[0]?.reply ?? '', /NXDOMAIN/);
  await waitFor('both notices', () => {
    const texts = hosts.ops?.received.map((m) => m.raw.toString('latin1')) ?? [];
    const found = ['desk@nullmx.example.net', 'desk@nx.example.net'].every((r) =>
      texts.some((t) => t.includes(`Final-Recipient: rfc822; ${r}`)),
    );
    return found ? true : undefined;
  });
});

test('SERVFAIL for a while, then OK: deferred, then delivered', async () => {
  world.dns.setRules([{ name: 'flaky.example.net', type: 'MX', action: 'servfail' }]);
  const id = await send('desk@flaky.example.net');
  await waitFor('two failed attempts', async () => {
    const row = (await store.getSubmission(id))?.recipients[0];
    return row && row.attempts.length >= 2 ? row : undefined;
  });
  const during = (await store.getSubmission(id))?.recipients[0];
  assert.equal(during?.status, 'deferred');
  assert.match(during?.attempts[0]?.reply ?? '', /^4\.4\.3 MX lookup/);
  world.dns.setRules([]);
  const view = await settled(id);
  assert.equal(view.recipients[0]?.status, 'delivered');
  assert.ok((view.recipients[0]?.attempts.length ?? 0) >= 3);
});

test('the primary MX is down: the secondary takes the message in the same attempt', async () => {
  const view = await settled(await send('desk@twomx.example.net'));
  const row = view.recipients[0];
  assert.equal(row?.status, 'delivered');
  assert.equal(row?.attempts.length, 1);
  assert.equal(row?.attempts[0]?.mx, 'up.twomx.example.net');
  assert.equal(hosts.up?.received.length, 1);
});

test('a server that drops the connection: the row is deferred and retried, not lost or failed', async () => {
  const id = await send('desk@drop.example.net');
  const row = await waitFor('two attempts', async () => {
    const r = (await store.getSubmission(id))?.recipients[0];
    return r && r.attempts.length >= 2 ? r : undefined;
  });
  assert.equal(row.status, 'deferred');
  assert.equal(row.attempts[0]?.mx, 'mx.drop.example.net');
  assert.ok(row.nextAttemptAt !== undefined && row.nextAttemptAt > (row.attempts[1]?.at ?? 0));
});
