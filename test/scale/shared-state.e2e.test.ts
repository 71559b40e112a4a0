/**
 * Two `mailtrust serve` instances on one PostgreSQL database hold no state of their own: a test message received
 * by A's SMTP listener is readable from B's API and report page, a rate limit counts posts to both, an ALTCHA
 * solution used on A is refused on B, and retention run by one instance deletes what the other received. Needs
 * PostgreSQL; without it, skipped with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import pg from 'pg';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { postgresForTests } from '../support/postgres.js';
import { killAllInstances, startServeInstance, type ServeInstance } from '../support/serve-instance.js';
import { postForm, swaksSend } from './clients.js';
import { ADMIN_TOKEN, instanceConfig, TEST_DOMAIN, writeDkimKey } from './instance-config.js';
import { startMailSink, type MailSink } from './mail-sink.js';
import { outboxZone, sinkHosts } from './outbox-load.js';

/** This file's sink addresses (block 1 of 127.0.3.0/24). */
const SINKS = sinkHosts(1);

const FORM_TOKEN = 'scale-form-token-0123456789';

const probe = await postgresForTests();

interface TestView {
  address: string;
  messages: { id: string; envelope: { ip: string; helo: string; mailFrom: string; rcptTo: string[] } }[];
}

if (!probe.ok) {
  test('shared state across instances', { skip: probe.skip }, () => {});
} else {
  const url = probe.database.url;
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-scale-shared-'));
  let dns: TestDnsServer;
  let sink: MailSink;
  let a: ServeInstance;
  let b: ServeInstance;
  const config = (): string =>
    instanceConfig({
      database: url,
      dns: dns.address,
      // The tests' own loopback address stands for the load balancer in front of both instances.
      trustedProxies: ['127.0.0.1/32'],
      relay: {
        keyFile: join(dir, 'relay.key'),
        rateLimit: { perIp: '1000/min' },
        forms: [
          {
            id: 'tokens',
            to: ['support@helpdesk-0.scale.test'],
            fields: ['name', 'message'],
            captcha: 'none',
            tokens: [FORM_TOKEN],
            rateLimit: { perIp: '3/min' },
          },
          {
            id: 'captcha',
            to: ['support@helpdesk-1.scale.test'],
            fields: ['name', 'message'],
            captcha: 'altcha',
            minFillSeconds: 0,
          },
        ],
      },
    });

  before(async () => {
    dns = await startTestDnsServer({ records: zoneRecords(outboxZone(SINKS)) });
    sink = await startMailSink(SINKS);
    writeDkimKey(dir);
    [a, b] = await Promise.all([
      startServeInstance({ config: config(), dir, name: 'shared-a', faces: ['http', 'smtp'] }),
      startServeInstance({ config: config(), dir, name: 'shared-b', faces: ['http', 'smtp'] }),
    ]);
  });
  after(async () => {
    await killAllInstances();
    await sink?.close();
    await dns?.close();
    await probe.database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('shared state across instances', { timeout: 180_000 }, () => {
    test("a message received by A's SMTP listener is read from B's API and report page", async () => {
      const localPart = `t-shared-${Date.now().toString(36)}`;
      const sent = await swaksSend(a.addresses.get('smtp')!, {
        to: `${localPart}@${TEST_DOMAIN}`,
        from: 'sender@example.net',
        helo: 'client.example.net',
        subject: 'shared state',
      });
      assert.match(sent.dataReply ?? '', /^250 /, `A answered 250 at the end of DATA:\n${sent.transcript}`);

      const response = await fetch(`${b.httpUrl}/api/v1/tests/${localPart}`);
      assert.equal(response.status, 200);
      const view = (await response.json()) as TestView;
      assert.equal(view.address, `${localPart}@${TEST_DOMAIN}`);
      assert.equal(view.messages.length, 1, 'B sees the one message A received');
      assert.equal(view.messages[0]?.envelope.helo, 'client.example.net');
      assert.equal(view.messages[0]?.envelope.mailFrom, 'sender@example.net');

      const page = await fetch(`${b.httpUrl}/r/${localPart}`);
      assert.equal(page.status, 200, "B's report page answers");
      assert.match(await page.text(), /client\.example\.net/, "B's report page shows the message A received");
    });

    test('an admin signed in on A is signed in on B, and signing out on B ends it on A', async () => {
      const signIn = await fetch(`${a.httpUrl}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ token: ADMIN_TOKEN, next: '/messages' }).toString(),
      });
      assert.equal(signIn.status, 303, 'A accepts the admin token');
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      assert.match(cookie, /^mailtrust_admin=.+/, 'A sets the session cookie');

      const anonymous = await fetch(`${b.httpUrl}/messages`, { redirect: 'manual' });
      assert.equal(anonymous.status, 303, 'B sends a caller without a session to the sign-in page');
      const onB = await fetch(`${b.httpUrl}/messages`, { redirect: 'manual', headers: { cookie } });
      assert.equal(onB.status, 200, 'B honours the session A created: it lives in the shared database');

      const signOut = await fetch(`${b.httpUrl}/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'sec-fetch-site': 'same-origin' },
      });
      assert.equal(signOut.status, 303, 'B signs the session out');
      const afterOut = await fetch(`${a.httpUrl}/messages`, { redirect: 'manual', headers: { cookie } });
      assert.equal(afterOut.status, 303, 'the session ended on B is no longer valid on A');
    });

    test('a rate limit counts the posts to both instances', async () => {
      const statuses: number[] = [];
      for (const instance of [a, b, a, b, a]) {
        const result = await postForm(
          instance.httpUrl,
          'tokens',
          { name: 'Visitor', message: 'rate limit across instances' },
          { 'x-form-token': FORM_TOKEN },
        );
        statuses.push(result.status);
      }
      // 3 per minute per IP: the first three posts pass wherever they land, the rest are refused on either.
      assert.deepEqual(statuses, [202, 202, 202, 429, 429]);
    });

    test('behind a trusted load balancer, the X-Forwarded-For client is counted across both instances', async () => {
      const post = async (instance: ServeInstance, client: string): Promise<number> =>
        (
          await postForm(
            instance.httpUrl,
            'tokens',
            { name: 'Visitor', message: 'forwarded client' },
            { 'x-form-token': FORM_TOKEN, 'x-forwarded-for': `${client}, 127.0.0.1` },
          )
        ).status;
      const first = [];
      for (const instance of [a, b, a, b]) first.push(await post(instance, '203.0.113.7'));
      assert.deepEqual(
        first,
        [202, 202, 202, 429],
        'one client through the balancer: 3 per minute on A and B together',
      );
      assert.equal(await post(b, '198.51.100.9'), 202, 'another client behind the same balancer has its own count');
    });

    test('an ALTCHA solution used on A is refused on B', async () => {
      const challengeResponse = await fetch(`${a.httpUrl}/f/captcha/challenge`);
      assert.equal(challengeResponse.status, 200);
      const challenge = (await challengeResponse.json()) as Challenge;
      const solution = await solveChallenge({ challenge, deriveKey });
      assert.ok(solution, 'the challenge was solved');
      const altcha = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
      const fields = { name: 'Visitor', message: 'one solution, two instances', altcha };

      const onA = await postForm(a.httpUrl, 'captcha', fields);
      assert.equal(onA.status, 202, `A accepts the first use: ${JSON.stringify(onA.body)}`);
      const onB = await postForm(b.httpUrl, 'captcha', fields);
      assert.equal(onB.status, 403, 'B refuses the replay');
      assert.equal((onB.body as { error?: { code?: string } }).error?.code, 'captcha-replayed');
    });

    test('retention run by one instance deletes what another received', async () => {
      const localPart = `t-retention-${Date.now().toString(36)}`;
      const sent = await swaksSend(a.addresses.get('smtp')!, {
        to: `${localPart}@${TEST_DOMAIN}`,
        from: 'sender@example.net',
        helo: 'client.example.net',
        subject: 'retention',
      });
      assert.match(sent.dataReply ?? '', /^250 /);
      const before = (await (await fetch(`${b.httpUrl}/api/v1/tests/${localPart}`)).json()) as TestView;
      assert.equal(before.messages.length, 1);

      // The message is made 40 days old (retentionDays is 30); a third instance's retention pass at start removes it.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('update messages set received_at = received_at - $1::bigint where local_part = $2', [
          40 * 86_400_000,
          localPart,
        ]);
      } finally {
        await client.end();
      }
      const c = await startServeInstance({
        config: instanceConfig({ database: url, dns: dns.address, smtp: false }),
        dir,
        name: 'shared-c',
      });
      try {
        await c.waitForLog((line) => line.msg === 'retention: old rows deleted', 20_000);
        const afterwards = (await (await fetch(`${a.httpUrl}/api/v1/tests/${localPart}`)).json()) as TestView;
        assert.equal(afterwards.messages.length, 0, 'A no longer shows the expired message');
      } finally {
        await c.stop();
      }
    });
  });
}
