/**
 * `createEvaluator()` fed in chunks returns exactly what `evaluate()` returns for the whole message, for every
 * fixture and every split: 1-byte chunks, seeded random boundaries, a split inside the CRLF CRLF that ends the
 * header, and one chunk — with the caller reusing its chunk buffer, as an SMTP server's read loop does.
 *
 * DNS is real: the fixtures' zone is served on 127.0.0.1. Each evaluation gets a fresh resolver without a cache, so
 * every run asks the same questions over the network. The query trace holds wall times (`ms`) and follows the order
 * in which answers arrive, so it is compared as a sorted list without `ms`; everything else is compared exactly.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { seededRandom } from '../support/random.js';
import { createResolver } from '../../src/core/dns/index.js';
import { createEvaluator, evaluate, type Evaluation } from '../../src/core/evaluation/index.js';
import { parsePolicy, type Policy } from '../../src/core/policy/index.js';
import { resolverTimeoutFor, startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import {
  buildMessage,
  fixturesDir,
  loadFixture,
  zoneRecords as scenarioZone,
  type ScenarioFixture,
} from './fixture-format.js';
import { comparable, evaluationFixtures, type Fixture } from './streaming-fixtures.js';

/** Chunk boundaries: sizes of consecutive chunks covering `length` bytes. */
function randomSplits(length: number, seed: number, maxChunk: number): number[] {
  const random = seededRandom(seed);
  const sizes: number[] = [];
  for (let done = 0; done < length;) {
    const size = Math.min(length - done, 1 + Math.floor(random() * maxChunk));
    sizes.push(size);
    done += size;
  }
  return sizes;
}

/** Writes `raw` in chunks of the given sizes through one reused buffer, the way a socket read loop does. */
async function streamed(
  fixture: Fixture,
  sizes: readonly number[],
  options: Parameters<typeof createEvaluator>[1],
): Promise<Evaluation> {
  const evaluator = createEvaluator(fixture.envelope, options);
  const scratch = new Uint8Array(Math.max(1, ...sizes));
  let offset = 0;
  for (const size of sizes) {
    scratch.set(fixture.raw.subarray(offset, offset + size));
    evaluator.write(scratch.subarray(0, size));
    scratch.fill(0x58); // anything kept by reference would now read "XXXX"
    offset += size;
  }
  return evaluator.end();
}

describe('createEvaluator() in chunks equals evaluate()', () => {
  let server: TestDnsServer;
  let fixtures: Fixture[];
  let now: Date;
  before(async () => {
    const built = await evaluationFixtures();
    fixtures = built.fixtures;
    now = built.corpus.now;
    server = await startTestDnsServer({ records: built.corpus.zone });
  });
  after(async () => {
    await server.close();
  });
  const fresh = () => ({
    resolver: createResolver({ servers: [server.address], timeoutMs: 2000, retries: 0, cache: false }),
    now,
  });

  test('the fixtures are not all the same result', async () => {
    const results = new Set<string>();
    for (const fixture of fixtures) {
      const e = await evaluate(fixture.raw, fixture.envelope, fresh());
      results.add(`${e.dkim.map((d) => d.result).join(',')} ${e.arc.result} ${e.spf.result} ${e.dmarc.result}`);
    }
    // Passes, body-hash failures, no signature at all, SPF fail…: the comparisons below mean something.
    assert.ok(results.size >= 5, [...results].join(' | '));
    assert.ok(results.has('pass pass pass pass'));
    assert.ok(results.has('pass none pass pass'));
    // DKIM and ARC share one body hash per c=/l= inside the evaluator: an altered body fails both, for that reason.
    const altered = fixtures.find((f) => f.name === 'ARC message, body altered')!;
    const e = await evaluate(altered.raw, altered.envelope, fresh());
    assert.equal(e.dkim[0]?.error?.code, 'dkim.body-hash');
    assert.equal(e.arc.error?.code, 'arc.body-hash');
  });

  test('every fixture, every split', async () => {
    let compared = 0;
    for (const [k, fixture] of fixtures.entries()) {
      const whole = comparable(await evaluate(fixture.raw, fixture.envelope, fresh()));
      const length = fixture.raw.length;
      const headerEnd = Buffer.from(fixture.raw).indexOf('\r\n\r\n');
      const splits: [string, number[]][] = [
        ['1-byte chunks', Array.from({ length }, () => 1)],
        ['random ≤ 7 bytes', randomSplits(length, 1000 + k, 7)],
        ['random ≤ 300 bytes', randomSplits(length, 2000 + k, 300)],
        ['random ≤ 4096 bytes', randomSplits(length, 3000 + k, 4096)],
        ['one chunk', length > 0 ? [length] : []],
      ];
      if (headerEnd >= 0) splits.push(['inside the CRLF CRLF', [headerEnd + 1, length - headerEnd - 1]]);
      if (headerEnd >= 0) splits.push(['between CRLF and CRLF', [headerEnd + 2, length - headerEnd - 2]]);
      for (const [label, sizes] of splits) {
        const chunked = comparable(await streamed(fixture, sizes, fresh()));
        assert.deepEqual(chunked, whole, `${fixture.name}: ${label}`);
        compared++;
      }
    }
    assert.ok(compared >= fixtures.length * 5);
  });

  test('string chunks equal byte chunks', async () => {
    const fixture = fixtures[0]!;
    const whole = comparable(await evaluate(fixture.raw, fixture.envelope, fresh()));
    const text = Buffer.from(fixture.raw).toString('latin1');
    assert.ok(
      fixture.raw.every((byte) => byte < 0x80),
      'the fixture is ASCII, so its string form has the same bytes',
    );
    const pieces = createEvaluator(fixture.envelope, fresh());
    let offset = 0;
    for (const size of randomSplits(text.length, 9, 500)) {
      pieces.write(text.slice(offset, offset + size));
      offset += size;
    }
    assert.deepEqual(comparable(await pieces.end()), whole);
  });

  test('write after end and a second end() are refused', async () => {
    const fixture = fixtures[0]!;
    const evaluator = createEvaluator(fixture.envelope, fresh());
    evaluator.write(fixture.raw);
    await evaluator.end();
    assert.throws(() => evaluator.write('more'));
    await assert.rejects(evaluator.end());
  });
});

