/** Reading the message: a mailbox of several messages is refused, not judged on its first; a terminal gets a hint. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const zone = join(examples, 'example.zone');

async function run(args: string[], stdin = '', stdinIsTerminal = false) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: async () => new TextEncoder().encode(stdin),
    interactive: false,
    stdinIsTerminal,
  });
  return { code, stdout, stderr };
}

describe('reading the message', () => {
  let dir: string;
  let message: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailtrust-input-'));
    message = await readFile(join(examples, 'message.eml'), 'utf8');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a mailbox of two messages is refused with exit 65, for check and dkim verify', async () => {
    const mbox = join(dir, 'two.mbox');
    const from = 'From alice@example.com Thu Nov 26 06:00:01 2026\n';
    await writeFile(mbox, `${from}${message}\n${from}${message}`);
    for (const args of [
      ['check', mbox],
      ['dkim', 'verify', mbox],
    ]) {
      const r = await run([...args, '--zone', zone]);
      assert.equal(r.code, 65, r.stdout);
      assert.match(r.stderr, /a mailbox with 2 messages; give one message at a time/);
    }
  });

  test('a mailbox of one message is judged', async () => {
    const mbox = join(dir, 'one.mbox');
    await writeFile(mbox, `From alice@example.com Thu Nov 26 06:00:01 2026\n${message}`);
    const r = await run(['check', mbox, '--zone', zone]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('reading a terminal says so first; a pipe gets no hint', async () => {
    const tty = await run(['check', '--zone', zone], message, true);
    assert.equal(tty.code, 0, tty.stderr);
    assert.match(tty.stderr, /^mailtrust: reading the message from standard input: paste it, then press Ctrl-D/);
    const pipe = await run(['check', '--zone', zone], message, false);
    assert.doesNotMatch(pipe.stderr, /standard input/);
  });
});
