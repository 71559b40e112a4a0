/**
 * `mailtrust audit`: text report, JSON contract (docs/cli.md), exit codes, usage errors, the progress line. The
 * command object runs with a real resolver against the loopback DNS server; one test runs the built executable
 * as a user runs it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OptionValues } from '../../src/cli/command.js';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { commands } from '../../src/cli/commands/index.js';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { createResolver, parseZoneFile, type DnsClient } from '../../src/core/dns/index.js';
import { runCommand, runMailtrust, type CommandRun } from '../support/cli.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { auditRules, auditZone, keys } from './fixtures.js';

let server: TestDnsServer;
before(async () => {
  server = await startTestDnsServer({ records: zoneRecords(auditZone()), rules: auditRules });
});
after(() => server.close());

function run(
  positionals: string[],
  values: OptionValues = {},
  options: { json?: boolean; interactive?: boolean; resolver?: DnsClient } = {},
): Promise<CommandRun> {
  return runCommand(auditCommand, values, positionals, {
    resolver:
      options.resolver ?? createResolver({ servers: [server.address], timeoutMs: 10_000, retries: 0 }).withTrace(),
    now: () => new Date('2026-11-26T00:00:00Z'),
    json: options.json ?? false,
    policyFile: undefined,
    interactive: options.interactive ?? false,
  });
}

const model = { ip: ['192.0.2.10'], helo: 'mail.model-sender.com', selector: ['s1'] };

describe('mailtrust audit: text report', () => {
  test('model setup: exit 0, the verdict first, sections in the order of the recommendations', async () => {
    const r = await run(['model-sender.com'], model);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^PASS model-sender\.com /);
    const order = [
      '\nRecommendation 1: a PTR record for every sending IP\n',
      '\nRecommendation 2: a HELO name that resolves to the sending IP\n',
      '\nRecommendation 3: an SPF record that authorizes every sending IP\n',
      '\nRecommendation 4: DKIM signatures and a DMARC policy\n',
      '\nA sender domain that exists: domain and MX records\n',
      '\nRecommendation 5: best practices for scripts and web forms',
    ].map((h) => r.stdout.indexOf(h));
    assert.ok(
      order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!)),
      `sections in order: ${order.join(',')}`,
    );
    assert.match(r.stdout, /\[ok\] {3}192\.0\.2\.10 has a PTR record: mail\.model-sender\.com/);
    assert.match(r.stdout, /addresses: 192\.0\.2\.10 \(given with --ip\)/);
    assert.match(r.stdout, /\[info\] web forms that send mail require authentication or a CAPTCHA/);
    assert.match(r.stdout, /^DNS: \d+ queries, \d+ ms, critical path \d+ lookups? deep$/m);
    assert.doesNotMatch(r.stdout, /Records to publish/);
  });

  test('warnings only: exit 1, with rule, fix and id under each warning', async () => {
    const r = await run(['model-sender.com'], { ...model, helo: 'out.model-sender.com' });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^WARN model-sender\.com can send, with 1 warning to fix\n/);
    assert.match(r.stdout, /\[warn\] 192\.0\.2\.10: HELO out\.model-sender\.com is not among the MX hosts/);
    assert.match(
      r.stdout,
      /rule: {3}Recommendation 2 \(a HELO name that resolves to the sending IP\): the HELO name matches an MX record/,
    );
    assert.match(r.stdout, /fix: {4}greet with the name of an MX host/);
    assert.match(r.stdout, /id: {5}helo\.not-mx/);
  });

  test('failures: exit 2, and the records to publish as zone-file lines', async () => {
    const r = await run(['spf-none.com'], { ip: ['192.0.2.40'] });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^FAIL spf-none\.com is not ready: \d+ failures?/);
    assert.match(r.stdout, /Records to publish \(zone-file lines\):/);
    assert.match(r.stdout, /SPF: spf-none\.com\. IN TXT "v=spf1 ip4:192\.0\.2\.40 ~all"/);
    assert.match(
      r.stdout,
      /DMARC: _dmarc\.spf-none\.com\. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@spf-none\.com"/,
    );
    assert.match(r.stdout, /the way to p=reject:\n {9}1\. v=DMARC1; p=none;/);
    assert.match(r.stdout, /DKIM: s202611\._domainkey\.spf-none\.com\. IN TXT/);
    assert.match(r.stdout, /mailtrust dkim keygen --domain spf-none\.com --selector s202611/);
    assert.match(r.stdout, /PTR: 40\.2\.0\.192\.in-addr\.arpa\. IN PTR mail\.spf-none\.com\.\n/);
    // Every printed record (but the DKIM key, whose value is a placeholder) pastes into a zone file as it is:
    // names absolute, so a pasted PTR does not point at mail.spf-none.com.<origin>.
    const printed = [...r.stdout.matchAll(/^ {2}(?:SPF|DMARC|PTR|A): (.*)$/gm)].map((m) => m[1]!);
    assert.ok(printed.length >= 3, r.stdout);
    const zone = parseZoneFile(`$ORIGIN example.net.\n$TTL 300\n${printed.join('\n')}\n`);
    assert.ok(zone.ok, zone.ok ? '' : zone.error.message);
    const ptr = zone.value.find((record) => record.type === 'PTR');
    assert.ok(ptr && ptr.type === 'PTR');
    assert.equal(ptr.target, 'mail.spf-none.com');
  });

  test('without --ip and --selector the report says what it audited instead', async () => {
    const r = await run(['model-sender.com']);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /no --ip given, so the MX hosts' addresses and the SPF record's single ip4\/ip6 addresses are audited/,
    );
    assert.match(
      r.stdout,
      /192\.0\.2\.10 \((spf:ip4:192\.0\.2\.10, mx:mail\.model-sender\.com|mx:mail\.model-sender\.com, spf:ip4:192\.0\.2\.10)\)/,
    );
    assert.match(
      r.stdout,
      /tried 16 common selectors \(default, dkim, .*\) because DNS cannot list selectors; found: s1/,
    );
    assert.match(r.stdout, /no --helo given, so each address’s PTR name is checked/);
  });

  test('a domain that does not exist: exit 2, said on the first line', async () => {
    const r = await run(['does-not-exist.com']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^FAIL does-not-exist\.com: the domain does not exist/);
    assert.match(r.stdout, /\[FAIL\] does-not-exist\.com does not exist \(NXDOMAIN\)/);
  });

  test('DNS unreachable: exit 75, one line on stderr', async () => {
    const r = await run(['unreachable.com']);
    assert.equal(r.code, 75);
    assert.match(r.stdout, /^WARN unreachable\.com: DNS did not answer/);
    assert.match(
      r.stderr,
      /^mailtrust: audit: DNS did not answer \(\d+ of \d+ lookups failed\); check --dns or the network, then retry\n$/,
    );
  });
});

describe('mailtrust audit: text and --json say the same', () => {
  const word: Record<string, string> = { '[ok]': 'pass', '[warn]': 'warn', '[FAIL]': 'fail', '[info]': 'info' };
  const cases: [string, string][] = [
    ['DNS unreachable (every lookup times out)', 'unreachable.com'],
    ['SERVFAIL for the SPF include', 'spf-temp.com'],
    ['SERVFAIL for MX', 'dns-trouble.com'],
    ['a model setup', 'model-sender.com'],
  ];
  for (const [what, domain] of cases)
    test(`${what}: the verdict word is the JSON result, each check's mark its status`, async () => {
      // No --ip for the unreachable domain: a given address's PTR lookup would be answered.
      const options =
        domain === 'model-sender.com' ? model : domain === 'unreachable.com' ? {} : { ip: ['192.0.2.10'] };
      const text = await run([domain], options);
      const json = JSON.parse((await run([domain], options, { json: true })).stdout) as {
        result: string;
        checks: { status: string }[];
        dns: { unreachable: boolean };
      };
      assert.equal(text.stdout.split(' ', 1)[0], json.result.toUpperCase(), text.stdout.split('\n', 1)[0]);
      const marks = [...text.stdout.matchAll(/^ {2}(\[ok\]|\[warn\]|\[FAIL\]|\[info\])/gm)].map((m) => word[m[1]!]);
      assert.deepEqual(
        marks,
        json.checks.map((c) => c.status),
      );
      assert.equal(json.dns.unreachable, domain === 'unreachable.com');
    });
});

describe('mailtrust audit --json', () => {
  test('the docs/cli.md audit object: domain, result, checks, dns', async () => {
    const r = await run(['model-sender.com'], { ...model, ip: ['192.0.2.10', '203.0.113.77'] }, { json: true });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, '');
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).slice(0, 3), ['domain', 'result', 'checks']);
    assert.equal(json['domain'], 'model-sender.com');
    assert.equal(json['result'], 'fail');
    const checks = json['checks'] as Record<string, unknown>[];
    const areas = new Set(['ptr', 'helo', 'spf', 'dkim', 'dmarc', 'mx', 'forms']);
    for (const c of checks) {
      assert.equal(typeof c['id'], 'string');
      assert.match(c['id'] as string, /^[a-z0-9]+\.[a-z0-9-]+$/);
      assert.ok(areas.has(c['area'] as string), `area ${String(c['area'])}`);
      assert.ok(['pass', 'warn', 'fail', 'info'].includes(c['status'] as string));
      assert.equal(typeof c['message'], 'string');
      assert.equal(typeof c['remedy'], 'string');
      assert.equal(typeof c['rule'], 'string');
    }
    const notAuthorized = checks.find((c) => c['id'] === 'spf.ip-not-authorized' && c['subject'] === '203.0.113.77');
    assert.equal(notAuthorized?.['status'], 'fail');
    assert.equal(notAuthorized?.['value'], 'fail (-all)');
    const spfRecord = checks.find((c) => c['id'] === 'spf.none');
    assert.equal(spfRecord?.['record'], 'v=spf1 ip4:192.0.2.10 include:_spf.model-sender.com -all');
    const dns = json['dns'] as Record<string, unknown>;
    assert.ok(Number.isInteger(dns['queries']) && (dns['queries'] as number) > 0);
    assert.ok(Number.isInteger(dns['wallMs']) && (dns['wallMs'] as number) >= 0);
    assert.ok(Number.isInteger(dns['criticalPathDepth']) && (dns['criticalPathDepth'] as number) >= 1);
    const suggestions = json['suggestions'] as { kind: string; value: string }[];
    assert.equal(
      suggestions.find((s) => s.kind === 'spf')?.value,
      'v=spf1 ip4:203.0.113.77 ip4:192.0.2.10 include:_spf.model-sender.com -all',
    );
  });

  test('the result field and the exit code agree', async () => {
    const runs: [string, OptionValues][] = [
      ['model-sender.com', model],
      ['model-sender.com', { ...model, helo: 'out.model-sender.com' }],
      ['spf-none.com', { ip: ['192.0.2.40'] }],
    ];
    for (const [domain, values] of runs) {
      const r = await run([domain], values, { json: true });
      const result = (JSON.parse(r.stdout) as { result: string }).result;
      assert.equal(r.code, { pass: 0, warn: 1, fail: 2 }[result]);
    }
  });
});

describe('mailtrust audit: progress line', () => {
  test('on a terminal: a progress line on stderr, cleared at the end', async () => {
    const r = await run(['model-sender.com'], model, { interactive: true });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /\rmailtrust audit model-sender\.com: \d+ lookups, \d+ pending/);
    assert.ok(r.stderr.endsWith('\r\x1b[K'), 'the line is cleared before the report');
    assert.doesNotMatch(r.stdout, /pending/);
  });
  test('silent when piped, and with --json', async () => {
    assert.equal((await run(['model-sender.com'], model, { interactive: false })).stderr, '');
    assert.equal((await run(['model-sender.com'], model, { interactive: true, json: true })).stderr, '');
  });
});

describe('mailtrust audit: usage errors (exit 64)', () => {
  const cases: [string, string[], OptionValues, RegExp][] = [
    ['missing DOMAIN', [], {}, /DOMAIN is required/],
    ['two domains', ['a.com', 'b.com'], {}, /unexpected argument "b\.com"/],
    ['not a domain', ['not_a domain'], {}, /is not a domain name/],
    ['single label', ['localhost'], {}, /is not a domain name/],
    ['bad --ip', ['example.com'], { ip: ['192.0.2.300'] }, /--ip "192\.0\.2\.300" is not an IPv4 or IPv6 address/],
    ['empty --helo', ['example.com'], { helo: ' ' }, /--helo needs a name/],
    ['bad --selector', ['example.com'], { selector: ['a b'] }, /--selector "a b" is not a selector/],
  ];
  for (const [name, positionals, values, message] of cases)
    test(name, async () => {
      await assert.rejects(run(positionals, values), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.ok(error instanceof CliError);
        assert.equal(error.exitCode, 64);
        assert.match(error.message, message);
        return true;
      });
    });
});

describe('mailtrust audit over zone data (--zone: records before they are published)', () => {
  test('an offline zone file with the model setup passes', async () => {
    const zone = parseZoneFile(`$ORIGIN staged.com.
$TTL 300
@        IN MX 10 mail
@        IN TXT "v=spf1 ip4:192.0.2.10 -all"
mail     IN A 192.0.2.10
_dmarc   IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@staged.com"
k2._domainkey IN TXT "v=DKIM1; k=ed25519; p=${keys.ed25519}"
10.2.0.192.in-addr.arpa. IN PTR mail.staged.com.
`);
    assert.ok(zone.ok, zone.ok ? '' : zone.error.message);
    const resolver = createResolver({ zone: zone.value }).withTrace();
    const r = await run(['staged.com'], { ip: ['192.0.2.10'], selector: ['k2'] }, { resolver, json: true });
    const json = JSON.parse(r.stdout) as { result: string; checks: { id: string; status: string }[] };
    assert.deepEqual(
      json.checks.filter((c) => c.status === 'fail' || c.status === 'warn'),
      [],
    );
    assert.equal(r.code, 0);
    assert.ok(
      resolver.trace!.entries.every((e) => e.source === 'zone'),
      'answered from the zone only',
    );
  });
});

describe('the mailtrust executable', () => {
  test('mailtrust audit DOMAIN --dns … runs end to end', async () => {
    assert.ok(
      commands.some((c) => c.name === 'audit'),
      'audit is a registered command',
    );
    const r = await runMailtrust([
      'audit',
      'model-sender.com',
      '--dns',
      server.address,
      '--ip',
      '192.0.2.10',
      '--helo',
      'mail.model-sender.com',
      '--selector',
      's1',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { domain: string; result: string };
    assert.equal(json.domain, 'model-sender.com');
    assert.equal(json.result, 'pass');
    const bad = await runMailtrust(['audit', '--dns', server.address]);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /^mailtrust: audit: DOMAIN is required/);
  });
});
