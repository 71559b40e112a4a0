// Enforces the import boundaries of the architecture (docs/architecture.md, "Rules the build enforces"):
//   1. src/core/** never imports anything outside src/core (the apps use the core, never the reverse);
//   2. only src/core/dns/** imports the network modules node:dns, node:dgram, node:net (and node:tls, node:http…);
//   3. src/core/spf and src/core/dkim never import each other;
//   4. src/core/dmarc reads spf/dkim result types only (`import type`);
//   5. code outside src/core imports the core only through its entry, src/core/index.ts: every other folder of src/
//      (cli, server, store, smtp, milter, relay, http, …), bench/, and the test folders of the apps. The core's own
//      suites (test/<core area>/ such as test/dkim, plus the shared test/support, test/crosscheck and
//      test/conformance) are white-box tests and may import core internals.
//   6. src/smtp, src/milter and src/relay never import each other or src/http; of src/server they read only the
//      config's types (`import type` from src/server/config.ts);
//   7. the services (store, smtp, milter, relay, http, server) never import src/cli, which runs them, and src/store
//      imports none of the other services.
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
const core = join(src, 'core');
const coreEntry = /^index\.(ts|js)$/;
/** Folders of the core (src/core/<name>/): test/<name>/ holds its white-box suites. */
const coreAreas = new Set(
  files(core)
    .map((file) => relative(core, file).split(sep))
    .filter((parts) => parts.length > 1)
    .map((parts) => parts[0]),
);
/** Test folders shared by the core's suites: support code, cross-checks against other implementations, data. */
const SHARED_TEST_FOLDERS = new Set(['support', 'crosscheck', 'conformance']);
/** Faces that stay apart from each other (and from the HTTP face). */
const SEPARATE = new Set(['smtp', 'milter', 'relay']);
/** The folders of `mailtrust serve`. */
const SERVICES = new Set(['store', 'smtp', 'milter', 'relay', 'http', 'server']);

/** True when `file` (outside src/core) may import core internals: a white-box suite of the core. */
function whiteBoxTest(file) {
  const [top, folder] = relative(root, file).split(sep);
  return top === 'test' && (coreAreas.has(folder) || SHARED_TEST_FOLDERS.has(folder));
}

const violations = [];
const scanned = [...files(src), ...files(join(root, 'test')), ...files(join(root, 'bench'))];
for (const file of scanned) {
  const inSrc = !relative(src, file).startsWith('..');
  const [top, sub] = inSrc ? area(file) : [undefined, undefined];
  const text = readFileSync(file, 'utf8');
  for (const { specifier, typeOnly } of importsOf(text)) {
    const where = relative(root, file);
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      const intoCore = !relative(core, target).startsWith('..');
      if (top !== 'core' && intoCore && !coreEntry.test(relative(core, target)) && !whiteBoxTest(file)) {
        violations.push(
          `${where}: imports ${specifier} (outside src/core, import the core only from src/core/index.js)`,
        );
      }
      if (!inSrc) continue;
      const [targetTop, targetSub] = area(target);
      if (SEPARATE.has(top) && top !== targetTop && (SEPARATE.has(targetTop) || targetTop === 'http')) {
        violations.push(`${where}: imports ${specifier} (smtp, milter and relay never import each other or http)`);
      }
      if (SEPARATE.has(top) && targetTop === 'server' && !(/^config\.[jt]s$/.test(targetSub ?? '') && typeOnly)) {
        violations.push(`${where}: imports ${specifier} (smtp, milter and relay read only the config's types)`);
      }
      if (SERVICES.has(top) && targetTop === 'cli') {
        violations.push(`${where}: imports ${specifier} (the services never import the CLI, which runs them)`);
      }
      if (top === 'store' && SERVICES.has(targetTop) && targetTop !== 'store') {
        violations.push(`${where}: imports ${specifier} (the store imports none of the other services)`);
      }
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
console.log(`boundaries: ok (${scanned.length} files)`);
