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

test('outside core, an import of a core internal is refused in every folder', async () => {
  const internal = (depth: number) => `import { checkSpf } from '${'../'.repeat(depth)}src/core/spf/check-host.js';\n`;
  const cases: Record<string, string> = {
    'src/cli/a.ts': "import { checkSpf } from '../core/spf/index.js';\n",
    'src/server/a.ts': "import type { Evaluation } from '../core/evaluation/types.js';\n",
    'src/smtp/session.ts': "import { x } from '../core/dns/network.js';\n",
    'src/http/api.ts': "const m = await import('../core/dkim/verify.js');\n",
    'bench/a.ts': internal(1),
    'test/cli/a.test.ts': internal(2),
    'test/smtp/a.test.ts': internal(2),
    'test/library/a.test.ts': internal(2),
  };
  for (const [path, text] of Object.entries(cases)) {
    const run = check(await tree({ [path]: text, 'src/core/spf/index.ts': '' }));
    assert.equal(run.status, 1, `${path} should be refused`);
    assert.match(run.stderr, /import the core only from src\/core\/index\.js/, path);
  }
});

test('outside core, the entry is allowed; the core area suites may read internals', async () => {
  const run = check(
    await tree({
      'src/core/index.ts': '',
      'src/core/spf/check-host.ts': '',
      'src/cli/a.ts': "import { checkSpf } from '../core/index.js';\n",
      'src/smtp/a.ts': "import type { Evaluation } from '../core/index.js';\n",
      'bench/a.ts': "import { evaluate } from '../src/core/index.js';\n",
      'test/cli/a.test.ts': "import { evaluate } from '../../src/core/index.js';\n",
      'test/spf/a.test.ts': "import { checkSpf } from '../../src/core/spf/check-host.js';\n",
      'test/support/a.ts': "import type { ZoneRecord } from '../../src/core/spf/check-host.js';\n",
    }),
  );
  assert.equal(run.status, 0, run.stderr);
});

test('smtp, milter and relay do not import each other or http', async () => {
  for (const [path, text] of [
    ['src/smtp/a.ts', "import { x } from '../milter/codec.js';\n"],
    ['src/milter/a.ts', "import { x } from '../relay/queue.js';\n"],
    ['src/relay/a.ts', "import { x } from '../http/app.js';\n"],
  ] as const) {
    const run = check(await tree({ [path]: text }));
    assert.equal(run.status, 1, path);
    assert.match(run.stderr, /never import each other or http/);
  }
  const ok = check(await tree({ 'src/http/a.ts': "import { x } from '../relay/queue.js';\n" }));
  assert.equal(ok.status, 0, ok.stderr);
});

test('the faces read only the config types of src/server', async () => {
  const value = check(await tree({ 'src/relay/a.ts': "import { validateConfig } from '../server/config.js';\n" }));
  assert.equal(value.status, 1);
  assert.match(value.stderr, /read only the config's types/);
  const wiring = check(await tree({ 'src/smtp/a.ts': "import type { Face } from '../server/face.js';\n" }));
  assert.equal(wiring.status, 1);
  const types = check(await tree({ 'src/milter/a.ts': "import type { MilterConfig } from '../server/config.js';\n" }));
  assert.equal(types.status, 0, types.stderr);
});

test('the services never import the CLI, and the store none of the other services', async () => {
  for (const path of ['src/http/a.ts', 'src/server/a.ts', 'src/store/a.ts']) {
    const run = check(await tree({ [path]: "import { x } from '../cli/commands/audit.js';\n" }));
    assert.equal(run.status, 1, path);
    assert.match(run.stderr, /never import the CLI/);
  }
  const store = check(await tree({ 'src/store/a.ts': "import { x } from '../http/app.js';\n" }));
  assert.equal(store.status, 1);
  assert.match(store.stderr, /the store imports none of the other services/);
  const cli = check(await tree({ 'src/cli/a.ts': "import { x } from '../server/service.js';\n" }));
  assert.equal(cli.status, 0, cli.stderr);
});
