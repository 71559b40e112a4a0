/**
 * The command-line flags a new user trips over: a repeated single-valued flag is refused (never silently the last
 * one), repeated --zone files merge, --zone alone says the answers are offline, and --policy exists only where a
 * policy is used.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMailtrust } from '../support/cli.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const message = join(examples, 'message.eml');
const zone = join(examples, 'example.zone');

describe('command-line flags', () => {
  let dir: string;
  let sender: string;
  let rest: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailtrust-flags-'));
    // The example zone cut in two files at the receiver's part: each alone lacks what the other holds.
    const text = await readFile(zone, 'utf8');
    const cut = text.indexOf('; The help desk');
    assert.ok(cut > 0);
    sender = join(dir, 'sender.zone');
    rest = join(dir, 'rest.zone');
    await writeFile(sender, text.slice(0, cut));
    await writeFile(rest, text.slice(cut));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const flag of ['--ip', '--helo', '--dns', '--now', '--received-by']) {
    test(`${flag} twice is refused, not the last one silently taken`, async () => {
      const value =
        flag === '--ip' ? '192.0.2.10' : flag === '--dns' ? '127.0.0.1:53' : flag === '--now' ? '0' : 'a.example';
      const run = await runMailtrust(['check', message, '--zone', zone, flag, value, flag, value]);
      assert.equal(run.code, 64, run.stdout);
      assert.match(run.stderr, new RegExp(`${flag} given more than once`));
    });
  }

  test('two --zone files merge: the verdict needs records from both', async () => {
    const both = await runMailtrust(['check', message, '--zone', sender, '--zone', rest, '--json']);
    assert.equal(both.code, 0, both.stderr);
    assert.equal(JSON.parse(both.stdout).verdict, 'trusted');
    const one = await runMailtrust(['check', message, '--zone', rest, '--json']);
    assert.notEqual(JSON.parse(one.stdout).verdict, 'trusted', 'the sender’s records are only in the first file');
  });

  test('--zone alone says the answers are offline, and what a missing name means', async () => {
    const run = await runMailtrust(['check', message, '--zone', zone]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /offline: the DNS answers came only from .*example\.zone; a name not in it counts as non-existent/,
    );
  });

  test('an exported zone loads: other types skipped with one warning, a missing $TTL defaulted with one', async () => {
    const text = (await readFile(zone, 'utf8')).replace(/^\$TTL .*$/m, '');
    const exported = join(dir, 'exported.zone');
    await writeFile(
      exported,
      text.replace(
        '$ORIGIN example.com.\n',
        '$ORIGIN example.com.\n@ 3600 IN CAA 0 issue "letsencrypt.org"\n_submission._tcp 3600 IN SRV 0 1 587 mail\n' +
          '_25._tcp.mail 3600 IN TLSA 3 1 1 ( 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6 )\n' +
          '@ 3600 IN CERT 1 0 0 MIIB\n',
      ),
    );
    const run = await runMailtrust(['check', message, '--zone', exported]);
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.stderr.split('\n').filter((l) => l !== '');
    assert.equal(
      warnings.filter((l) => /skipped 4 records of types CAA, SRV, TLSA, CERT/.test(l)).length,
      1,
      run.stderr,
    );
    assert.equal(
      warnings.filter((l) => /no \$TTL: records without a TTL of their own get 3600 s/.test(l)).length,
      1,
      run.stderr,
    );
  });

  test('--now with a value that starts with a dash, or before 1970, says what to write', async () => {
    const dash = await runMailtrust(['check', message, '--zone', zone, '--now', '-5']);
    assert.equal(dash.code, 64);
    assert.match(dash.stderr, /option --now needs a value; one that starts with - goes after =, as in --now=VALUE/);
    const early = await runMailtrust(['check', message, '--zone', zone, '--now=-5']);
    assert.equal(early.code, 64);
    assert.match(early.stderr, /--now: "-5" is before 1970/);
  });

  test(
    'dkim keygen --out: a file is not a directory, and an impossible path fails at once',
    { timeout: 30_000 },
    async () => {
      const keygenInto = (out: string) =>
        runMailtrust([
          'dkim',
          'keygen',
          '--domain',
          'example.com',
          '--selector',
          's1',
          '--type',
          'ed25519',
          '--out',
          out,
        ]);
      const file = join(dir, 'a-file');
      await writeFile(file, 'x');
      const onFile = await keygenInto(file);
      assert.equal(onFile.code, 64);
      assert.match(onFile.stderr, /is a file, not a directory/);
      assert.doesNotMatch(onFile.stderr, /already exists/);
      // Node's recursive mkdir spins forever on /proc/x; this must come back with an error.
      const proc = await keygenInto('/proc/x');
      assert.equal(proc.code, 66);
      assert.match(proc.stderr, /cannot create the directory \/proc\/x/);
      const nested = await keygenInto(join(dir, 'k', 'a', 'b'));
      assert.equal(nested.code, 0, nested.stderr);
    },
  );

  test('--zone given a directory: one line, a usage error', async () => {
    const run = await runMailtrust(['check', message, '--zone', dir]);
    assert.equal(run.code, 64);
    assert.equal(run.stderr, `mailtrust: --zone ${dir}: is a directory; give a zone file\n`);
  });

  test('a CNAME loop in a --zone file is refused when the zone loads, naming the names', async () => {
    const looped = join(dir, 'loop.zone');
    await writeFile(looped, '$TTL 60\na.example. CNAME b.example.\nb.example. CNAME a.example.\n');
    const run = await runMailtrust(['dns', 'c.example', 'A', '--zone', looped]);
    assert.equal(run.code, 65, run.stdout);
    assert.equal(run.stderr, `mailtrust: ${looped}: CNAME loop: a.example → b.example → a.example\n`);
  });

  test('a CNAME loop across two --zone files is found on the merged zone', async () => {
    const first = join(dir, 'first.zone');
    const second = join(dir, 'second.zone');
    await writeFile(first, '$TTL 60\na.example. CNAME b.example.\n');
    await writeFile(second, '$TTL 60\nb.example. CNAME a.example.\n');
    assert.equal((await runMailtrust(['dns', 'a.example', 'A', '--zone', first])).code, 1, 'one file alone ends');
    const run = await runMailtrust(['dns', 'a.example', 'A', '--zone', first, '--zone', second]);
    assert.equal(run.code, 65);
    assert.equal(run.stderr, `mailtrust: ${first}, ${second}: CNAME loop: a.example → b.example → a.example\n`);
  });

  test('--policy is an option of check only', async () => {
    const spf = await runMailtrust([
      'spf',
      '--ip',
      '192.0.2.10',
      '--mail-from',
      'a@example.com',
      '--zone',
      zone,
      '--policy',
      'x.json',
    ]);
    assert.equal(spf.code, 64);
    assert.match(spf.stderr, /unknown option --policy/);
    const help = await runMailtrust(['check', '--help']);
    assert.match(help.stdout, /--policy FILE/);
    const spfHelp = await runMailtrust(['spf', '--help']);
    assert.doesNotMatch(spfHelp.stdout, /--policy/);
  });
});
