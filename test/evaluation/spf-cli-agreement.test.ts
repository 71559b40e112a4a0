/**
 * `mailtrust spf --json` and the `spf` object of `mailtrust check --json` report one SPF check: over every scenario
 * fixture (test/fixtures/evaluate, docs/fixtures.md), with the fixture's DNS on the loopback server, `spf` is run
 * with the envelope `check` evaluated, and both must name the same result, domain, identity, matching mechanism and
 * lookup counts. `spf --json` writes `mechanism: null` where `check --json` leaves the field out (docs/spf.md); both
 * mean that no term decided.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { OptionValues } from '../../src/cli/command.js';
import { checkCommand } from '../../src/cli/commands/check.js';
import { spfCommand } from '../../src/cli/commands/spf.js';
import { createResolver } from '../../src/core/dns/index.js';
import { runCommand } from '../support/cli.js';
import { withFixtureServer } from './fixture-server.js';
import { fixturesDir, loadFixture } from './fixture-format.js';

const names = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.fixture'))
  .map((f) => f.slice(0, -'.fixture'.length))
  .sort();

/** The fields both print, `mechanism` with its absence written as null. */
const FIELDS = ['result', 'domain', 'identity', 'mechanism', 'lookups', 'voidLookups'] as const;

function spfFields(spf: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((key) => [key, key === 'mechanism' ? (spf[key] ?? null) : spf[key]]));
}

interface CheckJson {
  envelope: { ip: string; helo?: string; mailFrom?: string };
  spf: Record<string, unknown>;
}

let workDir: string;
before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'mailtrust-spf-agree-'));
});
after(() => rm(workDir, { recursive: true, force: true }));

describe('spf --json and check --json name the same SPF outcome', { concurrency: 4 }, () => {
  const matched: string[] = [];
  after(() => {
    // The guard means something only if many fixtures reach a mechanism.
    assert.ok(matched.length >= 20, `${matched.length} fixtures with a matching mechanism`);
  });

  for (const name of names) {
    test(name, async () => {
      const fixture = loadFixture(name);
      await withFixtureServer(fixture, async (server, raw) => {
        server.setRules(fixture.rules);
        const file = join(workDir, `${name}.eml`);
        await writeFile(file, raw);
        const env = () => ({
          resolver: createResolver({ servers: [server.address], timeoutMs: 1500, retries: 0 }).withTrace(),
          now: () => fixture.now,
          json: true,
          policyFile: undefined,
        });

        const e = fixture.envelope;
        const checkValues: OptionValues = { ip: e.ip };
        if (e.helo !== undefined) checkValues['helo'] = e.helo;
        if (e.mailFrom !== undefined) checkValues['mail-from'] = e.mailFrom;
        if (e.rcptTo !== undefined) checkValues['rcpt'] = e.rcptTo;
        const check = await runCommand(checkCommand, checkValues, [file], env());
        const checked = JSON.parse(check.stdout) as CheckJson;

        // The envelope check evaluated (its MAIL FROM may come from the message's Return-Path).
        const { ip, helo, mailFrom } = checked.envelope;
        const spfValues: OptionValues = { ip, 'mail-from': mailFrom ?? '<>' };
        if (helo !== undefined) spfValues['helo'] = helo;
        if ((mailFrom ?? '') === '' && helo === undefined) {
          // `spf` needs a HELO for the null sender; check then has no identity to check either.
          assert.equal(checked.spf['result'], 'none', `${name}: no identity, no SPF result`);
          return;
        }
        const spf = await runCommand(spfCommand, spfValues, [], env());
        const alone = JSON.parse(spf.stdout) as Record<string, unknown>;

        assert.deepEqual(spfFields(alone), spfFields(checked.spf), `${name}: spf --json vs check --json`);
        if (alone['mechanism'] !== null) matched.push(name);
      });
    });
  }
});
