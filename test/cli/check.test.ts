/** `mailtrust check` end to end: the bundled example domain served by the loopback DNS server. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkText } from '../../src/cli/commands/check.js';
import { parseZoneFile } from '../../src/core/index.js';
import { runMailtrust } from '../support/cli.js';
import { DESIGN_EVALUATION_FIELDS } from '../support/evaluation-fields.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

describe('mailtrust check', () => {
  let server: TestDnsServer;
  let dir: string;
  before(async () => {
    const zone = parseZoneFile(await readFile(join(examples, 'example.zone'), 'utf8'));
    assert.ok(zone.ok, 'the example zone parses');
    server = await startTestDnsServer({ records: zone.value });
    dir = await mkdtemp(join(tmpdir(), 'mailtrust-check-'));
  });
  after(() => server.close());

  test('the example message is trusted, with the envelope read from its Received and Return-Path', async () => {
    const run = await runMailtrust(['check', join(examples, 'message.eml'), '--dns', server.address]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^TRUSTED for mail from example\.com sent by 192\.0\.2\.10\n/);
    assert.match(run.stdout, /\n {2}dkim {5}pass {7}d=example\.com s=s2026 rsa-sha256, aligned\n/);
    assert.match(run.stdout, /Authentication-Results: mailtrust; iprev=pass .*spf=pass .*dkim=pass .*dmarc=pass/);
    assert.match(run.stdout, /\n {2}IP +192\.0\.2\.10 +from Received field 1 /);
  });

  test('the forged example is untrusted: spoofed, SPF fail, DKIM body changed, generic PTR, HELO localhost', async () => {
    const run = await runMailtrust(['check', join(examples, 'forged.eml'), '--dns', server.address, '--json']);
    assert.equal(run.code, 2, run.stderr);
    const evaluation = JSON.parse(run.stdout);
    assert.equal(evaluation.verdict, 'untrusted');
    const ids = evaluation.reasons.map((r: { id: string }) => r.id);
    for (const id of ['sender.spoofed', 'spf.fail', 'dkim.fail', 'ptr.generic', 'helo.localhost']) {
      assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    }
    assert.equal(evaluation.dkim[0].error.code, 'dkim.body-hash');
    assert.equal(evaluation.envelopeSource.ip, 'received');
    // docs/cli.md fields
    for (const key of DESIGN_EVALUATION_FIELDS) {
      assert.ok(key in evaluation, key);
    }
    for (const reason of evaluation.reasons) {
      assert.ok(typeof reason.message === 'string' && reason.message.length > 0);
      assert.ok(['untrusted', 'low', 'info'].includes(reason.level));
    }
  });

  test('flags override what the message says; --mail-from <> checks the HELO identity', async () => {
    const run = await runMailtrust([
      'check',
      join(examples, 'message.eml'),
      '--dns',
      server.address,
      '--ip',
      '192.0.2.10',
      '--helo',
      'mail.example.com',
      '--mail-from',
      '<>',
      '--json',
    ]);
    const evaluation = JSON.parse(run.stdout);
    assert.equal(evaluation.spf.identity, 'helo');
    assert.equal(evaluation.spf.domain, 'mail.example.com');
    assert.deepEqual(evaluation.envelopeSource, { ip: 'option', helo: 'option', mailFrom: 'option' });
  });

  /* eslint-disable no-control-regex -- the escape character is what these assertions look for */
  test('the report: verdict, then checks, then reasons; colour only when asked for (a terminal)', async () => {
    const run = await runMailtrust(['check', join(examples, 'forged.eml'), '--dns', server.address]);
    assert.doesNotMatch(run.stdout, /\x1b\[/, 'no escape codes when piped');
    const verdictAt = run.stdout.indexOf('UNTRUSTED');
    const checksAt = run.stdout.indexOf('\nChecks:');
    const reasonsAt = run.stdout.indexOf('\nReasons:');
    assert.ok(verdictAt === 0 && checksAt > verdictAt && reasonsAt > checksAt, run.stdout);
    const json = await runMailtrust(['check', join(examples, 'forged.eml'), '--dns', server.address, '--json']);
    const evaluation = JSON.parse(json.stdout);
    const coloured = checkText(evaluation, evaluation.envelopeSource, true);
    assert.match(coloured, /^\x1b\[1m\x1b\[31mUNTRUSTED/);
    assert.equal(coloured.replace(/\x1b\[\d+m/g, ''), checkText(evaluation, evaluation.envelopeSource, false));
  });
  /* eslint-enable no-control-regex */

  test('stdin works', async () => {
    const message = await readFile(join(examples, 'message.eml'));
    const run = await runMailtrust(['check', '-', '--dns', server.address], { stdin: message });
    assert.equal(run.code, 0, run.stderr);
  });

  test('a policy file: levels apply; an unknown key is a usage error naming it', async () => {
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ levels: { 'helo.localhost': 'untrusted', 'ptr.generic': 'info' } }));
    const run = await runMailtrust([
      'check',
      join(examples, 'forged.eml'),
      '--dns',
      server.address,
      '--policy',
      policy,
      '--json',
    ]);
    const reasons = JSON.parse(run.stdout).reasons as { id: string; level: string }[];
    assert.equal(reasons.find((r) => r.id === 'helo.localhost')?.level, 'untrusted');
    assert.equal(reasons.find((r) => r.id === 'ptr.generic')?.level, 'info');
    await writeFile(policy, JSON.stringify({ trustedForwarder: ['x.example'] }));
    const bad = await runMailtrust([
      'check',
      join(examples, 'forged.eml'),
      '--dns',
      server.address,
      '--policy',
      policy,
    ]);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /^mailtrust: --policy .*trustedForwarder/);
    const missing = await runMailtrust(['check', join(examples, 'forged.eml'), '--policy', join(dir, 'nope.json')]);
    assert.equal(missing.code, 66);
  });

  test('input errors: missing file 66, not a message 65, no Received field 64, bad IP 64', async () => {
    const missing = await runMailtrust(['check', join(dir, 'nope.eml'), '--dns', server.address]);
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /nope\.eml: no such file/);
    const garbage = join(dir, 'garbage.eml');
    await writeFile(garbage, 'this is not\na message header\n\nbody\n');
    const notMessage = await runMailtrust(['check', garbage, '--ip', '192.0.2.1', '--dns', server.address]);
    assert.equal(notMessage.code, 65, notMessage.stderr);
    const bare = join(dir, 'bare.eml');
    await writeFile(bare, 'From: a@example.com\nTo: b@example.net\nSubject: x\n\nhi\n');
    const noIp = await runMailtrust(['check', bare, '--dns', server.address]);
    assert.equal(noIp.code, 64);
    assert.match(noIp.stderr, /no Received field to read the client from: give --ip IP and --helo NAME/);
    const badIp = await runMailtrust(['check', bare, '--ip', '999.1.1.1', '--dns', server.address]);
    assert.equal(badIp.code, 64);
  });
});
