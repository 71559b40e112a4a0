/**
 * The milter as `mailtrust serve` starts it from a `[milter]` section: listening where the config says, sharing the
 * service's resolver, store and metrics, writing each message to the history (`GET /api/v1/messages`) with source
 * `milter` and its action, and applying `[actions]`.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { DestinationStream } from 'pino';
import { validateConfig } from '../../src/server/config.js';
import { startService, type Service } from '../../src/server/service.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { openFaultyStore, type FaultyStore } from '../support/faulty-store.js';
import { waitFor } from '../support/wait-for.js';
import { MilterClient, mtaView } from './mta-client.js';
import { loadScenario, type Scenario } from './scenarios.js';

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

describe('mailtrust serve with [milter]', () => {
  let dns: TestDnsServer;
  let service: Service;
  let store: FaultyStore;
  let untrusted: Scenario;
  const logs: Record<string, unknown>[] = [];

  before(async () => {
    untrusted = await loadScenario('spoofed-from-spf-fail-no-dkim');
    dns = await startTestDnsServer({ records: untrusted.zone });
    const parsed = validateConfig({
      hostname: 'mx.serve.test',
      dns: [dns.address],
      milter: { listen: '127.0.0.1:0', timeBudget: '5s' },
      actions: { untrusted: 'quarantine' },
      http: { listen: '127.0.0.1:0' },
    });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    store = await openFaultyStore();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    service = await startService(parsed.config, { store, logDestination: sink as unknown as DestinationStream });
  });
  after(async () => {
    await service?.close(500);
    await store?.close();
    await dns?.close();
  });

  test('the face listens, stores the evaluation with its action and counts it', async () => {
    const face = service.face('milter');
    assert.ok(face, 'no milter face');
    const client = await MilterClient.open(portOf(face.address));
    try {
      await client.negotiate();
      const e = untrusted.fixture.envelope;
      const envelope = { ip: e.ip, helo: e.helo!, mailFrom: e.mailFrom!, rcptTo: e.rcptTo! };
      await client.connectAndHelo(envelope);
      const result = await client.message(envelope, mtaView(untrusted.raw));
      // [actions] untrusted = quarantine: held with the reasons, accepted, headers written by our authserv-id.
      assert.ok(result.changes.some((c) => c.kind === 'quarantine'));
      assert.equal(result.final.kind, 'accept');
      const authres = result.changes.find((c) => c.kind === 'insheader');
      assert.ok(authres && authres.kind === 'insheader' && authres.value.startsWith(' mx.serve.test;'));
    } finally {
      client.close();
    }
    // The history row is written just after the reply (docs/milter.md, "The history"): wait for it.
    const messages = await waitFor('the history row', async () => {
      const rows = await store.messages();
      return rows.length > 0 ? rows : undefined;
    });
    assert.equal(messages.length, 1);
    const stored = messages[0]!;
    assert.equal(stored.source, 'milter');
    assert.equal(stored.action, 'quarantine');
    assert.equal(stored.verdict, 'untrusted');
    assert.equal(stored.envelope.ip, untrusted.fixture.envelope.ip);

    const http = `http://127.0.0.1:${portOf(service.face('http')!.address)}`;
    const metrics = await (await fetch(`${http}/metrics`)).text();
    assert.match(metrics, /mailtrust_milter_messages_total\{action="quarantine"\} 1/);
    assert.match(metrics, /mailtrust_messages_total\{source="milter",verdict="untrusted"\} 1/);
    assert.match(metrics, /mailtrust_sessions_total\{face="milter"\} 1/);
    assert.match(metrics, /mailtrust_milter_history_failures_total 0/);
    assert.ok(logs.some((l) => l['event'] === 'milter.message' && l['action'] === 'quarantine'));
  });
});
