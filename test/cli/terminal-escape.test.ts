/**
 * Terminal controls from a message or from DNS never reach the terminal raw: a forged message that tries to
 * repaint its verdict line (ECMA-48 cursor-up, erase-line, then a green "TRUSTED") is shown with those bytes
 * spelled out, in `check`, `dkim verify` and `spf` text output and in error lines.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkText } from '../../src/cli/commands/check.js';
import { terminalSafeBlock } from '../../src/cli/terminal-text.js';
import { parseZoneFile, type ZoneRecord, evaluate } from '../../src/core/index.js';
import { runMailtrust } from '../support/cli.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const REPAINT = '\x1b[1A\x1b[2K\r\x1b[32mTRUSTED\x1b[0m\x07\x00';
/** Any C0 control except LF, DEL, or a C1 control. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('terminal controls from input are escaped', () => {
  let server: TestDnsServer;
  let dir: string;
  let forged: string;
  before(async () => {
    const zone = parseZoneFile(await readFile(join(examples, 'example.zone'), 'utf8'));
    assert.ok(zone.ok);
    const spfRecord: ZoneRecord = {
      name: 'evil.example',
      ttl: 60,
      type: 'TXT',
      strings: [new TextEncoder().encode(`v=spf1 include:${REPAINT.replace(/[\s]/g, '')}.example -all`)],
    };
    server = await startTestDnsServer({ records: [...zone.value, spfRecord] });
    dir = await mkdtemp(join(tmpdir(), 'mailtrust-escape-'));
    const message = await readFile(join(examples, 'forged.eml'), 'utf8');
    forged = join(dir, 'repaint.eml');
    // The HELO name in the newest Received field and the DKIM selector both carry the repaint sequence.
    await writeFile(
      forged,
      `Received: from ${REPAINT.replace('\r', '')} (unknown [203.0.113.66]) by mx.example.net; 26 Nov 2026 06:00:05 -0000\r\n` +
        message.replace(/\bs=([A-Za-z0-9]+);/, `s=$1${REPAINT.replaceAll('\r', '').replaceAll('\x00', '')};`),
    );
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('check: the verdict line cannot be repainted', async () => {
    const run = await runMailtrust(['check', forged, '--dns', server.address]);
    assert.equal(run.code, 2, run.stderr);
    assert.doesNotMatch(run.stdout, RAW_CONTROL);
    assert.match(run.stdout, /^UNTRUSTED /);
    assert.match(run.stdout, /\\u001b\[1A\\u001b\[2K\\u001b\[32mTRUSTED\\u001b\[0m\\u0007/);
  });

  test('check with colour: only the report’s own colour sequences are raw', async () => {
    const raw = await readFile(forged);
    const evaluation = await evaluate(raw, { ip: '203.0.113.66', helo: REPAINT }, { resolver: undefined as never });
    const text = checkText(evaluation, { ip: 'option', helo: 'option', mailFrom: 'none' }, true);
    // eslint-disable-next-line no-control-regex
    const stripped = text.replace(/\u001b\[(?:0|1|2|31|32|33)m/g, '');
    assert.doesNotMatch(stripped, RAW_CONTROL);
    assert.equal(terminalSafeBlock(text, true), text, 'the frame leaves a colour report as it is');
  });

  test('dkim verify: a selector with controls is shown escaped', async () => {
    const run = await runMailtrust(['dkim', 'verify', forged, '--dns', server.address]);
    assert.doesNotMatch(run.stdout + run.stderr, RAW_CONTROL);
    assert.match(run.stdout, /\\u001b\[1a/i);
  });

  test('spf: a record with controls is shown escaped in the step trace', async () => {
    const run = await runMailtrust([
      'spf',
      '--ip',
      '203.0.113.66',
      '--mail-from',
      'a@evil.example',
      '--dns',
      server.address,
    ]);
    assert.doesNotMatch(run.stdout + run.stderr, RAW_CONTROL);
    assert.match(run.stdout + run.stderr, /\\u001b\[1A/);
  });

  test('error lines escape the control bytes they quote', async () => {
    const run = await runMailtrust([
      'check',
      join(examples, 'message.eml'),
      '--zone',
      join(examples, 'example.zone'),
      '--received-by',
      REPAINT.replace('\x00', ''),
    ]);
    assert.equal(run.code, 64);
    assert.doesNotMatch(run.stderr.slice(0, -1), RAW_CONTROL);
    assert.match(run.stderr, /\\u001b\[1A/);
  });
});
