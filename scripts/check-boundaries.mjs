// Enforces the import boundaries of the architecture (docs/architecture.md):
//   1. src/core/** never imports src/cli, src/inbound or src/relay;
//   2. only src/core/dns/** imports the network modules node:dns, node:dgram, node:net (and node:tls, node:http…);
//   3. src/core/spf and src/core/dkim never import each other;
//   4. src/core/dmarc reads spf/dkim result types only (`import type`).
// Exits 1 with one line per violation. Usage: node scripts/check-boundaries.mjs [ROOT]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const src = join(root, 'src');
const NETWORK = new Set(['dns', 'dgram', 'net', 'tls', 'http', 'https', 'http2', 'dns/promises']);

function files(dir) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

// import … from '…' | export … from '…' | import('…') | require('…'); `typeOnly` for `import type`.
const IMPORT =
  /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(text) {
  const found = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const match of code.matchAll(IMPORT)) {
    const specifier = match[3] ?? match[4] ?? match[5];
    found.push({ specifier, typeOnly: Boolean(match[2]) });
  }
  return found;
}

const area = (path) => relative(src, path).split(sep);
const violations = [];
for (const file of files(src)) {
  const [top, sub] = area(file);
  const text = readFileSync(file, 'utf8');
  for (const { specifier, typeOnly } of importsOf(text)) {
    const where = relative(root, file);
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      const [targetTop, targetSub] = area(target);
      if (top === 'core' && targetTop !== 'core') {
        violations.push(`${where}: core imports ${specifier} (core never imports the apps)`);
      }
      if (top === 'core' && ((sub === 'spf' && targetSub === 'dkim') || (sub === 'dkim' && targetSub === 'spf'))) {
        violations.push(`${where}: ${sub} imports ${specifier} (spf and dkim never import each other)`);
      }
      if (top === 'core' && sub === 'dmarc' && (targetSub === 'spf' || targetSub === 'dkim') && !typeOnly) {
        violations.push(`${where}: dmarc imports ${specifier} for values (dmarc reads result types only: import type)`);
      }
    } else {
      const name = specifier.replace(/^node:/, '');
      if (top === 'core' && sub !== 'dns' && NETWORK.has(name)) {
        violations.push(`${where}: imports ${specifier} (only src/core/dns touches the network)`);
      }
    }
  }
}
if (violations.length > 0) {
  for (const v of violations) console.error(`boundary: ${v}`);
  process.exit(1);
}
console.log(`boundaries: ok (${files(src).length} files)`);
