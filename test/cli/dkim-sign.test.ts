/** `dkim sign` warns when its d= domain is not aligned with From: DMARC cannot pass on such a signature. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMailtrust } from '../support/cli.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const sign = (domain: string) =>
  runMailtrust([
    'dkim',
    'sign',
    join(examples, 'message.eml'),
    '--domain',
    domain,
    '--selector',
    's2026',
    '--key',
    join(examples, 'example.com.s2026.key'),
  ]);

test('an unaligned --domain signs, with one warning naming the From domain', async () => {
  const run = await sign('other.example');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^DKIM-Signature: .*d=other\.example;/);
  assert.match(
    run.stderr,
    /^mailtrust: warning: --domain other\.example is not aligned with the From domain example\.com/,
  );
  assert.equal(run.stderr.split('\n').length, 2);
});

test('an aligned --domain (the From domain or under its organizational domain) signs without a word', async () => {
  for (const domain of ['example.com', 'mail.example.com']) {
    const run = await sign(domain);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', domain);
  }
});
