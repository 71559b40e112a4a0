// The scenario fixtures of test/fixtures/evaluate sent over SMTP with swaks — XCLIENT gives each its client IP
// and HELO — are evaluated by the test address exactly as `evaluate()` evaluates the same message and envelope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createResolver, evaluate, type Evaluation, parsePolicy } from '../../src/core/index.js';
import { buildMessage, fixturesDir, loadFixture, zoneRecords } from '../evaluation/fixture-format.js';
import { tempDir } from '../server/serve-process.js';
import { TEST_DOMAIN, startHarness, swaks } from './harness.js';

/** Fixtures that cannot be sent over SMTP as written, each with the reason. */
const NOT_OVER_SMTP: Record<string, string> = {
  // SMTP requires a greeting before MAIL (RFC 5321 §4.1.4); a session without HELO/EHLO cannot carry a message.
  'helo-missing-low': 'no HELO: an SMTP session cannot send MAIL FROM without a greeting',
};

/** The evaluation without its DNS trace: the service's resolver is shared and caches, so timings and sources differ. */
function withoutTrace(evaluation: Evaluation): Omit<Evaluation, 'dns'> {
  const { dns: _dns, ...rest } = evaluation;
  return rest;
}

const names = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.fixture'))
  .map((f) => f.slice(0, -'.fixture'.length))
  .sort();

test('every scenario fixture over SMTP equals evaluate() field by field', async (t) => {
  const dir = tempDir();
  let compared = 0;
  for (const name of names) {
    if (NOT_OVER_SMTP[name]) {
      t.diagnostic(`${name}: not sent (${NOT_OVER_SMTP[name]})`);
      continue;
    }
    const fixture = loadFixture(name);
    const policy = fixture.policy !== undefined ? parsePolicy(fixture.policy) : undefined;
    if (policy && !policy.ok) throw new Error(`${name}: policy does not parse`);
    const h = await startHarness({
      records: zoneRecords(fixture),
      rules: fixture.rules,
      now: () => fixture.now.getTime(),
      top: fixture.policy !== undefined ? { policy: JSON.parse(fixture.policy) as unknown } : {},
    });
    try {
      const raw = await buildMessage(fixture, createResolver({ servers: [h.dns.address], cache: false }));
      const file = join(dir, `${name}.eml`);
      writeFileSync(file, raw);
      const { ip, helo, mailFrom } = fixture.envelope;
      const to = `${name}@${TEST_DOMAIN}`;
      const from = mailFrom === undefined || mailFrom === '<>' || mailFrom === '' ? '' : mailFrom;
      const r = await swaks(
        h.smtpPort,
        [
          '--to',
          to,
          '--from',
          from === '' ? '<>' : from,
          '--ehlo',
          helo!,
          '--xclient',
          `ADDR=${ip} HELO=${helo!}`,
          '--data',
          `@${file}`,
        ],
        60_000,
      );
      assert.equal(r.code, 0, `${name}: swaks failed\n${r.stdout}\n${r.stderr}`);
      const stored = (await h.store.messages()).find((m) => m.localPart === name);
      assert.ok(stored, `${name}: stored`);
      const direct = await evaluate(
        raw,
        { ip, helo: helo!, mailFrom: from, rcptTo: [to] },
        {
          resolver: createResolver({ servers: [h.dns.address], cache: false }),
          now: fixture.now,
          authservId: 'mx.test.example',
          receiver: 'mx.test.example',
          ...(policy?.ok ? { policy: policy.value } : {}),
        },
      );
      assert.deepEqual(withoutTrace(stored.evaluation), withoutTrace(direct), name);
      // The same questions were asked (the shared cache may answer some of them).
      const asked = (e: Evaluation) => [...new Set(e.dns.queries.map((q) => `${q.name} ${q.type}`))].sort();
      assert.deepEqual(asked(stored.evaluation), asked(direct), `${name}: DNS questions`);
      compared++;
    } finally {
      await h.close();
    }
  }
  assert.equal(compared, names.length - Object.keys(NOT_OVER_SMTP).length);
  assert.ok(compared >= 80, `${compared} fixtures compared`);
});
