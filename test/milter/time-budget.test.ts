/**
 * The milter's time budget over the resolver every message uses: answers known without waiting are given at once (no promise)
 * until the budget is spent, lookups still pending then answer `timeout`, and afterwards every lookup does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResolver, DnsClient, type DnsAnswer, type Resolver } from '../../src/core/index.js';
import { budgetedResolver, MessageBudget } from '../../src/milter/time-budget.js';

const zone = createResolver({
  zone: [{ name: 'example.com', ttl: 3600, type: 'A', address: '192.0.2.1' }],
});

/** A resolver whose every lookup waits until released. */
function waitingResolver(): { resolver: Resolver; release: () => void } {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const answer = async (): Promise<DnsAnswer<string>> => {
    await released;
    return { ok: true, records: ['late'], ttl: 60 };
  };
  return {
    resolver: { txt: answer, a: answer, aaaa: answer, ptr: answer, mx: async () => ({ ok: false, kind: 'nxdomain' }) },
    release,
  };
}

describe('budgetedResolver', () => {
  test('a DnsClient stays a DnsClient and answers what it knows at once', async () => {
    const budget = new MessageBudget();
    const budgeted = budgetedResolver(zone, budget);
    assert.ok(budgeted instanceof DnsClient);
    assert.deepEqual(budgeted.known?.('a', 'example.com'), await zone.a('example.com'));
    assert.deepEqual(await budgeted.a('example.com'), await zone.a('example.com'));
  });

  test('once the budget is spent nothing is known and every lookup answers timeout', async () => {
    const budget = new MessageBudget();
    const budgeted = budgetedResolver(zone, budget);
    budget.spend();
    assert.equal(budgeted.known?.('a', 'example.com'), undefined);
    const answer = await budgeted.a('example.com');
    assert.equal(answer.ok, false);
    assert.equal(!answer.ok && answer.kind, 'timeout');
  });

  test('a lookup pending at the budget answers timeout; known answers pass through another resolver', async () => {
    const { resolver, release } = waitingResolver();
    const known: Resolver = { ...resolver, known: () => ({ ok: true, records: ['known'], ttl: 60 }) as never };
    const budget = new MessageBudget();
    const budgeted = budgetedResolver(known, budget);
    assert.deepEqual(budgeted.known?.('a', 'example.com'), { ok: true, records: ['known'], ttl: 60 });
    const pending = budgeted.a('example.com');
    budget.spend();
    assert.deepEqual(await pending, { ok: false, kind: 'timeout' });
    assert.equal(budgeted.known?.('a', 'example.com'), undefined);
    release();
  });
});
