/**
 * Prints the top self-time functions of a V8 CPU profile (`node --cpu-prof`), for the performance notes.
 * Usage: node dist/bench/profile-top.js FILE.cpuprofile [N] [--by-file]  (--by-file: self time per source file)
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const byFile = args.includes('--by-file');
const [file, countText] = args.filter((a) => !a.startsWith('--'));
if (!file) {
  process.stderr.write('usage: profile-top FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id);
  if (!node) return;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = byFile
    ? where.replace(/:\d+$/, '') || functionName || '(native)'
    : `${functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + delta);
  total += delta;
});
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(countText ?? 25));
process.stdout.write(`total sampled ${(total / 1000).toFixed(0)} ms\n`);
for (const [key, micros] of rows) {
  process.stdout.write(
    `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}\n`,
  );
}
