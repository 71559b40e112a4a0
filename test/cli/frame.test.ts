/** The command-line frame: help, version, flags, exit codes and one-line errors (docs/cli.md). */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runMailtrust } from '../support/cli.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

/** One clear line on stderr, no stack trace. */
function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one stderr line, got: ${stderr}`);
  assert.match(lines[0]!, /^mailtrust: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('mailtrust command line', () => {
  let server: TestDnsServer;
  let dir: string;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'example.com': { TXT: ['v=spf1 mx -all'], A: ['192.0.2.1'] },
        '1.2.0.192.in-addr.arpa': { PTR: ['mail.example.com'] },
      }),
      rules: [{ name: 'down.example.com', action: 'timeout' }],
    });
    dir = await mkdtemp(join(tmpdir(), 'mailtrust-cli-'));
  });
  after(() => server.close());

  test('--help lists the commands and common flags; no arguments is a usage error', async () => {
    const help = await runMailtrust(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: mailtrust COMMAND/);
    assert.match(help.stdout, /\n {2}dns {2}/);
    assert.match(help.stdout, /--zone FILE/);
    const bare = await runMailtrust([]);
    assert.equal(bare.code, 64);
  });

  test('--version prints the package version', async () => {
    const run = await runMailtrust(['--version']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^mailtrust \d+\.\d+\.\d+\n$/);
  });

  test('per-command help', async () => {
    const run = await runMailtrust(['dns', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Usage: mailtrust dns NAME \[TYPE\]/);
    assert.match(run.stdout, /Exit codes:/);
  });

  test('unknown command and unknown flag exit 64 with one line', async () => {
    const command = await runMailtrust(['frobnicate']);
    assert.equal(command.code, 64);
    assertOneLineError(command.stderr, /unknown command "frobnicate"/);
    const flag = await runMailtrust(['dns', 'example.com', '--frob']);
    assert.equal(flag.code, 64);
    assertOneLineError(flag.stderr, /unknown option --frob/);
    const missingValue = await runMailtrust(['dns', 'example.com', '--dns']);
    assert.equal(missingValue.code, 64);
    assertOneLineError(missingValue.stderr, /--dns.*needs a value/);
    const badNow = await runMailtrust(['dns', 'example.com', '--now', 'yesterday-ish', '--zone', '/dev/null']);
    assert.equal(badNow.code, 64);
    assertOneLineError(badNow.stderr, /--now: not a date/);
  });

  test('missing zone file exits 66; malformed zone file exits 65 naming the line', async () => {
    const missing = await runMailtrust(['dns', 'example.com', '--zone', join(dir, 'nope.zone')]);
    assert.equal(missing.code, 66);
    assertOneLineError(missing.stderr, /nope\.zone: no such file/);
    const bad = join(dir, 'bad.zone');
    await writeFile(bad, '$ORIGIN example.com.\n@ 300 IN A 192.0.2.1\nwww 300 IN A 999.1.1.1\n');
    const malformed = await runMailtrust(['dns', 'www.example.com', '--zone', bad]);
    assert.equal(malformed.code, 65);
    assertOneLineError(malformed.stderr, /bad\.zone:3: /);
  });

  test('dns: answers over real UDP from --dns, text and JSON', async () => {
    const text = await runMailtrust(['dns', 'example.com', 'TXT', '--dns', server.address]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^example\.com TXT: ok, ttl 300, [\d.]+ ms \(network\)\n {2}"v=spf1 mx -all"\n$/);
    const json = await runMailtrust(['dns', '192.0.2.1', '--json', '--dns', server.address]);
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(parsed['name'], '1.2.0.192.in-addr.arpa');
    assert.equal(parsed['type'], 'PTR');
    assert.equal(parsed['outcome'], 'ok');
    assert.deepEqual(parsed['records'], ['mail.example.com']);
    assert.equal(typeof parsed['ms'], 'number');
  });

  test('dns: nxdomain exits 1; unreachable DNS exits 75 with one line', async () => {
    const nx = await runMailtrust(['dns', 'nope.example.com', '--dns', server.address]);
    assert.equal(nx.code, 1);
    assert.match(nx.stdout, /nope\.example\.com A: nxdomain/);
    const down = await runMailtrust(['dns', 'down.example.com', '--dns', server.address]);
    assert.equal(down.code, 75);
    assertOneLineError(down.stderr, /DNS unreachable: timeout for down\.example\.com A/);
  });

  test('dns: --zone alone answers offline; with --dns it overlays', async () => {
    const zone = join(dir, 'try.zone');
    await writeFile(zone, '$ORIGIN example.com.\n$TTL 600\n@ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n');
    const offline = await runMailtrust(['dns', 'example.com', 'TXT', '--zone', zone, '--json']);
    assert.equal(offline.code, 0);
    assert.deepEqual(JSON.parse(offline.stdout).records, ['v=spf1 ip4:192.0.2.0/24 -all']);
    assert.equal(JSON.parse(offline.stdout).source, 'zone');
    const offlineA = await runMailtrust(['dns', 'example.com', 'A', '--zone', zone, '--json']);
    assert.equal(JSON.parse(offlineA.stdout).outcome, 'nodata');
    const overlay = await runMailtrust(['dns', 'example.com', 'A', '--zone', zone, '--dns', server.address, '--json']);
    assert.deepEqual(JSON.parse(overlay.stdout).records, ['192.0.2.1']);
    assert.equal(JSON.parse(overlay.stdout).source, 'network');
  });

  test('dns: a bad name or type is a usage error', async () => {
    const type = await runMailtrust(['dns', 'example.com', 'HINFO', '--zone', '/dev/null']);
    assert.equal(type.code, 64);
    assertOneLineError(type.stderr, /unknown record type "HINFO"/);
    const name = await runMailtrust(['dns', `${'x'.repeat(70)}.com`, '--zone', '/dev/null']);
    assert.equal(name.code, 64);
    assertOneLineError(name.stderr, /not a valid domain name: label longer than 63/);
  });
});
