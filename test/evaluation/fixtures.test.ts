/**
 * The message-level scenario fixtures (test/fixtures/evaluate/*.fixture, format in docs/fixtures.md), each served
 * by the loopback DNS server and evaluated twice — by `evaluate()` and by `mailtrust check --json` — with the
 * expectations asserted on both and the two evaluations required to agree. Then the property of docs/trust-model.md:
 * for good fixtures, any one DNS lookup timing out never yields `trusted` and always sets `retryable`.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createResolver } from '../../src/core/dns/index.js';
import { evaluate, type Evaluation } from '../../src/core/evaluation/index.js';
import { parsePolicy, type Policy } from '../../src/core/policy/index.js';
import { runMailtrust } from '../support/cli.js';
import { withFixtureServer } from './fixture-server.js';
import { resolverTimeoutFor, type Rule } from '../support/dns-server.js';
import { DESIGN_EVALUATION_FIELDS } from '../support/evaluation-fields.js';
import {
  checkExpectations,
  exitCodeFor,
  fixturesDir,
  expandZone,
  loadFixture,
  parseFixture,
  type ScenarioFixture,
} from './fixture-format.js';

const names = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.fixture'))
  .map((f) => f.slice(0, -'.fixture'.length))
  .sort();

/** The fields of docs/cli.md that the library and the CLI must report alike (not `dns`: its times differ). */
const COMPARED = [...DESIGN_EVALUATION_FIELDS, 'fromDomain'] as const;

function comparable(evaluation: unknown): Record<string, unknown> {
  const source = JSON.parse(JSON.stringify(evaluation)) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of COMPARED) out[key] = source[key];
  return out;
}

function policyOf(fixture: ScenarioFixture): Policy | undefined {
  if (fixture.policy === undefined) return undefined;
  const parsed = parsePolicy(fixture.policy);
  if (!parsed.ok) assert.fail(`${fixture.name}: policy: ${parsed.error.message}`);
  return parsed.value;
}

/**
 * Library evaluation over the loopback server: no retries, a fresh cache. The timeout is generous unless the
 * fixture's rules drop questions (the CLI processes running beside it load the machine; a late answer must not
 * become a false temperror), and short for the property runs.
 */
function evaluateWith(
  fixture: ScenarioFixture,
  raw: Uint8Array,
  address: string,
  timeoutMs = resolverTimeoutFor(fixture.rules),
): Promise<Evaluation> {
  const resolver = createResolver({ servers: [address], timeoutMs, retries: 0, cache: true });
  const policy = policyOf(fixture);
  return evaluate(raw, fixture.envelope, { resolver, now: fixture.now, ...(policy ? { policy } : {}) });
}

function describeFixture(fixture: ScenarioFixture): string {
  const first = fixture.description.split('\n')[0] ?? '';
  return first === '' ? fixture.name : `${fixture.name}: ${first}`;
}

