// Runs the compiled test suites (dist/test/**/*.test.js) with node's test runner and coverage.
// Usage: node scripts/run-tests.mjs [--no-coverage] [--node PATH] [filter-substring…]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
let nodeBinary = process.execPath;
let coverage = true;
const filters = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--no-coverage') coverage = false;
  else if (arg === '--node') nodeBinary = args[++i];
  else filters.push(arg);
}

function collect(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (entry.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = collect('dist/test')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/test (run npm run build first)');
  process.exit(1);
}
const flags = ['--test', '--test-reporter=spec'];
if (coverage) flags.push('--experimental-test-coverage');
const result = spawnSync(nodeBinary, [...flags, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
