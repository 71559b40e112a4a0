/** The import-boundary check fails on each kind of violation and passes on the real tree. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const script = join(repo, 'scripts', 'check-boundaries.mjs');

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'mailtrust-bounds-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const check = (root: string) => spawnSync(process.execPath, [script, root], { encoding: 'utf8' });

test('the real source tree keeps its boundaries', () => {
  const run = check(repo);
  assert.equal(run.status, 0, run.stderr);
});

test('core importing the cli is refused', async () => {
  const run = check(
    await tree({ 'src/core/spf/a.ts': "import { x } from '../../cli/run.js';\n", 'src/cli/run.ts': '' }),
  );
  assert.equal(run.status, 1);
  assert.match(run.stderr, /core never imports the apps/);
});

test('network modules outside core/dns are refused', async () => {
  const run = check(await tree({ 'src/core/dkim/a.ts': "import { createSocket } from 'node:dgram';\n" }));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /only src\/core\/dns touches the network/);
  const ok = check(await tree({ 'src/core/dns/a.ts': "import { createSocket } from 'node:dgram';\n" }));
  assert.equal(ok.status, 0);
});

test('spf and dkim importing each other is refused', async () => {
  const run = check(await tree({ 'src/core/spf/a.ts': "import type { X } from '../dkim/types.js';\n" }));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /spf and dkim never import each other/);
});

test('dmarc may import spf/dkim types but not values', async () => {
  const types = check(await tree({ 'src/core/dmarc/a.ts': "import type { SpfResult } from '../spf/types.js';\n" }));
  assert.equal(types.status, 0, types.stderr);
  const values = check(await tree({ 'src/core/dmarc/a.ts': "import { checkSpf } from '../spf/index.js';\n" }));
  assert.equal(values.status, 1);
});
