/**
 * `mailtrust check` on real messages nobody here wrote (test/fixtures/real/SOURCES.md): it never fails inside
 * (exit 70), and whenever it reads the envelope from the message it reads the newest Received field, never one
 * further down. Offline, against the example zone, in this process (no child per message).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run.js';
import { fieldValue, getFields, parseMessage, unfold } from '../../src/core/index.js';

const real = fileURLToPath(new URL('../../../test/fixtures/real/', import.meta.url));
const zone = fileURLToPath(new URL('../../../examples/example.zone', import.meta.url));
const messages = readdirSync(real, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(real, d.name)).map((f) => join(d.name, f)))
  .filter((f) => !/LICENSE|COPYRIGHT/.test(f))
  .sort();

async function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['check', ...args, '--zone', zone, '--json'], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: async () => new Uint8Array(),
    interactive: false,
  });
  return { code, stdout, stderr };
}

/** The newest Received field's position: 1, or 2 under a qmail queue stamp that the same server wrote on top. */
function newestIndex(path: string): number {
  const parsed = parseMessage(readFileSync(path));
  assert.ok(parsed.ok);
  const first = getFields(parsed.value, 'received')[0];
  return first && /^\s*\(qmail \d+ invoked from network\)/.test(unfold(fieldValue(first))) ? 2 : 1;
}

test('the real-world set holds 40 to 60 messages', () => {
  assert.ok(messages.length >= 40 && messages.length <= 60, `${messages.length}`);
});

test('check never fails inside, and reads only the newest Received field', async () => {
  const codes = new Map<number, number>();
  for (const name of messages) {
    const path = join(real, name);
    const run = await check([path]);
    codes.set(run.code, (codes.get(run.code) ?? 0) + 1);
    assert.ok([0, 1, 2, 64, 65].includes(run.code), `${name}: exit ${run.code}: ${run.stderr}`);
    if (run.code === 65) {
      assert.match(run.stderr, /not an email message/, name);
      continue;
    }
    if (run.code === 64) {
      // Stopped: it says which field it could not use (the newest) or that there is none, and what to pass.
      assert.match(run.stderr, /Received field 1 |no Received field/, `${name}: ${run.stderr}`);
      assert.match(run.stderr, /--ip IP|--helo NAME/, name);
      continue;
    }
    const evaluation = JSON.parse(run.stdout);
    if (evaluation.envelopeSource.ip === 'received')
      assert.equal(evaluation.receivedField.index, newestIndex(path), `${name}: read a field below the newest`);
  }
  // Every exit code seen, for the log: a change in the mix is worth a look even when every assertion holds.
  console.log(`real-world exit codes: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
});

test('with the envelope given, every parsable message gets a verdict', async () => {
  for (const name of messages) {
    const run = await check([join(real, name), '--ip', '192.0.2.10', '--helo', 'mail.example.com']);
    assert.ok([0, 1, 2, 65].includes(run.code), `${name}: exit ${run.code}: ${run.stderr}`);
    if (run.code !== 65) assert.ok(['trusted', 'low', 'untrusted'].includes(JSON.parse(run.stdout).verdict), name);
  }
});
