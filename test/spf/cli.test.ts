/**
 * `mailtrust spf`: output, JSON contract, exit codes, usage errors. The command object is run with a real
 * resolver against the test DNS server (the frame in src/cli/run.ts wires it into the executable).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spfCommand } from '../../src/cli/commands/spf.js';
import type { CommandEnv, OptionValues } from '../../src/cli/command.js';
import { UsageError } from '../../src/cli/errors.js';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { runCommand, runMailtrust } from '../support/cli.js';

describe('mailtrust spf', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'example.com': { TXT: ['v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all exp=why.example.com'] },
        '_spf.example.net': { TXT: ['v=spf1 ip4:198.51.100.0/24 -all'] },
        'fail.example.com': { TXT: ['v=spf1 -all exp=why.example.com'] },
        'why.example.com': { TXT: ['%{i} may not send for %{d}'] },
        'neutral.example.com': { TXT: ['v=spf1 ?all'] },
        'bad.example.com': { TXT: ['v=spf1 ip4:1.2.3 -all'] },
        'mail.example.org': { TXT: ['v=spf1 a -all'], A: ['192.0.2.77'] },
        'temp.example.com': { TXT: ['v=spf1 a:down.example.com -all'] },
      }),
      rules: [{ name: 'down.example.com', action: 'servfail' }],
    });
  });
  after(() => server.close());

  function run(values: OptionValues, json = false) {
    return runCommand(spfCommand, values, [], {
      resolver: createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0 }),
      now: () => new Date('2026-01-01T00:00:00Z'),
      json,
      policyFile: undefined,
    });
  }

  test('pass: exit 0, the matching term and the lookups used of 10', async () => {
    const r = await run({ ip: '198.51.100.4', 'mail-from': 'alice@example.com', helo: 'mx.example.com' });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^SPF pass for example\.com \(mailfrom identity\)\n/);
    assert.match(r.stdout, /matched: include:_spf\.example\.net/);
    assert.match(r.stdout, /lookups: 1 of 10 DNS-querying terms, 0 of 2 void lookups/);
    assert.match(r.stdout, /ip4:198\.51\.100\.0\/24: match/);
    assert.equal(r.stderr, '');
  });

  test('--json prints the docs/cli.md spf object', async () => {
    const r = await run({ ip: '192.0.2.9', 'mail-from': 'x@fail.example.com' }, true);
    assert.equal(r.code, 2);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).slice(0, 7), [
      'result',
      'domain',
      'identity',
      'mechanism',
      'lookups',
      'voidLookups',
      'explanation',
    ]);
    assert.equal(json['result'], 'fail');
    assert.equal(json['domain'], 'fail.example.com');
    assert.equal(json['identity'], 'mailfrom');
    assert.equal(json['mechanism'], '-all');
    assert.equal(json['lookups'], 0);
    assert.equal(json['explanation'], '192.0.2.9 may not send for fail.example.com');
    assert.ok(Array.isArray(json['trace']));
  });

  test('exit codes: softfail/neutral/none 1, permerror 2, temperror 75', async () => {
    assert.equal((await run({ ip: '203.0.113.1', 'mail-from': 'a@example.com' })).code, 1);
    assert.equal((await run({ ip: '203.0.113.1', 'mail-from': 'a@neutral.example.com' })).code, 1);
    assert.equal((await run({ ip: '203.0.113.1', 'mail-from': 'a@none.example.com' })).code, 1);
    const perm = await run({ ip: '203.0.113.1', 'mail-from': 'a@bad.example.com' });
    assert.equal(perm.code, 2);
    assert.match(perm.stdout, /reason: .*'1\.2\.3' is not an IPv4 address/);
    const temp = await run({ ip: '203.0.113.1', 'mail-from': 'a@temp.example.com' });
    assert.equal(temp.code, 75);
    assert.match(temp.stderr, /^mailtrust: SPF temperror: .*servfail/);
    assert.equal(temp.stderr.trimEnd().split('\n').length, 1);
  });

  test("--mail-from '<>' or '' checks postmaster@HELO", async () => {
    for (const mailFrom of ['<>', '']) {
      const r = await run({ ip: '192.0.2.77', 'mail-from': mailFrom, helo: 'mail.example.org' }, true);
      assert.equal(r.code, 0);
      const json = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(json['identity'], 'helo');
      assert.equal(json['domain'], 'mail.example.org');
    }
  });

  test('usage errors', async () => {
    await assert.rejects(run({ 'mail-from': 'a@example.com' }), UsageError);
    await assert.rejects(run({ ip: '1.2.3', 'mail-from': 'a@example.com' }), /not an IPv4 or IPv6 address/);
    await assert.rejects(run({ ip: '192.0.2.1' }), /--mail-from ADDR is required/);
    await assert.rejects(run({ ip: '192.0.2.1', 'mail-from': '<>' }), /needs --helo/);
    await assert.rejects(
      spfCommand.run({ ip: '192.0.2.1', 'mail-from': 'a@b.c' }, ['extra'], {} as CommandEnv),
      /unexpected argument/,
    );
  });

  test('the executable: mailtrust spf --dns … --json', async () => {
    const run = await runMailtrust([
      'spf',
      '--ip',
      '198.51.100.4',
      '--mail-from',
      'a@example.com',
      '--dns',
      server.address,
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(json['result'], 'pass');
    assert.equal(json['mechanism'], 'include:_spf.example.net');
    const usage = await runMailtrust(['spf', '--ip', 'bogus', '--mail-from', 'a@example.com', '--dns', server.address]);
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /^mailtrust: spf: --ip "bogus" is not an IPv4 or IPv6 address\n$/);
  });

  test('help names the exit codes', () => {
    assert.match(spfCommand.help, /0 pass · 1 neutral, softfail or none · 2 fail or permerror · 75 temperror/);
    assert.equal(spfCommand.name, 'spf');
  });
});
