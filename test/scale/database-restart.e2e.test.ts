/**
 * PostgreSQL restarted under two running instances. The test runs its own private cluster (never the shared server
 * other suites use), stops it mid-run for a few seconds and starts it again. While it is down the instances answer
 * SMTP with a 4xx (never 250: nothing is acknowledged without a commit), form posts with 503 and `/healthz` with 503
 * within 2 s; afterwards they reconnect by themselves, without a restart of their own, and every 250 and 202 given
 * at any time is in the database (and delivered). Needs PostgreSQL's server programs; without them, skipped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { killAllInstances, startServeInstance, type ServeInstance } from '../support/serve-instance.js';
import { assertAcceptedDelivered, assertAcknowledgedStored } from './acknowledged.js';
import { postForm, swaksSend } from './clients.js';
import { instanceConfig, TEST_DOMAIN, writeDkimKey } from './instance-config.js';
import { startMailSink, type MailSink } from './mail-sink.js';
import { outboxZone, sinkHosts, waitDrained } from './outbox-load.js';
import { startTraffic } from './traffic.js';

/** This file's sink addresses (block 3 of 127.0.3.0/24). */
const SINKS = sinkHosts(3);

const FORM_TOKEN = 'scale-restart-token-0123456789';
const DOWN_MS = 8_000;

const cluster = await startPrivatePostgres();

