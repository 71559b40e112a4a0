/**
 * The query trace (`dns.queries`) is filled for any `Resolver` the caller passes, not only mailtrust's own client:
 * a plain object that delegates to a zone resolver yields the same questions and outcomes as the zone resolver
 * itself, for every fixture message.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createResolver, evaluate, type Resolver, type TraceEntry } from '../../src/core/index.js';
import { evaluationFixtures, type Fixture } from './streaming-fixtures.js';
import type { Corpus } from '../../bench/corpus.js';

let fixtures: Fixture[];
let corpus: Corpus;
before(async () => {
  const built = await evaluationFixtures();
  fixtures = built.fixtures;
  corpus = built.corpus;
});

/** A resolver that is not a DnsClient: an object of its own whose methods ask another resolver. */
function customResolver(inner: Resolver): Resolver & { asked: number } {
  const custom = {
    asked: 0,
    txt: (name: string) => (custom.asked++, inner.txt(name)),
    a: (name: string) => (custom.asked++, inner.a(name)),
    aaaa: (name: string) => (custom.asked++, inner.aaaa(name)),
    mx: (name: string) => (custom.asked++, inner.mx(name)),
    ptr: (ip: string) => (custom.asked++, inner.ptr(ip)),
  };
  return custom;
}

const questions = (queries: TraceEntry[]) =>
  queries.map((q) => `${q.name} ${q.type} ${q.outcome} ${q.type === 'TXT' ? '' : q.records.join(',')}`).sort();

test('a custom resolver gets the full query trace', async () => {
  for (const fixture of fixtures) {
    const options = { now: corpus.now };
    const own = await evaluate(fixture.raw, fixture.envelope, {
      ...options,
      resolver: createResolver({ zone: corpus.zone }),
    });
    const custom = customResolver(createResolver({ zone: corpus.zone }));
    const theirs = await evaluate(fixture.raw, fixture.envelope, { ...options, resolver: custom });
    assert.ok(theirs.dns.queries.length > 0, fixture.name);
    assert.equal(theirs.dns.queries.length, custom.asked, `${fixture.name}: one entry per question asked`);
    assert.deepEqual(questions(theirs.dns.queries), questions(own.dns.queries), fixture.name);
    assert.equal(theirs.verdict, own.verdict, fixture.name);
  }
});
