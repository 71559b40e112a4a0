/**
 * Hostile ARC input (RFC 8617 §4.2.1, §9): too many sets, duplicates, huge or garbage fields. Every case ends in a
 * clear result, without unbounded work, and structural failures need no DNS at all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArcSets, sealArc, verifyArc, type ArcResult } from '../../src/core/arc/index.js';
import { parseMessage } from '../../src/core/message/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { loopbackContext, txtZone } from './fixtures.js';
import { baseMessage, makeSealer, seal } from './hops.js';

const sealer = makeSealer('fwd.example', 'k', 1024);

/** A valid one-set ARC header block (three fields) for instance 1, from a real seal. */
function oneSetFields(): string {
  const text = Buffer.from(seal(baseMessage, sealer)).toString('latin1');
  return text.slice(0, text.indexOf('From: '));
}

describe('hostile ARC input', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({ records: zoneRecords(txtZone({ [sealer.keyName]: sealer.record })) });
  });
  after(async () => server.close());

  /** Verifies, asserting that it took no DNS query and little time. */
  const verifyOffline = async (message: string | Uint8Array): Promise<ArcResult> => {
    const queries = server.queries.length;
    const result = await verifyArc(loopbackContext(server), message);
    assert.equal(server.queries.length, queries, 'no DNS query for a structural failure');
    return result;
  };

  test('50 sets is the limit: a 50-set chain passes, a 51st cannot be sealed or accepted', async () => {
    let message: Uint8Array = seal(baseMessage, sealer);
    for (let i = 2; i <= 50; i++) message = seal(message, sealer, { chainValidation: 'pass' });
    const fifty = await verifyArc(loopbackContext(server), message);
    assert.equal(fifty.result, 'pass', JSON.stringify(fifty.error));
    assert.equal(fifty.instances, 50);

    const refused = sealArc(message, {
      domain: sealer.domain,
      selector: sealer.selector,
      privateKey: sealer.privateKey,
      authservId: 'mx.fwd.example',
      authResults: 'arc=pass',
      now: new Date(0),
    });
    assert.equal(refused.ok, false);
    assert.equal(refused.ok ? '' : refused.error.code, 'arc.too-many-instances');

    // Forge set 51 from set 50's fields.
    const text = Buffer.from(message).toString('latin1');
    const set50 = text.slice(0, text.indexOf('ARC-Seal:', 10));
    const forged = set50.replace(/i=50;/g, 'i=51;') + text;
    const result = await verifyOffline(forged);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.too-many-instances');
  });

  test('5,000 ARC-Seal fields: fail at once, nothing parsed', async () => {
    const fields = 'ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=k; b=AAAA\r\n'.repeat(5_000);
    const result = await verifyOffline(fields + baseMessage);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.too-many-instances');
  });

  test('an instance number far out of range', async () => {
    const fields = oneSetFields().replace(/i=1;/g, 'i=999999;');
    const result = await verifyOffline(fields + baseMessage);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.too-many-instances');
  });

  test('a duplicate set: fail arc.structure at that instance', async () => {
    const fields = oneSetFields();
    const result = await verifyOffline(fields + fields + baseMessage);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.structure');
    assert.equal(result.failedInstance, 1);
  });

  test('a duplicate ARC-Message-Signature only', async () => {
    const fields = oneSetFields();
    const ams = /ARC-Message-Signature:[^]*?\r\n(?=[^ \t])/.exec(fields)?.[0] ?? '';
    assert.ok(ams.length > 0);
    const result = await verifyOffline(ams + fields + baseMessage);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.structure');
  });

  test('a huge AAR (1 MB): fail arc.syntax, bounded', async () => {
    const huge = `ARC-Authentication-Results: i=1; mx.fwd.example; spf=pass smtp.mailfrom=${'a'.repeat(1 << 20)}@x.example\r\n`;
    const message = (oneSetFields() + baseMessage).replace(/ARC-Authentication-Results:[^]*?\r\n(?=[^ \t])/, huge);
    assert.ok(message.includes(huge));
    const result = await verifyOffline(message);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.syntax');
  });

  test('deeply nested comments in an AAR', async () => {
    const nested = `ARC-Authentication-Results: i=1; mx.fwd.example; spf=pass ${'('.repeat(5000)}x${')'.repeat(5000)}\r\n`;
    const message = (oneSetFields() + baseMessage).replace(/ARC-Authentication-Results:[^]*?\r\n(?=[^ \t])/, nested);
    assert.ok(message.includes(nested));
    const result = await verifyOffline(message);
    assert.equal(result.result, 'fail');
    assert.equal(result.error?.code, 'arc.syntax');
  });

  for (const [label, seal] of [
    ['control characters', 'ARC-Seal: \u0001\u0002=;;='],
    ['no tags at all', 'ARC-Seal: just some text'],
    ['repeated tags', 'ARC-Seal: i=1; i=1; a=rsa-sha256; b=AAAA; cv=none; d=x.example; s=k'],
    ['empty values', 'ARC-Seal: i=; a=; b=; cv=; d=; s='],
    ['i=0', 'ARC-Seal: i=0; a=rsa-sha256; b=AAAA; cv=none; d=x.example; s=k'],
    ['negative i', 'ARC-Seal: i=-1; a=rsa-sha256; b=AAAA; cv=none; d=x.example; s=k'],
    ['a 100 KB tag value', `ARC-Seal: i=1; a=rsa-sha256; b=${'A'.repeat(100_000)}; cv=none; d=x.example; s=k`],
  ] as const) {
    test(`garbage ARC-Seal (${label}): fail arc.syntax`, async () => {
      const result = await verifyOffline(`${seal}\r\n${baseMessage}`);
      assert.equal(result.result, 'fail');
      assert.equal(result.error?.code, 'arc.syntax', JSON.stringify(result.error));
    });
  }

  test('parseArcSets is pure and bounded on the same inputs', () => {
    const parsed = parseMessage('ARC-Seal: garbage\r\n' + baseMessage);
    assert.ok(parsed.ok);
    const sets = parseArcSets(parsed.value);
    assert.equal(sets.ok, false);
    assert.equal(sets.ok ? '' : sets.error.code, 'arc.syntax');
  });

  test('an unreadable header that mentions ARC-Seal: fail; an unreadable one without: none', async () => {
    const bad = await verifyOffline('ARC-Seal: i=1\r\n not a field line\r\n: no name\r\n\r\nbody');
    assert.equal(bad.result, 'fail');
    assert.equal(bad.error?.code, 'arc.message-syntax');
    const plain = await verifyOffline('Subject: x\r\n: no name\r\n\r\nbody');
    assert.equal(plain.result, 'none');
    const empty = await verifyOffline('');
    assert.equal(empty.result, 'none');
  });
});
