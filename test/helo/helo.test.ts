/** HELO/EHLO checks (guide recommendation 2) over the loopback DNS server, and the pure classifier. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultLimits, type CheckContext } from '../../src/core/context.js';
import { createResolver } from '../../src/core/dns/index.js';
import { checkHelo } from '../../src/core/helo/check.js';
import { classifyHelo } from '../../src/core/helo/name.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';

test('classifier: the kinds of greeting', () => {
  assert.deepEqual(classifyHelo(undefined), { kind: 'missing' });
  assert.deepEqual(classifyHelo('  '), { kind: 'missing' });
  assert.deepEqual(classifyHelo('Mail.Domain.COM.'), { kind: 'domain', name: 'mail.domain.com' });
  assert.deepEqual(classifyHelo('1.2.3.4'), { kind: 'bare-ip', address: '1.2.3.4' });
  assert.deepEqual(classifyHelo('2001:DB8::1'), { kind: 'bare-ip', address: '2001:db8::1' });
  assert.deepEqual(classifyHelo('[1.2.3.4]'), { kind: 'address-literal', address: '1.2.3.4', valid: true });
  assert.deepEqual(classifyHelo('[IPv6:2001:db8::1]'), {
    kind: 'address-literal',
    address: '2001:db8::1',
    valid: true,
  });
  assert.equal(classifyHelo('[banana]').kind, 'address-literal');
  assert.deepEqual(classifyHelo('localhost'), { kind: 'localhost' });
  assert.deepEqual(classifyHelo('localhost.localdomain'), { kind: 'localhost' });
  assert.deepEqual(classifyHelo('printer.lan'), { kind: 'special-use', suffix: 'lan' });
  assert.deepEqual(classifyHelo('mx.invalid'), { kind: 'special-use', suffix: 'invalid' });
  assert.deepEqual(classifyHelo('box.local'), { kind: 'special-use', suffix: 'local' });
  assert.equal(classifyHelo('mailserver').kind, 'not-fqdn');
  assert.equal(classifyHelo('-').kind, 'not-fqdn');
  assert.equal(classifyHelo('bad_name.example.com').kind, 'not-fqdn');
  assert.equal(classifyHelo('1.2.3.999').kind, 'not-fqdn');
  assert.equal(classifyHelo(`${'a'.repeat(64)}.com`).kind, 'not-fqdn');
  assert.equal(classifyHelo('mail.example.com').kind, 'domain', 'RFC 2606 second-level names are ordinary names');
});

describe('checkHelo', () => {
  let server: TestDnsServer;
  let ctx: CheckContext;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'mail.domain.com': { A: ['1.2.3.4'], AAAA: ['2001:db8::4'] },
        'mail.otherdomain.com': { A: ['5.6.7.8'] },
        'domain.com': { MX: [[10, 'mail.domain.com']] },
        'mx-only.domain.com': { MX: [[10, 'mail.domain.com']] },
        'txt-only.domain.com': { TXT: ['hello'] },
      }),
      rules: [{ name: 'slow.domain.com', action: 'timeout' }],
    });
    ctx = {
      resolver: createResolver({ servers: [server.address], timeoutMs: 1_000, retries: 0 }),
      now: () => new Date(),
      limits: { ...defaultLimits },
    };
  });
  after(() => server.close());

  const check = (helo: string | undefined, ip = '1.2.3.4') => checkHelo(ctx, { helo, ip });

  test("the guide's correct greeting: HELO mail.domain.com from 1.2.3.4", async () => {
    assert.deepEqual(await check('mail.domain.com'), {
      result: 'pass',
      name: 'mail.domain.com',
      findings: [],
      addresses: ['1.2.3.4', '2001:db8::4'],
      matchesClient: true,
    });
    assert.equal((await check('mail.domain.com', '2001:db8::4')).matchesClient, true);
  });

  test("the guide's low-trust greetings", async () => {
    assert.deepEqual((await check('localhost')).findings, ['helo.localhost']);
    assert.deepEqual((await check('1.2.3.4')).findings, ['helo.bare-ip']);
    assert.deepEqual((await check('invalid.tld')).findings, ['helo.nxdomain']);
    assert.deepEqual((await check('-')).findings, ['helo.not-fqdn']);
    assert.deepEqual((await check('not.existing.domain.com')).findings, ['helo.nxdomain']);
    for (const helo of ['localhost', '1.2.3.4', 'invalid.tld', '-', 'not.existing.domain.com']) {
      assert.equal((await check(helo)).result, 'fail', helo);
    }
    // mail.otherdomain.com resolves; whether it is foreign depends on the sender, judged later.
    const other = await check('mail.otherdomain.com');
    assert.equal(other.result, 'pass');
    assert.deepEqual(other.findings, ['helo.ip-mismatch']);
  });

  test('missing greeting, address literals', async () => {
    assert.deepEqual((await check(undefined)).findings, ['helo.missing']);
    assert.equal((await check('[1.2.3.4]')).result, 'pass');
    assert.deepEqual((await check('[9.9.9.9]')).findings, ['helo.literal-mismatch']);
    assert.equal((await check('[IPv6:2001:db8::4]', '2001:db8::4')).result, 'pass');
    assert.equal((await check('[1.2.3.4]', '::ffff:1.2.3.4')).result, 'pass');
  });

  test('a name with no address: MX counts as resolving, nothing at all is unresolvable', async () => {
    assert.equal((await check('mx-only.domain.com')).result, 'pass');
    assert.deepEqual((await check('txt-only.domain.com')).findings, ['helo.unresolvable']);
  });

  test('special-use names fail without a DNS query', async () => {
    const before = server.queries.length;
    assert.deepEqual((await check('mail.example')).findings, ['helo.special-use']);
    assert.deepEqual((await check('router.home.arpa')).findings, ['helo.special-use']);
    assert.equal(server.queries.length, before);
  });

  test('DNS timeouts give temperror, not a finding', async () => {
    const result = await check('slow.domain.com');
    assert.equal(result.result, 'temperror');
    assert.equal(result.dnsError, 'timeout');
    assert.deepEqual(result.findings, []);
  });
});
