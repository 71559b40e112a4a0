/** check_host() behaviour beyond the suites: result shape, trace, identities, limits, DNS outcomes. Real DNS. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpfHelo, checkHost, checkSpf, formatReceivedSpf } from '../../src/core/spf/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { contextFor } from './suites.js';

describe('check_host over real DNS', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'example.com': {
          TXT: [
            'v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all exp=why.example.com',
            'google-site-verification=x',
          ],
          MX: [[10, 'mx.example.com']],
        },
        'mx.example.com': { A: ['198.51.100.7'], AAAA: ['2001:db8::25'] },
        '_spf.example.net': { TXT: ['v=spf1 ip4:203.0.113.0/24 -all'] },
        'why.example.com': { TXT: ['%{i} is not a mail server of %{d} (sender %{s}, helo %{h}, via %{r})'] },
        'mail.example.org': { TXT: ['v=spf1 a -all'], A: ['192.0.2.77'] },
        'softfail.example.org': { TXT: ['v=spf1 ~all'] },
        'neutral.example.org': { TXT: ['v=spf1 ip4:10.0.0.1'] },
        'servfail.example.org': { TXT: ['v=spf1 a:broken.example.org -all'] },
        'refused.example.org': { TXT: ['v=spf1 exists:refused-target.example.org -all'] },
        'void.example.org': { TXT: ['v=spf1 a:no1.example.org a:no2.example.org a:no3.example.org +all'] },
        'p.example.org': { TXT: ['v=spf1 -all exp=p-exp.example.org'] },
        'p-exp.example.org': { TXT: ['connect from %{p}'] },
        '7.100.51.198.in-addr.arpa': { PTR: ['mx.example.com'] },
        'redirect.example.org': { TXT: ['v=spf1 redirect=example.com'] },
        'many-mx.example.org': {
          TXT: ['v=spf1 mx -all'],
          MX: Array.from({ length: 11 }, (_, i) => [i, `m${i}.example.org`] as [number, string]),
        },
        'ptr-many.example.org': { TXT: ['v=spf1 ptr -all'] },
        '9.2.0.192.in-addr.arpa': {
          PTR: Array.from({ length: 11 }, (_, i) => `h${i}.ptr-many.example.org`),
        },
        'h10.ptr-many.example.org': { A: ['192.0.2.9'] },
      }),
      rules: [
        { name: 'broken.example.org', action: 'servfail' },
        { name: 'refused-target.example.org', action: 'refused' },
      ],
    });
  });
  after(() => server.close());

  test('pass via ip4 carries the docs/cli.md fields and a trace', async () => {
    const r = await checkSpf(contextFor(server), {
      ip: '192.0.2.10',
      mailFrom: 'alice@example.com',
      helo: 'mail.example.com',
    });
    assert.equal(r.result, 'pass');
    assert.equal(r.domain, 'example.com');
    assert.equal(r.identity, 'mailfrom');
    assert.equal(r.mechanism, 'ip4:192.0.2.0/24');
    assert.equal(r.lookups, 0);
    assert.equal(r.voidLookups, 0);
    assert.equal(r.explanation, undefined);
    const kinds = r.trace.map((e) => e.type);
    assert.deepEqual(kinds, ['query', 'record', 'term', 'result']);
    const term = r.trace.find((e) => e.type === 'term');
    assert.ok(term && term.type === 'term' && term.outcome === 'match' && term.term === 'ip4:192.0.2.0/24');
  });

  test('pass through include reports the include term; lookups are counted', async () => {
    const r = await checkSpf(contextFor(server), {
      ip: '203.0.113.5',
      mailFrom: 'a@example.com',
      helo: 'x.example.com',
    });
    assert.equal(r.result, 'pass');
    assert.equal(r.mechanism, 'include:_spf.example.net');
    assert.equal(r.lookups, 1);
    const inner = r.trace.find((e) => e.type === 'term' && e.depth === 1);
    assert.ok(inner && inner.type === 'term' && inner.term === 'ip4:203.0.113.0/24' && inner.outcome === 'match');
  });

  test('mx over IPv6 and IPv4-mapped IPv4', async () => {
    const v6 = await checkSpf(contextFor(server), { ip: '2001:db8::25', mailFrom: 'a@example.com' });
    assert.equal(v6.result, 'pass');
    assert.equal(v6.mechanism, 'mx');
    assert.equal(v6.lookups, 2);
    const mapped = await checkSpf(contextFor(server), { ip: '::ffff:198.51.100.7', mailFrom: 'a@example.com' });
    assert.equal(mapped.result, 'pass');
    assert.equal(mapped.mechanism, 'mx');
  });

  test('fail with the exp= explanation expanded (RFC 7208 §6.2)', async () => {
    const r = await checkSpf(contextFor(server), {
      ip: '198.51.100.200',
      mailFrom: 'bob@example.com',
      helo: 'helo.example.net',
      receiver: 'mx.receiver.test',
    });
    assert.equal(r.result, 'fail');
    assert.equal(r.mechanism, '-all');
    assert.equal(
      r.explanation,
      '198.51.100.200 is not a mail server of example.com (sender bob@example.com, helo helo.example.net, via mx.receiver.test)',
    );
  });

  test('redirect: the target decides, with its own exp', async () => {
    const r = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: 'x@redirect.example.org' });
    assert.equal(r.result, 'pass');
    assert.equal(r.domain, 'redirect.example.org');
    assert.equal(r.lookups, 1);
  });

  test('%{p} in an explanation is the validated PTR name', async () => {
    const r = await checkSpf(contextFor(server), { ip: '198.51.100.7', mailFrom: 'x@p.example.org' });
    assert.equal(r.result, 'fail');
    assert.equal(r.explanation, 'connect from mx.example.com');
  });

  test('softfail, neutral (default), none', async () => {
    const ctx = contextFor(server);
    assert.equal((await checkSpf(ctx, { ip: '192.0.2.1', mailFrom: 'a@softfail.example.org' })).result, 'softfail');
    const neutral = await checkSpf(ctx, { ip: '192.0.2.1', mailFrom: 'a@neutral.example.org' });
    assert.equal(neutral.result, 'neutral');
    assert.equal(neutral.mechanism, undefined);
    const none = await checkSpf(ctx, { ip: '192.0.2.1', mailFrom: 'a@nothing.example.org' });
    assert.equal(none.result, 'none');
    assert.equal(none.error?.code, 'spf.none');
  });

  test('SERVFAIL and REFUSED on a mechanism lookup are temperror', async () => {
    const ctx = contextFor(server);
    const s = await checkSpf(ctx, { ip: '192.0.2.1', mailFrom: 'a@servfail.example.org' });
    assert.equal(s.result, 'temperror');
    assert.equal(s.error?.code, 'spf.temperror');
    const r = await checkSpf(ctx, { ip: '192.0.2.1', mailFrom: 'a@refused.example.org' });
    assert.equal(r.result, 'temperror');
  });

  test('a third void lookup is a permerror (RFC 7208 §4.6.4)', async () => {
    const r = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: 'a@void.example.org' });
    assert.equal(r.result, 'permerror');
    assert.equal(r.error?.code, 'spf.too-many-void-lookups');
    assert.equal(r.voidLookups, 3);
  });

  test('more than 10 MX names is a permerror; PTR names past 10 are ignored', async () => {
    const mx = await checkSpf(contextFor(server), { ip: '192.0.2.1', mailFrom: 'a@many-mx.example.org' });
    assert.equal(mx.result, 'permerror');
    assert.equal(mx.error?.code, 'spf.too-many-lookups');
    // Only the 11th PTR name validates; it is beyond the first 10, so ptr does not match.
    const ptr = await checkSpf(contextFor(server), { ip: '192.0.2.9', mailFrom: 'a@ptr-many.example.org' });
    assert.equal(ptr.result, 'fail');
  });

  test('null sender checks the HELO identity as postmaster@HELO (RFC 7208 §2.4)', async () => {
    for (const mailFrom of ['', '<>']) {
      const r = await checkSpf(contextFor(server), { ip: '192.0.2.77', mailFrom, helo: 'mail.example.org' });
      assert.equal(r.result, 'pass');
      assert.equal(r.identity, 'helo');
      assert.equal(r.domain, 'mail.example.org');
    }
    const helo = await checkSpfHelo(contextFor(server), { ip: '192.0.2.78', helo: 'mail.example.org' });
    assert.equal(helo.result, 'fail');
    assert.equal(helo.identity, 'helo');
  });

  test('bad input is a result, never a throw', async () => {
    const ctx = contextFor(server);
    const badIp = await checkHost(ctx, { ip: 'not-an-ip', domain: 'example.com', sender: 'a@example.com' });
    assert.equal(badIp.result, 'permerror');
    for (const domain of ['[192.0.2.1]', 'localhost', 'a..example.com', `${'x'.repeat(64)}.example.com`, '']) {
      const r = await checkHost(ctx, { ip: '192.0.2.1', domain, sender: `a@${domain}` });
      assert.equal(r.result, 'none', domain);
      assert.equal(r.trace.length, 0, 'no query for a malformed domain');
    }
  });

  test('an aborted signal gives temperror', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await checkSpf(
      { ...contextFor(server), signal: controller.signal },
      { ip: '192.0.2.1', mailFrom: 'a@example.com' },
    );
    assert.equal(r.result, 'temperror');
  });

  test('Received-SPF header (RFC 7208 §9.1)', async () => {
    const r = await checkSpf(contextFor(server), {
      ip: '192.0.2.10',
      mailFrom: 'alice@example.com',
      helo: 'mail.example.com',
    });
    const header = formatReceivedSpf(r, {
      ip: '192.0.2.10',
      mailFrom: 'alice@example.com',
      helo: 'mail.example.com',
      receiver: 'mx.receiver.test',
    });
    assert.equal(
      header,
      'Received-SPF: pass (mx.receiver.test: domain of alice@example.com designates 192.0.2.10 as permitted sender) ' +
        'client-ip=192.0.2.10; envelope-from="alice@example.com"; helo=mail.example.com; receiver=mx.receiver.test; ' +
        'identity=mailfrom; mechanism="ip4:192.0.2.0/24";',
    );
    const bad = await checkSpf(contextFor(server), {
      ip: '192.0.2.1',
      mailFrom: 'a@void.example.org',
      helo: 'h.example',
    });
    const badHeader = formatReceivedSpf(bad, { ip: '192.0.2.1', mailFrom: 'a@void.example.org', helo: 'h.example' });
    assert.match(badHeader, /^Received-SPF: permerror \(unknown: error in processing/);
    assert.match(badHeader, /problem="more than 2 DNS lookups returned no records \(RFC 7208 §4\.6\.4\)";$/);
    assert.doesNotMatch(badHeader, /[\r\n]/);
  });
});
