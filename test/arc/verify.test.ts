/**
 * ARC chain validation end to end (RFC 8617 §5.2): chains sealed by `sealArc`, keys served by the loopback test
 * DNS server through the real resolver; tampering, DNS trouble and hostile input.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createArcVerifier, verifyArc, type ArcResult } from '../../src/core/arc/index.js';
import { parseMessage } from '../../src/core/message/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { loopbackContext, txtZone } from './fixtures.js';
import { baseMessage, makeSealer, replace, seal, type Sealer } from './hops.js';

const list = makeSealer('lists.example.org');
const relay = makeSealer('relay.example.net', 'r1');
const gateway = makeSealer('gw.example.com', 'g');
const revoked = { ...makeSealer('revoked.example', 'old', 1024), record: 'v=DKIM1; k=rsa; p=' };
const absent = makeSealer('absent.example', 'gone', 1024);
const slow = makeSealer('slow.example', 'late', 1024);
const sealers: Sealer[] = [list, relay, gateway, revoked, slow];

describe('verifyArc over loopback DNS', () => {
  let server: TestDnsServer;
  before(async () => {
    const zone: Record<string, string> = {};
    for (const s of sealers) zone[s.keyName] = s.record;
    server = await startTestDnsServer({
      records: zoneRecords(txtZone(zone)),
      rules: [{ name: slow.keyName, action: 'timeout' }],
    });
  });
  after(async () => server.close());

  const verify = (message: Uint8Array | string): Promise<ArcResult> => verifyArc(loopbackContext(server), message);
  /** A forwarder: validates what it received, then seals with that chain status. */
  const forward = async (message: Uint8Array, sealer: Sealer): Promise<Uint8Array> =>
    seal(message, sealer, { chainValidation: await verify(message) });

  test('no ARC fields: none, and no DNS query', async () => {
    const before = server.queries.length;
    const result = await verify(baseMessage);
    assert.deepEqual(result, { result: 'none', instances: 0, sets: [] });
    assert.equal(server.queries.length, before);
  });

  test('one hop: pass, with the sealer and what it recorded', async () => {
    const result = await verify(seal(baseMessage, list));
    assert.equal(result.result, 'pass', JSON.stringify(result.error));
    assert.equal(result.instances, 1);
    assert.equal(result.oldestPass, 0);
    const [first] = result.sets;
    assert.equal(first?.instance, 1);
    assert.equal(first?.sealDomain, 'lists.example.org');
    assert.equal(first?.sealSelector, 'arc');
    assert.equal(first?.cv, 'none');
    assert.equal(first?.authResults.authservId, 'mx.lists.example.org');
    assert.deepEqual(
      first?.authResults.results.map((r) => `${r.method}=${r.result}`),
      ['spf=pass', 'dkim=pass'],
    );
    assert.equal(first?.timestamp, Date.parse('2026-01-01T00:00:00Z') / 1000);
  });

  test('three hops by three domains: pass, sets i=1 first', async () => {
    const message = await forward(await forward(seal(baseMessage, list), relay), gateway);
    const result = await verify(message);
    assert.equal(result.result, 'pass', JSON.stringify(result.error));
    assert.equal(result.instances, 3);
    assert.deepEqual(
      result.sets.map((s) => [s.instance, s.sealDomain, s.cv]),
      [
        [1, 'lists.example.org', 'none'],
        [2, 'relay.example.net', 'pass'],
        [3, 'gw.example.com', 'pass'],
      ],
    );
    assert.equal(result.oldestPass, 0);
  });

  test('a hop that changes the body then seals: pass, oldest-pass names that hop', async () => {
    const first = seal(baseMessage, list);
    const status = await verify(first);
    assert.equal(status.result, 'pass');
    // The list adds a footer after validating, then seals (RFC 8617 §5.2 step 5: AMS(1) no longer validates).
    const footer = Buffer.concat([first, Buffer.from('-- \r\nList footer\r\n')]);
    const result = await verify(seal(footer, relay, { chainValidation: status }));
    assert.equal(result.result, 'pass', JSON.stringify(result.error));
    assert.equal(result.oldestPass, 2);
  });

  test('body changed after the last seal: fail arc.body-hash at the newest instance', async () => {
    const message = await forward(seal(baseMessage, list), relay);
    const result = await verify(replace(message, 'Hello world.', 'Hello w0rld.'));
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.body-hash');
    assert.equal(result.failedInstance, 2);
    assert.equal(result.sets.length, 2, 'the sets are still described');
  });

  test('signed header changed after the last seal: fail arc.ams-signature', async () => {
    const result = await verify(replace(seal(baseMessage, list), 'Subject: Hello', 'Subject: Hellp'));
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.ams-signature');
  });

  test('an older AAR altered: fail arc.seal-signature', async () => {
    const message = await forward(seal(baseMessage, list), relay);
    const result = await verify(replace(message, 'mx.lists.example.org;', 'mx.lists.example.net;'));
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.seal-signature');
  });

  test('an ARC set removed: fail arc.structure naming the gap', async () => {
    const message = await forward(await forward(seal(baseMessage, list), relay), gateway);
    const parsed = parseMessage(message);
    assert.ok(parsed.ok);
    // Drop the three fields of set i=2.
    const kept = parsed.value.fields.filter(
      (f) => !(f.name.startsWith('arc-') && /(?:^|[:;]\s*)i=2;/.test(Buffer.from(f.raw).toString('latin1'))),
    );
    assert.equal(kept.length, parsed.value.fields.length - 3);
    const header = kept.map((f) => `${Buffer.from(f.raw).toString('latin1')}\r\n`).join('');
    const result = await verify(`${header}\r\n${Buffer.from(parsed.value.body).toString('latin1')}`);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.structure');
    assert.equal(result.failedInstance, 2);
  });

  test('a seal that says cv=fail ends the chain: fail arc.cv-fail, without DNS', async () => {
    const broken = replace(seal(baseMessage, list), 'Hello world.', 'Changed.');
    const status = await verify(broken);
    assert.equal(status.result, 'fail');
    const message = seal(broken, relay, { chainValidation: status });
    const before = server.queries.length;
    const result = await verify(message);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.cv-fail');
    assert.equal(result.failedInstance, 2);
    assert.equal(server.queries.length, before);
  });

  test('key lookup times out: temperror with dns.timeout', async () => {
    const result = await verify(seal(baseMessage, slow));
    assert.equal(result.result, 'temperror');
    assert.equal(result.error?.code, 'dns.timeout');
    assert.equal(result.failedInstance, 1);
  });

  test('a definite failure wins over a timeout', async () => {
    // i=1 sealed by the list (key available), i=2 by a sealer whose key lookup times out.
    const message = seal(seal(baseMessage, list), slow, { chainValidation: 'pass' });
    const open = await verify(message);
    assert.equal(open.result, 'temperror', 'AMS(2) and AS(2) cannot be checked for now');
    // Altering AAR(1) breaks AS(1), which can be checked: that decides.
    const tampered = replace(message, 'mx.lists.example.org;', 'mx.lists.example.net;');
    const result = await verify(tampered);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.seal-signature');
    assert.equal(result.failedInstance, 1);
  });

  test('no key record: fail arc.key-missing; empty p=: fail arc.key-revoked', async () => {
    const missing = await verify(seal(baseMessage, absent));
    assert.equal(missing.result, 'fail');
    assert.equal(missing.error?.code, 'arc.key-missing');
    const gone = await verify(seal(baseMessage, revoked));
    assert.equal(gone.result, 'fail');
    assert.equal(gone.error?.code, 'arc.key-revoked');
  });

  test('streaming: any chunking of the body gives the same result', async () => {
    const message = await forward(seal(baseMessage, list), relay);
    const parsed = parseMessage(message);
    assert.ok(parsed.ok);
    const whole = await verify(message);
    for (const size of [1, 3, 7, 64]) {
      const verifier = createArcVerifier(loopbackContext(server), parsed.value);
      const body = parsed.value.body;
      for (let i = 0; i < body.length; i += size) verifier.update(body.subarray(i, i + size));
      assert.deepEqual(await verifier.finish(), whole);
    }
  });

  test('bare LF line ends validate like CRLF', async () => {
    const message = Buffer.from(seal(baseMessage, list)).toString('utf8').replace(/\r\n/g, '\n');
    const result = await verify(message);
    assert.equal(result.result, 'pass', JSON.stringify(result.error));
  });

  test('ed25519-sha256 is refused under the rsa-sha256-only policy', async () => {
    // Structural policy check: a= is read before any key lookup.
    const message = Buffer.from(seal(baseMessage, list))
      .toString('utf8')
      .replace(/(ARC-Seal: i=1; )a=rsa-sha256/, '$1a=ed25519-sha256');
    assert.match(message, /a=ed25519-sha256/);
    const result = await verifyArc(loopbackContext(server), message, { algorithms: ['rsa-sha256'] });
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.algorithm');
  });
});

describe('From fields the newest AMS does not cover', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({ records: zoneRecords(txtZone({ [list.keyName]: list.record })) });
  });
  after(async () => server.close());

  test('an added From on top fails arc.ams-signature, even when h= names From only once', async () => {
    const sealed = seal(baseMessage, list, { headers: ['from', 'to', 'subject'] });
    const clean = await verifyArc(loopbackContext(server), sealed);
    assert.equal(clean.result, 'pass', JSON.stringify(clean.error));
    const injected = Buffer.concat([Buffer.from('From: Mallory <m@evil.example>\r\n'), sealed]);
    const result = await verifyArc(loopbackContext(server), injected);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.ams-signature');
  });
});
