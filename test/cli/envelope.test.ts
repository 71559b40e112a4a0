/**
 * `mailtrust check` reading the envelope from the message: only the newest Received field (or the one named with
 * --received-by), every missing part filled from the message and labelled, and exit 64 with what to pass when the
 * field cannot be read. Against the bundled example domain on the loopback DNS server.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseZoneFile } from '../../src/core/index.js';
import { runMailtrust } from '../support/cli.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

describe('check: the envelope from the message', () => {
  let server: TestDnsServer;
  /** `mailtrust check PATH --dns <the loopback server> FLAGS…` in a child process. */
  const checkWith = (path: string, ...flags: string[]) =>
    runMailtrust(['check', path, '--dns', server.address, ...flags]);
  let dir: string;
  let message: string;
  /** The example message with fields put on top of its header, as a later server would add them. */
  const withOnTop = async (name: string, ...fields: string[]) => {
    const path = join(dir, name);
    await writeFile(path, [...fields, ''].join('\r\n') + message);
    return path;
  };
  before(async () => {
    const zone = parseZoneFile(await readFile(join(examples, 'example.zone'), 'utf8'));
    assert.ok(zone.ok, 'the example zone parses');
    server = await startTestDnsServer({ records: zone.value });
    dir = await mkdtemp(join(tmpdir(), 'mailtrust-envelope-'));
    message = await readFile(join(examples, 'message.eml'), 'utf8');
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a spoof whose newest Received is qmail-style is judged on its real client, never the forged field below', async () => {
    // The example message carries a genuine older Received naming 192.0.2.10, the domain's own server; the newest
    // field (the receiving server's) says the message came from 203.0.113.66.
    const path = await withOnTop(
      'spoof.eml',
      'Received: from unknown (HELO x) (203.0.113.66)',
      '\tby mx.example.net with SMTP; 26 Nov 2026 06:00:05 -0000',
    );
    const run = await checkWith(path, '--json');
    assert.notEqual(run.code, 0, run.stdout);
    const evaluation = JSON.parse(run.stdout);
    assert.notEqual(evaluation.verdict, 'trusted');
    assert.equal(evaluation.envelope.ip, '203.0.113.66');
    assert.equal(evaluation.envelope.helo, 'x');
    assert.equal(evaluation.spf.result, 'fail');
    assert.deepEqual(evaluation.envelopeSource, { ip: 'received', helo: 'received', mailFrom: 'return-path' });
    assert.equal(evaluation.receivedField.index, 1);
    assert.match(evaluation.receivedField.text, /^from unknown \(HELO x\) \(203\.0\.113\.66\) by mx\.example\.net/);
  });

  for (const [name, field, says] of [
    [
      'Exchange-like with no address',
      'Received: from EX01 (EX01) by mx.example.net; 26 Nov 2026 06:00:05 -0000',
      /no client address/,
    ],
    [
      'internal hop',
      'Received: from localhost (localhost [127.0.0.1]) by box.example.net with LMTP; 26 Nov 2026 06:00:05 -0000',
      /internal address 127\.0\.0\.1/,
    ],
    [
      'local submission',
      'Received: by mx.example.net (Postfix, from userid 1000) id 1; 26 Nov 2026 06:00:05 -0000',
      /names no client/,
    ],
  ] as const) {
    test(`an unreadable newest Received stops with exit 64 and what to pass: ${name}`, async () => {
      const path = await withOnTop(`stop-${name.replace(/\W+/g, '-')}.eml`, field);
      const run = await checkWith(path);
      assert.equal(run.code, 64, run.stdout + run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, says);
      assert.match(run.stderr, /Received field 1 \("/);
      assert.match(run.stderr, /--ip IP and --helo NAME/);
      assert.match(run.stderr, /--received-by HOST/);
      assert.match(run.stderr, /fields added by: [^)]*mx\.example\.net/);
      assert.equal(run.stderr.split('\n').length, 2, 'one line');
    });
  }

  test('--received-by reads the field the border server added, below internal hops', async () => {
    const path = await withOnTop(
      'internal.eml',
      'Received: from localhost (localhost [127.0.0.1]) by box.example.net with LMTP; 26 Nov 2026 06:00:05 -0000',
    );
    const run = await checkWith(path, '--received-by', 'MX.example.net.');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^TRUSTED for mail from example\.com sent by 192\.0\.2\.10\n/);
    assert.match(run.stdout, /\n {2}IP +192\.0\.2\.10 +from Received field 2 /);
    assert.match(
      run.stdout,
      /\n {2}Received field 2: from mail\.example\.com \(mail\.example\.com \[192\.0\.2\.10\]\)/,
    );
    const missing = await checkWith(path, '--received-by', 'nowhere.example');
    assert.equal(missing.code, 64);
    assert.match(
      missing.stderr,
      /no Received field was added by "nowhere\.example" \(fields added by: box\.example\.net, mx\.example\.net\)/,
    );
  });

  test('--ip alone: the HELO still comes from the message, and the output says where each part came from', async () => {
    const run = await checkWith(join(examples, 'message.eml'), '--ip', '192.0.2.10');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /sent no HELO/);
    assert.match(run.stdout, /\n {2}IP +192\.0\.2\.10 +given on the command line\n/);
    assert.match(run.stdout, /\n {2}HELO +mail\.example\.com +from Received field 1 /);
    assert.match(run.stdout, /\n {2}MAIL FROM +<alice@example\.com> +from Return-Path\n/);
    const json = await checkWith(join(examples, 'message.eml'), '--ip', '192.0.2.10', '--json');
    const evaluation = JSON.parse(json.stdout);
    assert.deepEqual(evaluation.envelopeSource, { ip: 'option', helo: 'received', mailFrom: 'return-path' });
    assert.equal(evaluation.envelope.helo, 'mail.example.com');
  });

  test('--ip naming another client does not borrow that field’s HELO: exit 64 asks for --helo', async () => {
    const run = await checkWith(join(examples, 'message.eml'), '--ip', '203.0.113.66');
    assert.equal(run.code, 64, run.stdout);
    assert.match(run.stderr, /--ip 203\.0\.113\.66 is not the client .* \(192\.0\.2\.10\).*give --helo NAME too/);
    const given = await checkWith(join(examples, 'message.eml'), '--ip', '203.0.113.66', '--helo', 'x.example');
    assert.ok(given.code === 1 || given.code === 2, given.stderr);
    assert.match(given.stdout, /\n {2}HELO +x\.example +given on the command line\n/);
  });

  test('--ip alone on a message with no Received field: judged with no HELO, and the report says so', async () => {
    const path = join(dir, 'no-received.eml');
    await writeFile(path, message.replace(/^Received:.*\r?\n(?:[ \t].*\r?\n)*/m, ''));
    const run = await checkWith(path, '--ip', '192.0.2.10');
    assert.ok([0, 1, 2].includes(run.code ?? -1), run.stderr);
    assert.match(run.stdout, /\n {2}HELO +\(none\) +not given, not in the message\n/);
    const without = await checkWith(path);
    assert.equal(without.code, 64);
  });

  test('with --ip and --helo given, an unreadable Received does not matter', async () => {
    const path = await withOnTop('given.eml', 'Received: garbage');
    const run = await checkWith(path, '--ip', '192.0.2.10', '--helo', 'mail.example.com');
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });
});
