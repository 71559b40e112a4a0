/** `mailtrust dkim verify|sign|keygen`, run through the command object with a real resolver on loopback. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimCommand, verifyExitCode } from '../../src/cli/commands/dkim.js';
import { commands } from '../../src/cli/commands/index.js';
import type { CommandEnv, OptionValues } from '../../src/cli/command.js';
import { CliError } from '../../src/cli/errors.js';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { runMailtrust } from '../support/cli.js';

const message =
  'From: Joe <joe@example.com>\nTo: a@example.net\nSubject: hi\nDate: Thu, 1 Jan 2026 00:00:00 +0000\n\nHello.\n';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('mailtrust dkim', () => {
  let server: TestDnsServer;
  let dir: string;
  let stdinData = '';
  const env = (json = false): { env: CommandEnv; out: Run } => {
    const out: Run = { code: -1, stdout: '', stderr: '' };
    return {
      out,
      env: {
        io: {
          stdout: (t) => (out.stdout += t),
          stderr: (t) => (out.stderr += t),
          readStdin: async () => Buffer.from(stdinData),
          interactive: false,
        },
        resolver: createResolver({ servers: [server.address], timeoutMs: 1_000, retries: 0 }),
        now: () => new Date('2026-03-01T00:00:00Z'),
        json,
        policyFile: undefined,
      },
    };
  };
  async function run(values: OptionValues, positionals: string[], json = false): Promise<Run> {
    const { env: e, out } = env(json);
    try {
      out.code = await dkimCommand.run(values, positionals, e);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      out.code = error.exitCode;
      out.stderr += error.message;
    }
    return out;
  }

  before(async () => {
    server = await startTestDnsServer({ records: [], rules: [{ name: /slow\.example\.com$/, action: 'timeout' }] });
    dir = await mkdtemp(join(tmpdir(), 'mailtrust-dkim-'));
    await writeFile(join(dir, 'msg.eml'), message);
    await writeFile(join(dir, 'bad.eml'), 'no header here\n\nbody\n');
  });
  after(async () => server.close());

  test('keygen → publish → sign → verify passes; tampering fails; JSON output', async () => {
    for (const type of ['rsa', 'ed25519']) {
      const selector = `k${type}`;
      const kg = await run({ domain: 'example.com', selector, type, out: dir }, ['keygen'], true);
      assert.equal(kg.code, 0, kg.stderr);
      const info = JSON.parse(kg.stdout) as {
        name: string;
        record: string;
        txtStrings: string[];
        privateKeyFile: string;
      };
      assert.equal(info.name, `${selector}._domainkey.example.com`);
      assert.ok(info.txtStrings.every((s) => s.length <= 255));
      assert.equal(info.txtStrings.join(''), info.record);
      assert.equal((await stat(info.privateKeyFile)).mode & 0o777, 0o600);
      assert.match(await readFile(info.privateKeyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
      server.setRecords(zoneRecords({ [info.name]: { TXT: [info.txtStrings] } }));

      const signed = await run({ domain: 'example.com', selector, key: info.privateKeyFile }, [
        'sign',
        join(dir, 'msg.eml'),
      ]);
      assert.equal(signed.code, 0, signed.stderr);
      assert.match(signed.stdout, /^DKIM-Signature: v=1; a=(rsa|ed25519)-sha256; c=relaxed\/relaxed; d=example.com;/);
      assert.ok(signed.stdout.endsWith(message), 'message kept as it was, LF line ends');
      await writeFile(join(dir, `signed-${type}.eml`), signed.stdout);

      const ok = await run({}, ['verify', join(dir, `signed-${type}.eml`)]);
      assert.equal(ok.code, 0, ok.stdout);
      assert.match(ok.stdout, new RegExp(`^dkim=pass d=example.com s=${selector}`));

      stdinData = signed.stdout.replace('Hello.', 'Hello!');
      const tampered = await run({}, ['verify', '-']);
      assert.equal(tampered.code, 2);
      assert.match(tampered.stdout, /dkim=fail .*\n {2}dkim.body-hash: .*\n {2}fix: /);

      const json = await run({}, ['verify', join(dir, `signed-${type}.eml`)], true);
      const results = JSON.parse(json.stdout) as {
        result: string;
        domain: string;
        selector: string;
        algorithm: string;
      }[];
      assert.deepEqual(
        results.map((r) => [r.result, r.domain, r.selector]),
        [['pass', 'example.com', selector]],
      );
    }
  });

  test('sign keeps an mbox "From " line first', async () => {
    const mbox = join(dir, 'mbox.eml');
    await writeFile(mbox, `From joe@example.com Thu Jan  1 00:00:00 2026\n${message}`);
    const pem = join(dir, 'ked25519._domainkey.example.com.pem');
    const signed = await run({ domain: 'example.com', selector: 'ked25519', key: pem }, ['sign', mbox]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, /^From joe@example\.com Thu Jan {2}1 00:00:00 2026\nDKIM-Signature: /);
  });

  test('sign: an 8-bit message is written byte for byte through stdoutBytes, else refused with 65', async () => {
    const eightBit = join(dir, 'latin1.eml');
    await writeFile(eightBit, Buffer.concat([Buffer.from(message), Buffer.from([0xe9, 0x0a])]));
    const pem = join(dir, 'ked25519._domainkey.example.com.pem');
    const flags = { domain: 'example.com', selector: 'ked25519', key: pem };
    assert.equal((await run(flags, ['sign', eightBit])).code, 65);
    const { env: e } = env();
    let written: Uint8Array | undefined;
    const io = { ...e.io, stdoutBytes: (bytes: Uint8Array) => (written = bytes) };
    assert.equal(await dkimCommand.run(flags, ['sign', eightBit], { ...e, io }), 0);
    assert.ok(written);
    const tail = Buffer.from(written).subarray(-2);
    assert.deepEqual([...tail], [0xe9, 0x0a]);
  });

  test('keygen refuses to overwrite a key, and bad flags', async () => {
    const first = await run({ domain: 'example.org', selector: 'once', out: dir, type: 'ed25519' }, ['keygen']);
    assert.equal(first.code, 0);
    assert.match(first.stdout, /name: {2}once\._domainkey\.example\.org\n {2}value: v=DKIM1; k=ed25519; p=/);
    assert.equal(
      (await run({ domain: 'example.org', selector: 'once', out: dir, type: 'ed25519' }, ['keygen'])).code,
      64,
    );
    assert.equal((await run({ domain: 'example.org', selector: 'x', bits: '512', out: dir }, ['keygen'])).code, 64);
    assert.equal((await run({ domain: 'example.org', selector: 'x', type: 'dsa', out: dir }, ['keygen'])).code, 64);
    assert.equal((await run({ selector: 'x' }, ['keygen'])).code, 64);
  });

  test('exit codes: none 1, missing key temperror 75 / permerror 2, missing file 66, bad message 65, usage 64', async () => {
    assert.equal((await run({}, ['verify', join(dir, 'msg.eml')])).code, 1);
    const noKey = await run({}, ['verify', join(dir, 'signed-rsa.eml')]);
    // records were replaced by the last keygen test: the rsa key is gone now → key-missing
    assert.equal(noKey.code, 2);
    assert.match(noKey.stdout, /dkim=permerror .*\n {2}dkim.key-missing/);
    const slow = (await readFile(join(dir, 'signed-rsa.eml'), 'utf8')).replace('d=example.com;', 'd=slow.example.com;');
    stdinData = slow;
    assert.equal((await run({}, ['verify'])).code, 75);
    assert.equal((await run({}, ['verify', join(dir, 'absent.eml')])).code, 66);
    assert.equal((await run({}, ['verify', join(dir, 'bad.eml')])).code, 65);
    assert.equal((await run({}, ['frob'])).code, 64);
    assert.equal((await run({}, [])).code, 64);
    assert.equal((await run({ domain: 'example.com', selector: 's' }, ['sign', join(dir, 'msg.eml')])).code, 64);
    assert.equal(
      (await run({ domain: 'example.com', selector: 's', key: join(dir, 'nokey.pem') }, ['sign', join(dir, 'msg.eml')]))
        .code,
      66,
    );
    await writeFile(join(dir, 'junk.pem'), 'not a key');
    assert.equal(
      (await run({ domain: 'example.com', selector: 's', key: join(dir, 'junk.pem') }, ['sign', join(dir, 'msg.eml')]))
        .code,
      65,
    );
    const pem = join(dir, 'krsa._domainkey.example.com.pem');
    assert.equal(
      (
        await run({ domain: 'example.com', selector: 's', key: pem, algorithm: 'ed25519-sha256' }, [
          'sign',
          join(dir, 'msg.eml'),
        ])
      ).code,
      64,
    );
    assert.equal(
      (
        await run({ domain: 'example.com', selector: 's', key: pem, algorithm: 'rsa-sha1' }, [
          'sign',
          join(dir, 'msg.eml'),
        ])
      ).code,
      64,
    );
  });

  test('verifyExitCode', () => {
    const r = (result: 'pass' | 'fail' | 'neutral' | 'temperror' | 'permerror' | 'policy') => ({
      result,
      domain: 'd',
      selector: 's',
      algorithm: 'a',
    });
    assert.equal(verifyExitCode([]), 1);
    assert.equal(verifyExitCode([r('pass'), r('pass')]), 0);
    assert.equal(verifyExitCode([r('pass'), r('policy')]), 1);
    assert.equal(verifyExitCode([r('neutral')]), 1);
    assert.equal(verifyExitCode([r('temperror'), r('pass')]), 75);
    assert.equal(verifyExitCode([r('temperror'), r('fail')]), 2);
    assert.equal(verifyExitCode([r('permerror')]), 2);
  });

  test('through the mailtrust executable', async () => {
    assert.ok(commands.some((c) => c.name === 'dkim'));
    const run = await runMailtrust(['dkim', 'verify', join(dir, 'msg.eml'), '--dns', server.address]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /dkim=none/);
  });
});