/**
 * The project's message-level scenario fixtures (test/fixtures/evaluate/*.fixture, docs/fixtures.md) streamed the
 * same way: built and served exactly as test/evaluation/fixtures.test.ts does (DNS trouble rules included), each
 * evaluated whole and in 1-byte, random and single chunks.
 */
describe('createEvaluator() in chunks equals evaluate() for every scenario fixture', { concurrency: 4 }, () => {
  const names = readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.fixture'))
    .map((f) => f.slice(0, -'.fixture'.length))
    .sort();

  test('there are scenario fixtures', () => {
    assert.ok(names.length > 0);
  });

  for (const name of names) {
    test(name, async (t) => {
      // A fixture that does not load or build is reported by fixtures.test.ts ("every one parses", its own test);
      // here there is then no message to stream, so the case is skipped with that reason.
      let fixture: ScenarioFixture;
      try {
        fixture = loadFixture(name);
      } catch (error) {
        t.skip(`the fixture does not load: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      const server = await startTestDnsServer({ records: scenarioZone(fixture) });
      try {
        let raw: Uint8Array;
        try {
          raw = await buildMessage(fixture, createResolver({ servers: [server.address], timeoutMs: 10_000 }));
        } catch (error) {
          t.skip(`the fixture's message cannot be built: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        server.setRules(fixture.rules);
        let policy: Policy | undefined;
        if (fixture.policy !== undefined) {
          const parsed = parsePolicy(fixture.policy);
          assert.ok(parsed.ok, `${name}: the policy parses`);
          policy = parsed.value;
        }
        const timeoutMs = resolverTimeoutFor(fixture.rules);
        const options = () => ({
          resolver: createResolver({ servers: [server.address], timeoutMs, retries: 0, cache: false }),
          now: fixture.now,
          ...(policy ? { policy } : {}),
        });
        const uncached = await evaluate(raw, fixture.envelope, options());
        const whole = comparable(uncached);
        const scenario: Fixture = { name, raw, envelope: fixture.envelope };
        const splits: [string, number[]][] = [
          ['1-byte chunks', Array.from({ length: raw.length }, () => 1)],
          ['random ≤ 64 bytes', randomSplits(raw.length, raw.length, 64)],
          ['one chunk', raw.length > 0 ? [raw.length] : []],
        ];
        for (const [label, sizes] of splits) {
          assert.deepEqual(comparable(await streamed(scenario, sizes, options())), whole, `${name}: ${label}`);
        }
        // From a warm cache every answer is known at once and the checks finish without waiting for DNS (their
        // synchronous path); a cold cache waits for each. Both find what the uncached evaluation found.
        const caching = createResolver({ servers: [server.address], timeoutMs, retries: 0, cache: true });
        const cold = await evaluate(raw, fixture.envelope, { ...options(), resolver: caching });
        const warm = await evaluate(raw, fixture.envelope, { ...options(), resolver: caching });
        assert.deepEqual(sameAnswers(cold), sameAnswers(uncached), `${name}: cold cache`);
        assert.deepEqual(sameAnswers(warm), sameAnswers(cold), `${name}: warm cache`);
        if (fixture.rules.length === 0) {
          const fromNetwork = warm.dns.queries.filter((q) => q.source !== 'cache');
          assert.deepEqual(fromNetwork, [], `${name}: the warm evaluation asked the network`);
        }
      } finally {
        await server.close();
      }
    });
  }
});

/**
 * An evaluation with its DNS trace reduced to the questions and answers (name, type, outcome, records): where an
 * answer came from, its remaining TTL and its wall time differ between a cold and a warm cache.
 */
function sameAnswers(evaluation: Evaluation): unknown {
  const queries = evaluation.dns.queries
    .map(({ name, type, outcome, records }) => JSON.stringify({ name, type, outcome, records }))
    .sort();
  return { ...evaluation, dns: { queries } };
}
