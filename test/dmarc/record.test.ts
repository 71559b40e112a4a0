/** parseDmarcRecord (RFC 7489 §6.3, §6.4, §6.6.3; RFC 9091 np): pure unit tests. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDmarcRecord, parseDmarcRecord, type DmarcRecord } from '../../src/core/dmarc/index.js';

function parse(text: string): DmarcRecord {
  const result = parseDmarcRecord(text);
  assert.ok(result.ok, `expected ${JSON.stringify(text)} to parse: ${result.ok ? '' : result.error.message}`);
  return result.value;
}

function warningCodes(record: DmarcRecord): string[] {
  return record.warnings.map((w) => `${w.tag}:${w.code}`);
}

describe('DMARC record: defaults and every tag', () => {
  test('minimal record takes the RFC defaults', () => {
    const r = parse('v=DMARC1; p=none');
    assert.equal(r.policy, 'none');
    assert.equal(r.subdomainPolicy, undefined);
    assert.equal(r.nonexistentPolicy, undefined);
    assert.equal(r.dkimAlignment, 'relaxed');
    assert.equal(r.spfAlignment, 'relaxed');
    assert.equal(r.pct, 100);
    assert.deepEqual(r.aggregateReportUris, []);
    assert.deepEqual(r.failureReportUris, []);
    assert.deepEqual(r.failureOptions, ['0']);
    assert.deepEqual(r.reportFormats, ['afrf']);
    assert.equal(r.reportInterval, 86400);
    assert.deepEqual(r.warnings, []);
  });

  test('full record', () => {
    const r = parse(
      'v=DMARC1; p=Quarantine; sp=reject; np=reject; adkim=s; aspf=S; pct=20; rua=mailto:a@example.com!10m, mailto:b@example.net; ruf=mailto:f@example.com!500; fo=1:D:s; rf=afrf; ri=3600;',
    );
    assert.equal(r.policy, 'quarantine');
    assert.equal(r.subdomainPolicy, 'reject');
    assert.equal(r.nonexistentPolicy, 'reject');
    assert.equal(r.dkimAlignment, 'strict');
    assert.equal(r.spfAlignment, 'strict');
    assert.equal(r.pct, 20);
    assert.deepEqual(r.aggregateReportUris, [
      { uri: 'mailto:a@example.com', maxBytes: 10 * 1024 * 1024 },
      { uri: 'mailto:b@example.net' },
    ]);
    assert.deepEqual(r.failureReportUris, [{ uri: 'mailto:f@example.com', maxBytes: 500 }]);
    assert.deepEqual(r.failureOptions, ['1', 'd', 's']);
    assert.equal(r.reportInterval, 3600);
    assert.deepEqual(r.warnings, []);
  });

  test('whitespace around = and ; and tag names in any case', () => {
    const r = parse('v = DMARC1 ;\tP = reject ; ADKIM= s ;');
    assert.equal(r.policy, 'reject');
    assert.equal(r.dkimAlignment, 'strict');
  });

  test('p may come after other tags', () => {
    assert.equal(parse('v=DMARC1; adkim=s; p=reject').policy, 'reject');
  });
});

describe('DMARC record: error rules', () => {
  test('not a DMARC record', () => {
    for (const text of [
      '',
      'p=reject; v=DMARC1',
      'v=DMARC2; p=none',
      'v=DMARC10; p=none',
      'v=dmarc1; p=none',
      'v=DMARC1 p=none',
      'v=spf1 -all',
    ]) {
      const result = parseDmarcRecord(text);
      assert.equal(result.ok, false, text);
      if (!result.ok) assert.equal(result.error.code, 'dmarc.not-dmarc');
      assert.equal(isDmarcRecord(text), false, text);
    }
    assert.equal(isDmarcRecord('v=DMARC1'), true);
    assert.equal(isDmarcRecord('  v=DMARC1;p=none'), true);
    assert.equal(isDmarcRecord(`v=DMARC1${' '.repeat(100)}x; p=none`), false);
    assert.equal(isDmarcRecord(`v=DMARC1${' '.repeat(100)}; p=none`), true);
  });

  test('no p and no rua → policy-missing; invalid p and no rua → policy-missing', () => {
    for (const text of [
      'v=DMARC1',
      'v=DMARC1; sp=reject',
      'v=DMARC1; p=block',
      'v=DMARC1; p=',
      'v=DMARC1; p=reject; sp=maybe',
      'v=DMARC1; p=none; sp=maybe; rua=bogus',
    ]) {
      const result = parseDmarcRecord(text);
      assert.equal(result.ok, false, text);
      if (!result.ok) assert.equal(result.error.code, 'dmarc.policy-missing', text);
    }
  });

  test('no valid p but a valid rua → p=none with a warning; sp and np dropped (RFC 7489 §6.6.3 step 6)', () => {
    const r = parse('v=DMARC1; sp=reject; np=reject; rua=mailto:r@example.com');
    assert.equal(r.policy, 'none');
    assert.equal(r.subdomainPolicy, undefined);
    assert.equal(r.nonexistentPolicy, undefined);
    assert.ok(warningCodes(r).includes('p:dmarc.p-missing-treated-as-none'));
    const r2 = parse('v=DMARC1; p=reject; sp=bogus; rua=mailto:r@example.com');
    assert.equal(r2.policy, 'none');
    assert.equal(r2.subdomainPolicy, undefined);
  });

  test('invalid optional values fall back to their defaults with a warning', () => {
    const r = parse('v=DMARC1; p=reject; adkim=x; aspf=relaxed; pct=101; fo=2; rf=a f; ri=-1; np=drop');
    assert.equal(r.dkimAlignment, 'relaxed');
    assert.equal(r.spfAlignment, 'relaxed');
    assert.equal(r.pct, 100);
    assert.deepEqual(r.failureOptions, ['0']);
    assert.deepEqual(r.reportFormats, ['afrf']);
    assert.equal(r.reportInterval, 86400);
    assert.equal(r.nonexistentPolicy, undefined);
    assert.deepEqual(warningCodes(r).sort(), [
      'adkim:dmarc.invalid-value',
      'aspf:dmarc.invalid-value',
      'fo:dmarc.invalid-value',
      'np:dmarc.invalid-value',
      'pct:dmarc.invalid-value',
      'rf:dmarc.invalid-value',
      'ri:dmarc.invalid-value',
    ]);
  });

  test('pct bounds', () => {
    assert.equal(parse('v=DMARC1; p=reject; pct=0').pct, 0);
    assert.equal(parse('v=DMARC1; p=reject; pct=100').pct, 100);
    assert.equal(parse('v=DMARC1; p=reject; pct=050').pct, 50);
    assert.equal(parse('v=DMARC1; p=reject; pct=1000').pct, 100);
    assert.equal(parse('v=DMARC1; p=reject; pct=5.5').pct, 100);
    assert.equal(parse('v=DMARC1; p=reject; pct=-5').pct, 100);
  });

  test('reporting URIs: invalid ones are dropped, valid ones kept, sizes in k/m/g/t', () => {
    const r = parse(
      'v=DMARC1; p=none; rua=mailto:ok@example.com!1k,not a uri,mailto:,https://r.example/x!2G, mailto:t@x.example!3t; ruf=:nothing',
    );
    assert.deepEqual(r.aggregateReportUris, [
      { uri: 'mailto:ok@example.com', maxBytes: 1024 },
      { uri: 'https://r.example/x', maxBytes: 2 * 2 ** 30 },
      { uri: 'mailto:t@x.example', maxBytes: 3 * 2 ** 40 },
    ]);
    assert.deepEqual(r.failureReportUris, []);
    assert.equal(r.warnings.filter((w) => w.code === 'dmarc.invalid-uri').length, 3);
  });

  test('unknown tags are ignored, duplicates keep the first, malformed elements are skipped', () => {
    const r = parse('v=DMARC1; p=reject; t=y; psd=n; p=none; garbage; =x; 9x=1; v=DMARC1');
    assert.equal(r.policy, 'reject');
    assert.deepEqual(warningCodes(r), [
      't:dmarc.unknown-tag',
      'psd:dmarc.unknown-tag',
      'p:dmarc.duplicate-tag',
      '*:dmarc.malformed-tag',
      '*:dmarc.malformed-tag',
      '*:dmarc.malformed-tag',
      'v:dmarc.duplicate-tag',
    ]);
  });

  test('empty elements and a trailing semicolon are fine', () => {
    const r = parse('v=DMARC1;;p=none;;;');
    assert.equal(r.policy, 'none');
    assert.deepEqual(r.warnings, []);
  });
});

describe('DMARC record: hostile input', () => {
  test('a huge record is refused quickly', () => {
    const result = parseDmarcRecord('v=DMARC1; p=reject; ' + 'x=y; '.repeat(1_000_000));
    assert.equal(result.ok, false);
  });

  test('many tags within the size limit are bounded', () => {
    const result = parseDmarcRecord('v=DMARC1; p=reject; ' + 'x=y;'.repeat(3000));
    assert.ok(result.ok);
    if (result.ok) assert.ok(result.value.warnings.length <= 260);
  });

  test('a size with too many digits is not a size', () => {
    const r = parse('v=DMARC1; p=none; rua=mailto:a@example.com!9999999999999999999999t');
    assert.deepEqual(r.aggregateReportUris, []);
  });
});