async function timedHealth(instance: ServeInstance): Promise<{ status: number; ms: number; why: string }> {
  const started = Date.now();
  try {
    const response = await fetch(`${instance.httpUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, ms: Date.now() - started, why: await response.text() };
  } catch (error) {
    const output = instance.otherOutput().slice(-2_000);
    const why = `${(error as Error).message}; alive: ${instance.alive()}; output: ${output}`;
    return { status: 0, ms: Date.now() - started, why };
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (!cluster.ok) {
  test('database restart under running instances', { skip: cluster.skip }, () => {});
} else {
  const server: PrivatePostgres = cluster.server;
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-scale-restart-'));
  let dns: TestDnsServer;
  let sink: MailSink;
  before(async () => {
    dns = await startTestDnsServer({ records: zoneRecords(outboxZone(SINKS)) });
    sink = await startMailSink(SINKS);
    writeDkimKey(dir);
  });
  after(async () => {
    await killAllInstances();
    await sink?.close();
    await dns?.close();
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('database restart under running instances', { timeout: 300_000 }, () => {
    test('451/503 while PostgreSQL is down, recovery without a restart, nothing acknowledged lost', async () => {
      const config = instanceConfig({
        database: server.url,
        dns: dns.address,
        relay: {
          keyFile: join(dir, 'relay.key'),
          workers: 2,
          lease: '5s',
          minimalBackoff: '1s',
          maximalBackoff: '2s',
          rateLimit: { perIp: '100000/min' },
          forms: [
            {
              id: 'restart',
              to: ['support@helpdesk-1.scale.test'],
              fields: ['name', 'message'],
              captcha: 'none',
              tokens: [FORM_TOKEN],
            },
          ],
        },
      });
      const instances = await Promise.all([
        startServeInstance({ config, dir, name: 'restart-a', faces: ['http', 'smtp'] }),
        startServeInstance({ config, dir, name: 'restart-b', faces: ['http', 'smtp'] }),
      ]);
      const pids = instances.map((instance) => instance.pid);
      const traffic = startTraffic({
        targets: () => instances,
        smtpClients: 10,
        formPosters: 1,
        formId: 'restart',
        formToken: FORM_TOKEN,
        prefix: 't-restart',
      });
      let downFrom = 0;
      let baseline = 0;
      let downUntil = 0;
      const healthWhileDown: { status: number; ms: number; why: string }[] = [];
      try {
        await pause(5_000);
        // The same request while the database is up: what the machine's load alone costs a /healthz answer.
        baseline = Math.max(...(await Promise.all(instances.map(timedHealth))).map((health) => health.ms));
        await server.stop();
        downFrom = Date.now();
        // Let pools notice, then probe the faces while the server stays down.
        await pause(1_000);
        for (const instance of instances) healthWhileDown.push(await timedHealth(instance));
        const smtpWhileDown = await swaksSend(instances[0]!.addresses.get('smtp')!, {
          to: `t-restart-probe@${TEST_DOMAIN}`,
          from: 'probe@example.net',
          helo: 'probe.example.net',
          subject: 't-restart-probe-down',
        });
        const postWhileDown = await postForm(
          instances[1]!.httpUrl,
          'restart',
          { name: 'P', message: 'down' },
          {
            'x-form-token': FORM_TOKEN,
          },
        );
        await pause(Math.max(0, downFrom + DOWN_MS - Date.now()));
        // The server accepts connections before pg_ctl returns: the downtime ends when the start begins.
        downUntil = Date.now();
        await server.start();

        for (const health of healthWhileDown) {
          assert.equal(health.status, 503, `/healthz answers 503 while the database is down (${health.why})`);
          // Within 2 s of waiting for the database, over what the load costs any request (the machine is shared).
          assert.ok(health.ms <= baseline + 2_000, `/healthz answered in ${health.ms} ms, baseline ${baseline} ms`);
        }
        assert.notEqual(smtpWhileDown.dataReply?.slice(0, 3), '250', 'no 250 while the database is down');
        assert.match(
          smtpWhileDown.dataReply ?? smtpWhileDown.transcript,
          /\b451[ -]4\.3\.0\b/,
          'SMTP answers 451 4.3.0 while the database is down',
        );
        assert.equal(postWhileDown.status, 503, 'a form post gets 503 while the database is down');
        assert.equal((postWhileDown.body as { error?: { code?: string } }).error !== undefined, true);

        // Recovery: both instances healthy again by themselves, within 30 s.
        const recoverBy = Date.now() + 30_000;
        for (const instance of instances) {
          let health = await timedHealth(instance);
          while (health.status !== 200 && Date.now() < recoverBy) {
            await pause(250);
            health = await timedHealth(instance);
          }
          assert.equal(health.status, 200, `${instance.name} healthy again without a restart`);
        }
        // Keep the traffic going until a message sent well after the restart (5 s on) has been answered, or 30 s:
        // a quick recovery must not end the run before there is any traffic to judge it by.
        const judgedFrom = downUntil + 5_000;
        const trafficUntil = Date.now() + 30_000;
        while (!traffic.smtp.some((o) => o.at > judgedFrom && o.acknowledged) && Date.now() < trafficUntil) {
          await pause(250);
        }
      } finally {
        await traffic.stop();
      }
      assert.deepEqual(
        instances.map((instance) => [instance.alive(), instance.pid]),
        pids.map((pid) => [true, pid]),
        'the same processes ran throughout',
      );

      const during = traffic.smtp.filter((o) => o.startedAt > downFrom && o.at < downUntil);
      assert.ok(during.length > 0, 'SMTP clients kept sending while the database was down');
      assert.deepEqual(
        during.filter((o) => o.acknowledged).map((o) => o.subject),
        [],
        'no 250 in the downtime',
      );
      const after = traffic.smtp.filter((o) => o.at > downUntil + 5_000);
      assert.ok(
        after.some((o) => o.acknowledged),
        '250s again after recovery',
      );
      await assertAcknowledgedStored(server.url, traffic.smtp, 't-restart');
      await waitDrained(server.url, 120_000);
      // A delivery in flight when the database went away may be sent again (its attempt could not be recorded):
      // at most one extra copy per row in flight, and two instances with two delivery slots hold at most four.
      await assertAcceptedDelivered(server.url, traffic.posts, sink, { atMost: 4 });
      await Promise.all(instances.map((instance) => instance.stop()));
    });
  });
}