describe('fixture format (pure)', () => {
  const minimal = (extra = '') =>
    `About.\n\n--- zone\nexample.com. TXT "x"\n\n--- envelope\nip 192.0.2.1\n\n--- message\nFrom: a@example.com\n\nHi\n\n--- expect\nverdict: trusted\n${extra}`;

  test('parses sections, rules from the zone and from dns-rules, and the envelope', () => {
    const f = parseFixture('x', minimal().replace('--- zone\n', '--- zone\n; @rule timeout _dmarc.example.com TXT\n'));
    assert.deepEqual(f.rules, [{ name: '_dmarc.example.com', action: 'timeout', type: 'TXT' }]);
    assert.deepEqual(f.envelope, { ip: '192.0.2.1' });
    assert.equal(f.message, 'From: a@example.com\n\nHi\n');
    assert.equal(f.description, 'About.');
  });

  test('rejects what it does not understand, naming the line', () => {
    assert.throws(
      () => parseFixture('x', minimal().replace('--- expect', '--- expectations')),
      /x\.fixture:\d+: unknown section/,
    );
    assert.throws(() => parseFixture('x', minimal().replace('ip 192.0.2.1', 'helo a.example')), /needs an ip line/);
    assert.throws(
      () => parseFixture('x', minimal().replace('--- zone', '--- sign\ndkim d=a.example\n--- zone')),
      /s= is required/,
    );
    assert.throws(() => parseFixture('x', `${minimal()}--- then\nfrobnicate\n`), /unknown step "frobnicate"/);
    assert.throws(() => parseFixture('x', `${minimal()}--- dns-rules\nexplode a.example\n`), /a DNS rule is/);
  });

  test('expands a key placeholder into quoted strings of at most 255 bytes', () => {
    const zone = expandZone('s1._domainkey.example.com. TXT {{dkim:example.com t=y}}');
    const strings = [...zone.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(strings.length >= 2 && strings.every((s) => s.length <= 255));
    assert.match(strings.join(''), /^v=DKIM1; k=rsa; t=y; p=MII/);
    assert.match(expandZone('{{dkim:ed25519.example.com}}'), /k=ed25519; p=[A-Za-z0-9+/]{43}=/);
  });

  test('the checker reports every kind of mismatch, and nothing when all hold', () => {
    const evaluation = {
      verdict: 'low',
      retryable: false,
      spf: { result: 'pass', domain: 'example.com' },
      dkim: [{ result: 'fail', error: { code: 'dkim.body-hash' } }],
      reasons: [{ id: 'ptr.missing', level: 'low', message: 'no PTR' }],
    };
    const expect = (text: string) => parseFixture('x', minimal(text).replace('verdict: trusted\n', '')).expect;
    const holds = expect(
      'verdict: low\nretryable: false\nspf: pass\ndkim: fail\ndkim[0].error.code: dkim.body-hash\n' +
        'reasons-include: ptr.missing\nreasons-exclude: dns.temperror\nlevels: ptr.missing=low\n' +
        'spf: pass\nspf.domain: example.com\nreasons[0].message~: PTR\nreasons[0].message!~: HELO\n',
    );
    assert.deepEqual(checkExpectations(evaluation, holds), []);
    const wrong = expect(
      'verdict: trusted\nretryable: true\nspf: fail\ndkim: none\ndkim[0].error.code: dkim.signature\n' +
        'reasons-include: helo.localhost\nreasons-exclude: ptr.missing\nlevels: ptr.missing=info\n' +
        'spf.domain: example.net\nreasons[0].message~: HELO\nreasons[0].message!~: PTR\n',
    );
    assert.equal(checkExpectations(evaluation, wrong).length, wrong.length);
  });
});

let workDir: string;
before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'mailtrust-fixtures-'));
});
after(() => rm(workDir, { recursive: true, force: true }));

