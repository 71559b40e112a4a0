/** lintSpf(): findings over a domain's record tree, over real DNS. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lintSpf, type SpfLintReport } from '../../src/core/spf/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { contextFor } from './suites.js';

/** Text cut into character-strings of at most 255 octets (RFC 1035 §3.3). */
function strings(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 255) out.push(text.slice(i, i + 255));
  return out;
}

function ids(report: SpfLintReport): string[] {
  return report.findings.map((f) => f.id).sort();
}

describe('lintSpf', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({
      records: zoneRecords({
        'good.example.org': {
          TXT: ['v=spf1 ip4:192.0.2.0/24 include:_spf.good.example.org mx -all'],
          MX: [[10, 'mx.good.example.org']],
        },
        '_spf.good.example.org': { TXT: ['v=spf1 ip4:198.51.100.0/24 -all'] },
        'mx.good.example.org': { A: ['192.0.2.25'] },
        'plus.example.org': { TXT: ['v=spf1 ptr +all'] },
        'neutral.example.org': { TXT: ['v=spf1 ip4:192.0.2.1 ?all'] },
        'noall.example.org': { TXT: ['v=spf1 ip4:192.0.2.1'] },
        'two.example.org': { TXT: ['v=spf1 -all', 'v=spf1 ~all'] },
        'bad.example.org': { TXT: ['v=spf1 ip4:192.0.2.300 -all'] },
        'missing-include.example.org': { TXT: ['v=spf1 include:gone.example.org include:notspf.example.org -all'] },
        'notspf.example.org': { TXT: ['just text'] },
        'deep.example.org': { TXT: ['v=spf1 include:d1.example.org include:d2.example.org -all'] },
        'd1.example.org': { TXT: ['v=spf1 a a a a a a -all'], A: ['192.0.2.1'] },
        'd2.example.org': { TXT: ['v=spf1 mx mx mx -all'], MX: [[1, 'mx.good.example.org']] },
        'void.example.org': { TXT: ['v=spf1 a:v1.example.org a:v2.example.org mx:v3.example.org -all'] },
        'long.example.org': {
          TXT: [strings(`v=spf1 ${Array.from({ length: 40 }, (_, i) => `ip4:203.0.113.${i}`).join(' ')} -all`)],
        },
        'redir.example.org': { TXT: ['v=spf1 redirect=good.example.org'] },
        'macro.example.org': { TXT: ['v=spf1 include:%{ir}.%{v}._spf.example.org -all'] },
        'slow.example.org': { TXT: ['v=spf1 include:down.example.org -all'] },
      }),
      rules: [{ name: 'down.example.org', action: 'servfail' }],
    });
  });
  after(() => server.close());

  test('a good record has no findings and counts lookups across includes', async () => {
    const r = await lintSpf(contextFor(server), 'good.example.org');
    assert.deepEqual(r.findings, []);
    assert.equal(r.lookups, 2);
    assert.equal(r.voidLookups, 0);
    assert.equal(r.record, 'v=spf1 ip4:192.0.2.0/24 include:_spf.good.example.org mx -all');
    assert.equal(r.tree.children.length, 1);
    assert.equal(r.tree.children[0]?.domain, '_spf.good.example.org');
    assert.equal(r.stringLengthsChecked, true);
  });

  test('+all and ptr', async () => {
    assert.deepEqual(ids(await lintSpf(contextFor(server), 'plus.example.org')), ['spf.plus-all', 'spf.ptr-mechanism']);
  });

  test('?all and no all', async () => {
    assert.deepEqual(ids(await lintSpf(contextFor(server), 'neutral.example.org')), ['spf.neutral']);
    assert.deepEqual(ids(await lintSpf(contextFor(server), 'noall.example.org')), ['spf.no-all']);
    assert.deepEqual(ids(await lintSpf(contextFor(server), 'redir.example.org')), [], 'redirect= ends a record too');
  });

  test('more than one record, a syntax error, no record', async () => {
    assert.deepEqual(ids(await lintSpf(contextFor(server), 'two.example.org')), ['spf.multiple-records']);
    const bad = await lintSpf(contextFor(server), 'bad.example.org');
    assert.deepEqual(ids(bad), ['spf.permerror']);
    assert.match(bad.findings[0]!.message, /192\.0\.2\.300/);
    assert.deepEqual(ids(await lintSpf(contextFor(server), 'nothing.example.org')), ['spf.none']);
  });

  test('includes of names without an SPF record', async () => {
    const r = await lintSpf(contextFor(server), 'missing-include.example.org');
    assert.deepEqual(ids(r), ['spf.include-not-found', 'spf.include-not-found']);
    assert.ok(r.findings.some((f) => /does not exist/.test(f.message)));
  });

  test('too many lookups across the tree', async () => {
    const r = await lintSpf(contextFor(server), 'deep.example.org');
    assert.equal(r.lookups, 11);
    assert.deepEqual(ids(r), ['spf.too-many-lookups']);
  });

  test('void lookups', async () => {
    const r = await lintSpf(contextFor(server), 'void.example.org');
    assert.equal(r.voidLookups, 3);
    assert.ok(ids(r).includes('spf.too-many-void-lookups'));
    assert.equal(ids(r).filter((id) => id === 'spf.void-lookup').length, 3);
  });

  test('record over 512 octets', async () => {
    const r = await lintSpf(contextFor(server), 'long.example.org');
    assert.ok(r.record && r.record.length > 512, `${r.record?.length}`);
    assert.deepEqual(ids(r), ['spf.record-too-long']);
  });

  test('macro targets are not followed; DNS errors are warnings', async () => {
    const macro = await lintSpf(contextFor(server), 'macro.example.org');
    assert.deepEqual(ids(macro), []);
    assert.equal(macro.lookups, 1);
    const slow = await lintSpf(contextFor(server), 'slow.example.org');
    assert.deepEqual(ids(slow), ['spf.temperror']);
  });
});
