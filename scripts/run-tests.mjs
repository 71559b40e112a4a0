// Runs the compiled test suites (dist/test/**/*.test.js) with node's test runner, under c8 for coverage, and ends
// with one plain summary line: `tests: N passed, N failed, N skipped`.
// Usage: node scripts/run-tests.mjs [--coverage] [--engine-only] [filter-substring…]
// --engine-only runs the engine's and the CLI's suites alone, leaving out the services' (store, SMTP, milter,
// relay, HTTP, server, dashboard, scale-out: they load a native module built for one Node.js and include the slow
// end-to-end suites with real Postfix, Chromium and PostgreSQL); CI uses it for a second run on another Node.js.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const coverage = args.includes('--coverage');
const engineOnly = args.includes('--engine-only');
const SERVICE_SUITES = /[/\\](store|smtp|milter|relay|http|server|dashboard|scale)[/\\]/;
const filters = args.filter((a) => !a.startsWith('--'));

function collect(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (entry.endsWith('.test.js')) out.push(path);
  }
  return out;
}

let files = [];
try {
  files = collect('dist/test');
} catch {
  files = [];
}
files = files
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .filter((f) => !(engineOnly && SERVICE_SUITES.test(f.slice('dist/test'.length))))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/test (run npm run build first)');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'mailtrust-tests-'));
const tap = join(scratch, 'results.tap');
const testArgs = [
  '--test',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...files,
];
let command = process.execPath;
let commandArgs = testArgs;
if (coverage) {
  const c8 = createRequire(import.meta.url).resolve('c8/bin/c8.js');
  command = process.execPath;
  commandArgs = [
    c8,
    '--reporter=text-summary',
    '--include=dist/src/**',
    `--temp-directory=${join(scratch, 'coverage')}`,
    '--report-dir=coverage',
    process.execPath,
    ...testArgs,
  ];
}
const result = spawnSync(command, commandArgs, { stdio: 'inherit' });

let summary = '';
try {
  const text = readFileSync(tap, 'utf8');
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  summary = `tests: ${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`;
} catch {
  summary = '';
}
rmSync(scratch, { recursive: true, force: true });
if (summary) console.log(summary);
process.exit(result.status ?? 1);