describe('scenario fixtures: library and CLI', { concurrency: 4 }, () => {
  test('there are fixtures, and every one parses', () => {
    assert.ok(names.length >= 50, `${names.length} fixtures`);
    for (const name of names) assert.doesNotThrow(() => loadFixture(name), name);
  });

  for (const name of names) {
    const fixture = loadFixture(name);
    const todo = fixture.expect.find((e) => e.key === 'todo')?.value;
    test(describeFixture(fixture), todo !== undefined ? { todo } : {}, async () => {
      await withFixtureServer(fixture, async (server, raw) => {
        // The message is built (and ARC-sealed) while DNS answers; the fixture's DNS trouble starts afterwards.
        server.setRules(fixture.rules);

        const file = join(workDir, `${name}.eml`);
        await writeFile(file, raw);
        const args = ['check', file, '--dns', server.address, '--json', '--now', fixture.now.toISOString()];
        args.push('--ip', fixture.envelope.ip);
        if (fixture.envelope.helo !== undefined) args.push('--helo', fixture.envelope.helo);
        if (fixture.envelope.mailFrom !== undefined) args.push('--mail-from', fixture.envelope.mailFrom);
        for (const rcpt of fixture.envelope.rcptTo ?? []) args.push('--rcpt', rcpt);
        if (fixture.policy !== undefined) {
          const policyFile = join(workDir, `${name}.policy.json`);
          await writeFile(policyFile, fixture.policy);
          args.push('--policy', policyFile);
        }

        const [library, cli] = await Promise.all([evaluateWith(fixture, raw, server.address), runMailtrust(args)]);

        const libraryProblems = checkExpectations(library, fixture.expect);
        assert.deepEqual(libraryProblems, [], `library: ${name}.fixture\n${libraryProblems.join('\n')}`);

        let cliEvaluation: unknown;
        try {
          cliEvaluation = JSON.parse(cli.stdout);
        } catch {
          assert.fail(`CLI printed no JSON (exit ${cli.code}): ${cli.stderr}`);
        }
        const cliProblems = checkExpectations(cliEvaluation, fixture.expect);
        assert.deepEqual(cliProblems, [], `CLI: ${name}.fixture\n${cliProblems.join('\n')}`);
        const cliExit = fixture.expect.find((e) => e.key === 'cli-exit')?.value;
        assert.equal(cli.code, cliExit !== undefined ? Number(cliExit) : exitCodeFor(library.verdict), cli.stderr);

        assert.deepEqual(comparable(cliEvaluation), comparable(library), 'the library and the CLI agree');
      });
    });
  }
});

/**
 * Good fixtures for the property: each is trusted as it stands. For each, every distinct lookup the evaluation made
 * is made to time out in turn (a server rule for that name and type, a fresh resolver with a 150 ms timeout and no
 * retries). The CLI path is left out here: it waits 2 s per timeout.
 */
const PROPERTY_FIXTURES = [
  'aligned-spf-dkim-pass',
  'guide-ptr-correct-trusted',
  'guide-spf-mx-mechanism-pass',
  'forwarded-srs-dkim-intact',
  'esp-customer-domain-relay-trusted',
];
const MAX_RUNS_PER_FIXTURE = 16;

describe('property: one DNS lookup timing out never yields trusted, and sets retryable', { concurrency: 2 }, () => {
  for (const name of PROPERTY_FIXTURES) {
    test(name, async () => {
      const fixture = loadFixture(name);
      await withFixtureServer(fixture, async (server, raw) => {
        const baseline = await evaluateWith(fixture, raw, server.address);
        assert.equal(baseline.verdict, 'trusted', `${name} is a good fixture`);
        const queries = new Map<string, { name: string; type: string }>();
        for (const q of baseline.dns.queries) queries.set(`${q.name.toLowerCase()} ${q.type}`, q);
        assert.ok(queries.size > 0, 'the evaluation made lookups');
        const chosen = [...queries.values()].slice(0, MAX_RUNS_PER_FIXTURE);
        for (const query of chosen) {
          const what = `${query.name} ${query.type}`;
          const rule: Rule = { name: query.name, type: query.type, action: 'timeout' };
          server.setRules([rule]);
          const evaluation = await evaluateWith(fixture, raw, server.address, 150);
          const timedOut = evaluation.dns.queries.some(
            (q) =>
              q.name.toLowerCase() === query.name.toLowerCase() && q.type === query.type && q.outcome === 'timeout',
          );
          assert.ok(timedOut, `${what} was looked up again and timed out`);
          assert.notEqual(evaluation.verdict, 'trusted', `${what} timing out gave trusted`);
          assert.equal(evaluation.retryable, true, `${what} timing out: retryable`);
          assert.ok(
            evaluation.reasons.some((r) => r.id === 'dns.temperror'),
            `${what} timing out: dns.temperror among ${evaluation.reasons.map((r) => r.id).join(' ')}`,
          );
        }
      });
    });
  }
});
