/**
 * Reasons say only what was checked: with DNS failing, the sender is not called unauthenticated (that is unknown,
 * and the temporary failure says so); with no domain to check SPF for, the From domain is not said to lack a record.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createResolver, parseZoneFile, evaluate, FINDINGS } from '../../src/core/index.js';
import { runMailtrust } from '../support/cli.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

describe('reasons state only what was checked', () => {
  let server: TestDnsServer;
  before(async () => {
    const zone = parseZoneFile(await readFile(join(examples, 'example.zone'), 'utf8'));
    assert.ok(zone.ok);
    // The sender's own names fail for now (SERVFAIL); the reverse zone still answers.
    server = await startTestDnsServer({
      records: zone.value,
      rules: [{ name: /(^|\.)example\.com$/, action: 'servfail' }],
    });
  });
  after(() => server.close());

  test('DNS trouble: dns.temperror, and no sender.unauthenticated beside it', async () => {
    const run = await runMailtrust(['check', join(examples, 'message.eml'), '--dns', server.address, '--json']);
    const evaluation = JSON.parse(run.stdout);
    const ids = evaluation.reasons.map((r: { id: string }) => r.id);
    assert.ok(ids.includes('dns.temperror'), ids.join(', '));
    assert.ok(!ids.includes('sender.unauthenticated'), ids.join(', '));
    assert.equal(evaluation.retryable, true);
  });

  test('no MAIL FROM and no HELO: SPF was not checked, and the From domain is not blamed', async () => {
    const zone = parseZoneFile(await readFile(join(examples, 'example.zone'), 'utf8'));
    assert.ok(zone.ok);
    const raw = (await readFile(join(examples, 'message.eml'), 'utf8')).replace(/^Return-Path:.*\r?\n/m, '');
    const evaluation = await evaluate(
      new TextEncoder().encode(raw),
      { ip: '192.0.2.10' },
      { resolver: createResolver({ zone: zone.value }) },
    );
    const none = evaluation.reasons.find((r) => r.id === 'spf.none');
    if (none !== undefined) {
      assert.doesNotMatch(none.message, /example\.com publishes no SPF record/);
      assert.match(none.message, /SPF was not checked/);
    }
    for (const reason of evaluation.reasons) assert.doesNotMatch(reason.message, /example\.com publishes no SPF/);
  });
});

test('the helo.nxdomain fix never suggests the missing name itself', () => {
  const facts = { ip: '192.0.2.7', helo: 'mail.example.com', fromDomain: 'example.com', senderDomain: 'example.com' };
  const same = FINDINGS['helo.nxdomain'].remedy(facts, {});
  assert.doesNotMatch(same, /e\.g\. EHLO mail\.example\.com/);
  assert.match(same, /Publish an A record for mail\.example\.com pointing at 192\.0\.2\.7/);
  const other = FINDINGS['helo.nxdomain'].remedy({ ...facts, helo: 'box.example.com' }, {});
  assert.match(other, /e\.g\. EHLO mail\.example\.com/);
});

test('spf.none with no domain checked says so', () => {
  const facts = { ip: '192.0.2.7', helo: '', fromDomain: 'example.com', senderDomain: 'example.com' };
  assert.equal(
    FINDINGS['spf.none'].message(facts, {}),
    'SPF was not checked: neither a MAIL FROM address nor a HELO name was known.',
  );
  assert.equal(
    FINDINGS['spf.none'].message(facts, { domain: 'other.example' }),
    'The domain other.example publishes no SPF record.',
  );
});
