/**
 * Cross-check of mailtrust's Authentication-Results formatter and parser against the Python `authres` module
 * (Debian python3-authres 1.2.0, RFC 8601): every field mailtrust writes must read the same in both parsers, and
 * hand-written real-world fields must parse the same.
 *
 *   npx tsc -p . && node dist/test/crosscheck/authres-python.js [--random N] [--verbose]
 *
 * Needs /usr/bin/python3 with python3-authres (apt-get install -y python3-authres). Not part of `npm test`.
 * Prints agreement counts and every disagreement; exits 1 on any disagreement.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  formatAuthenticationResults,
  parseAuthenticationResults,
  type AuthenticationResults,
} from '../../src/core/authres/index.js';
import { formatValue } from '../../src/core/authres/syntax.js';
import { generator } from '../authres/generate.js';

const args = process.argv.slice(2);
const randomIndex = args.indexOf('--random');
const randomCount = randomIndex >= 0 ? Number(args[randomIndex + 1]) : 500;
const verbose = args.includes('--verbose');

/** Fields seen in the wild and in RFC 8601 Appendix B (values ASCII, as python authres expects). */
const handWritten = [
  'Authentication-Results: example.org 1; none',
  'Authentication-Results: example.com; spf=pass smtp.mailfrom=example.net',
  'Authentication-Results: example.com; auth=pass (cram-md5) smtp.auth=sender@example.net; spf=pass smtp.mailfrom=example.net',
  'Authentication-Results: example.com; iprev=pass policy.iprev=192.0.2.200',
  'Authentication-Results: example.com;\r\n    dkim=pass reason="good signature"\r\n      header.i=@mail-router.example.net;\r\n    dkim=fail reason="bad signature"\r\n      header.i=@newyork.example.com',
  'Authentication-Results: mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 header.b=AbcdEfgh;\r\n       spf=pass (google.com: domain of user@example.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=user@example.com;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com',
  'Authentication-Results: mx.example.org; dkim/1=pass header.d=example.com',
  'Authentication-Results: mx.example.org; spf=softfail smtp.helo=mail.example.com',
  'Authentication-Results: mx.example.org; arc=pass header.oldest-pass=0 smtp.remote-ip=192.0.2.1',
];

/** Drops empty optional fields so both parsers' outputs compare structurally. */
function normalize(parsed: AuthenticationResults): AuthenticationResults {
  return JSON.parse(JSON.stringify(parsed)) as AuthenticationResults;
}

/**
 * Known python authres 1.2.0 deviations from RFC 8601 / RFC 5322 §3.2.4, kept out of the random cases (mailtrust
 * reads all of them as the RFC says; test/authres/authres.test.ts covers them):
 * - a quoted property value followed by another property is silently dropped (`header.a="x" header.b=y`);
 * - a quoted value holding whitespace is dropped;
 * - quoted-pairs are not unescaped (`"a\\"b"` stays `a\\"b`), and an escaped quote loses its place;
 * - an empty quoted string `""` is read as the text that follows it;
 * - a token value starting with `.` (`policy.x=.`, valid RFC 2045 token) is a syntax error.
 * So property values here are the ones written without quotes, and reasons carry no `"`, `\` or emptiness.
 */
const reasonPythonCannotRead = (value: string): boolean => value.length === 0 || /["\\]/.test(value);
const valuePythonCannotRead = (value: string): boolean => formatValue(value, true) !== value || value.startsWith('.');
const ascii = (value: string): string => value.replace(/[^\x20-\x7e]/g, 'x');

const texts: string[] = [...handWritten];
for (let seed = 1; seed <= randomCount; seed++) {
  const g = generator(seed * 104729);
  // python authres reads ASCII values and only the registered ptypes (RFC 8601 §2.3); keep the cases within that.
  const entries = Array.from({ length: 1 + g.int(5) }, () => g.entry()).map((entry) => {
    const { reason, ...rest } = entry;
    const kept = reason === undefined || reasonPythonCannotRead(ascii(reason)) ? {} : { reason: ascii(reason) };
    return {
      ...rest,
      ...kept,
      properties: entry.properties
        .map((p) => ({
          ptype: g.pick(['smtp', 'header', 'body', 'policy']),
          property: p.property,
          value: ascii(p.value),
        }))
        .filter((p) => !valuePythonCannotRead(p.value)),
    };
  });
  texts.push(formatAuthenticationResults('mx.example.org', entries, { fold: g.random() < 0.5 }));
}

const script = fileURLToPath(new URL('../../../test/crosscheck/authres_python.py', import.meta.url));
const run = spawnSync('/usr/bin/python3', [script], {
  input: JSON.stringify(texts),
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
if (run.status !== 0) {
  process.stderr.write(`authres_python.py failed (is python3-authres installed?):\n${run.stderr}\n`);
  process.exit(2);
}
const theirs = JSON.parse(run.stdout) as Array<AuthenticationResults | { error: string }>;

let agree = 0;
const disagreements: string[] = [];
texts.forEach((text, index) => {
  const ours = parseAuthenticationResults(text);
  const other = theirs[index];
  try {
    assert.ok(ours.ok, `mailtrust: ${ours.ok ? '' : ours.error.message}`);
    assert.ok(other && !('error' in other), `python: ${other && 'error' in other ? other.error : 'no output'}`);
    assert.deepEqual(normalize(ours.value), normalize(other));
    agree++;
    if (verbose) process.stdout.write(`ok ${index}\n`);
  } catch (error) {
    disagreements.push(`#${index} ${JSON.stringify(text)}\n  ${(error as Error).message.split('\n').join('\n  ')}`);
  }
});

process.stdout.write(
  `authres cross-check: ${agree} of ${texts.length} agree (${handWritten.length} hand-written, ${randomCount} random)\n`,
);
for (const line of disagreements) process.stdout.write(`${line}\n`);
process.exit(disagreements.length === 0 ? 0 : 1);
