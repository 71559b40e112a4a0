/**
 * The milter in a real mail flow: a private Postfix 3.7 instance (loopback 127.0.2.1, its own directories) with the
 * main.cf lines of docs/milter.md, relaying to a loopback sink; swaks sends each scenario fixture with XCLIENT
 * playing the fixture's sending server. The sink must receive Authentication-Results as the first field (above
 * Postfix's Received) and the verdict of `evaluate()`; forged fields gone; the SMTP client must see 550 / 451 for
 * reject / tempfail and nothing be delivered for them; with `low = "quarantine"` the message must sit in Postfix's
 * hold queue and never reach the sink; mail submitted with the instance's `sendmail` (non_smtpd_milters) must reach
 * the sink with our fields. Then mailtrust is killed while Postfix is sending: Postfix applies
 * `milter_default_action = accept` and no message is lost.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createResolver, evaluate } from '../../src/core/index.js';
import { startMilter, type MilterActions, type MilterHandle } from '../../src/milter/index.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { freePort, postfixUnavailable, startPostfix, type PostfixInstance } from './postfix-instance.js';
import { loadScenario, type Scenario } from './scenarios.js';
import { startSink, type Sink, type SunkMessage } from './sink.js';

const HOST = '127.0.2.1';
const AUTHSERV = 'mx.test';
const unavailable = postfixUnavailable();
if (unavailable && process.env['CI'] === 'true') throw new Error(`Postfix end-to-end test cannot run: ${unavailable}`);

/** The Postfix block of docs/milter.md, with the milter's address made this test's. */
function documentedMainCf(milterHost: string, milterPort: number): string {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/milter.md', import.meta.url)), 'utf8');
  const block = /Add to `main\.cf`[\s\S]*?```\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(block, 'docs/milter.md has no main.cf block');
  assert.match(block, /inet:127\.0\.0\.1:8891/);
  return block.replace('inet:127.0.0.1:8891', `inet:${milterHost}:${milterPort}`);
}

interface Sent {
  code: number;
  output: string;
}

/** Sends the scenario's message with swaks, XCLIENT playing the fixture's client; the final reply's code. */
function swaks(postfix: PostfixInstance, scenario: Scenario, raw: Uint8Array, tag: string): Promise<Sent> {
  const envelope = scenario.fixture.envelope;
  const file = join(postfix.dir, `${tag}.eml`);
  // Every message carries a tag, so the sink can tell them apart.
  const text = Buffer.from(raw).toString('latin1').replace(/\n\n/, `\nX-Test-Tag: ${tag}\n\n`);
  writeFileSync(file, text, 'latin1');
  const args = [
    '--server',
    postfix.host,
    '--port',
    String(postfix.port),
    '--xclient-addr',
    envelope.ip,
    '--xclient-name',
    '[UNAVAILABLE]',
    '--ehlo',
    envelope.helo ?? 'localhost',
    '--from',
    envelope.mailFrom || '<>',
    '--data',
    `@${file}`,
    '--timeout',
    '60',
  ];
  for (const rcpt of envelope.rcptTo ?? ['bob@example.net']) args.push('--to', rcpt);
  return new Promise((resolve) => {
    execFile('/usr/bin/swaks', args, { timeout: 90_000 }, (_error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      // The reply to the end of DATA: the last "<~ NNN" line after the dot.
      const afterDot = output.slice(output.lastIndexOf(' -> .'));
      // swaks marks replies "<-" and error replies "<**".
      const code = Number(/^<(?:-|\*\*)\s+(\d{3})/m.exec(afterDot)?.[1] ?? 0);
      resolve({ code, output });
    });
  });
}

function headerBlock(message: SunkMessage): string[] {
  const head = message.raw.slice(0, message.raw.indexOf('\r\n\r\n'));
  return head.split(/\r\n(?![ \t])/);
}

const POSTQUEUE = '/usr/sbin/postqueue';
const POSTSUPER = '/usr/sbin/postsuper';
const POSTCAT = '/usr/sbin/postcat';
const SENDMAIL = '/usr/sbin/sendmail';
const run = promisify(execFile);

/** The instance's queue as `postqueue -j` lists it (one JSON object per message). */
async function queue(postfix: PostfixInstance): Promise<{ queue_id: string; queue_name: string }[]> {
  const { stdout } = await run(POSTQUEUE, ['-c', join(postfix.dir, 'etc'), '-j']);
  return stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as { queue_id: string; queue_name: string });
}

/** Submits `text` with the instance's own `sendmail -C` (the non-SMTP path: postdrop, pickup, cleanup). */
function sendmail(postfix: PostfixInstance, args: string[], text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(SENDMAIL, ['-C', join(postfix.dir, 'etc'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
    child.stdin.end(text, 'latin1');
  });
}

const field = (lines: string[], name: string) =>
  lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));

describe('Postfix with the milter', { skip: unavailable ?? false }, () => {
  let dns: TestDnsServer;
  let sink: Sink;
  let postfix: PostfixInstance;
  let milter: MilterHandle;
  let now = new Date();
  let child: ChildProcess | undefined;

  before(async () => {
    dns = await startTestDnsServer();
    sink = await startSink(HOST);
    milter = await startMilter({
      milter: { listen: { host: HOST, port: 0 } },
      hostname: AUTHSERV,
      evaluate: { resolver: createResolver({ servers: [dns.address], timeoutMs: 3000, retries: 0, cache: false }) },
      clock: () => now,
    });
    postfix = await startPostfix({
      host: HOST,
      relay: { host: HOST, port: sink.port },
      mainCf: documentedMainCf(HOST, milter.address.port),
    });
  });

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await postfix?.stop();
    await milter?.close(500);
    await sink?.close();
    await dns?.close();
  });

  /** Points DNS at the scenario, sends it, and returns what swaks saw and what the sink got (if anything). */
  async function send(
    scenario: Scenario,
    tag: string,
    raw = scenario.raw,
  ): Promise<{ sent: Sent; delivered?: SunkMessage }> {
    dns.setRecords(scenario.zone);
    dns.setRules(scenario.rules);
    now = scenario.fixture.now;
    const sent = await swaks(postfix, scenario, raw, tag);
    if (sent.code !== 250) return { sent };
    const delivered = await sink.waitFor((m) => m.raw.includes(`X-Test-Tag: ${tag}\r\n`));
    return { sent, delivered };
  }

  for (const name of [
    'aligned-spf-dkim-pass',
    'guide-helo-localhost-low',
    'esp-customer-domain-default-low',
    'dkim-ed25519-pass',
    'no-dmarc-record-unauthenticated',
  ]) {
    test(`${name}: delivered with Authentication-Results first and the verdict of evaluate()`, async () => {
      const scenario = await loadScenario(name);
      const { sent, delivered } = await send(scenario, name);
      assert.equal(sent.code, 250, sent.output);
      assert.ok(delivered);
      const engine = await evaluate(scenario.raw, scenario.fixture.envelope, {
        resolver: createResolver({ servers: [dns.address], timeoutMs: 3000, retries: 0, cache: false }),
        now: scenario.fixture.now,
        authservId: AUTHSERV,
        ...(scenario.policy ? { policy: scenario.policy } : {}),
      });
      const lines = headerBlock(delivered);
      // First field: ours, above Postfix's own Received; folded with CRLF + TAB, no stray CR, one space after ':'.
      assert.ok(lines[0]!.startsWith(`Authentication-Results: ${AUTHSERV};`), lines[0]);
      assert.match(lines[1]!, /^Received: from /);
      assert.doesNotMatch(lines[0]!, /\r(?!\n)/);
      assert.equal(lines[0]!.replace(/\r\n\t/g, ' '), engine.authenticationResults);
      assert.deepEqual(field(lines, 'X-Mailtrust-Verdict'), [`X-Mailtrust-Verdict: ${engine.verdict}`]);
      const reasons = field(lines, 'X-Mailtrust-Reasons').map((l) => l.replace(/\r\n\t/g, ' '));
      assert.deepEqual(
        reasons,
        engine.reasons.length > 0 ? [`X-Mailtrust-Reasons: ${engine.reasons.map((r) => r.id).join(', ')}`] : [],
      );
      // The body arrives as sent (swaks ends the data with one more line break of its own).
      const body = Buffer.from(scenario.raw).toString('latin1').split('\n\n').slice(1).join('\n\n');
      const received = delivered.raw.slice(delivered.raw.indexOf('\r\n\r\n') + 4).replace(/\r\n/g, '\n');
      assert.equal(received.replace(/\n+$/, '\n'), body.replace(/\n+$/, '\n'));
    });
  }

  test('forged Authentication-Results and X-Mailtrust-* fields are removed, another host’s stays', async () => {
    const scenario = await loadScenario('aligned-spf-dkim-pass');
    const forged = Buffer.concat([
      Buffer.from(
        'Authentication-Results: mx.test; dmarc=pass header.from=example.com\n' +
          'X-Mailtrust-Verdict: trusted\n' +
          'Authentication-Results: mx.test.other; spf=fail smtp.mailfrom=example.com\n' +
          'Authentication-Results: (forged) MX.Test 1;\n dkim=pass header.d=example.com\n' +
          'x-mailtrust-reasons: none\n',
      ),
      scenario.raw,
    ]);
    const { sent, delivered } = await send(scenario, 'forged', forged);
    assert.equal(sent.code, 250, sent.output);
    const lines = headerBlock(delivered!);
    const authres = field(lines, 'Authentication-Results');
    assert.equal(authres.length, 2, authres.join('\n'));
    assert.ok(authres[0]!.startsWith(`Authentication-Results: ${AUTHSERV}; iprev=pass`));
    assert.equal(authres[1], 'Authentication-Results: mx.test.other; spf=fail smtp.mailfrom=example.com');
    assert.deepEqual(
      lines.filter((l) => /^x-mailtrust-/i.test(l)),
      ['X-Mailtrust-Verdict: trusted'],
    );
  });

  test('untrusted: the client sees 550 5.7.1 with the reason; nothing is delivered', async () => {
    const scenario = await loadScenario('spoofed-from-spf-fail-no-dkim');
    const before = sink.messages.length;
    const { sent } = await send(scenario, 'spoofed');
    assert.equal(sent.code, 550, sent.output);
    assert.match(sent.output, /^<\*\*\s+550 5\.7\.1 [\x20-\x7e]+$/m);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sink.messages.length, before);
    assert.ok(!sink.messages.some((m) => m.raw.includes('X-Test-Tag: spoofed')));
  });

  test('DNS temperror: the client sees 451 4.7.0; nothing is delivered', async () => {
    const scenario = await loadScenario('dns-temperror-spf-servfail');
    const { sent } = await send(scenario, 'temperror');
    assert.equal(sent.code, 451, sent.output);
    assert.match(sent.output, /451 4\.7\.0 /);
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!sink.messages.some((m) => m.raw.includes('X-Test-Tag: temperror')));
  });

  /** A second milter with its own `[actions]`, put in place of the first for `body`, then the first put back. */
  async function withMilter(
    actions: MilterActions,
    parameters: (address: string) => Record<string, string>,
    body: () => Promise<void>,
  ): Promise<void> {
    const other = await startMilter({
      milter: { listen: { host: HOST, port: 0 } },
      actions,
      hostname: AUTHSERV,
      evaluate: { resolver: createResolver({ servers: [dns.address], timeoutMs: 3000, retries: 0, cache: false }) },
      clock: () => now,
    });
    await postfix.reconfigure(parameters(`inet:${HOST}:${other.address.port}`));
    try {
      await body();
    } finally {
      await postfix.reconfigure({
        smtpd_milters: `inet:${HOST}:${milter.address.port}`,
        non_smtpd_milters: '$smtpd_milters',
      });
      await other.close(500);
    }
  }

  test('[actions] low = "quarantine": 250 to the client, the message held in the queue, nothing delivered', async () => {
    const scenario = await loadScenario('guide-helo-localhost-low');
    const quarantine: MilterActions = { untrusted: 'reject', low: 'quarantine', temperror: 'tempfail' };
    await withMilter(
      quarantine,
      (address) => ({ smtpd_milters: address }),
      async () => {
        const before = sink.messages.length;
        dns.setRecords(scenario.zone);
        dns.setRules(scenario.rules);
        now = scenario.fixture.now;
        const sent = await swaks(postfix, scenario, scenario.raw, 'quarantined');
        assert.equal(sent.code, 250, sent.output);
        let held: { queue_id: string; queue_name: string }[] = [];
        for (let i = 0; i < 50 && held.length === 0; i++) {
          held = (await queue(postfix)).filter((m) => m.queue_name === 'hold');
          if (held.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(held.length, 1, JSON.stringify(await queue(postfix)));
        // Postfix logs the hold (it keeps no reason text); the held copy carries our fields.
        assert.match(postfix.log(), new RegExp(`${held[0]!.queue_id}: milter-hold: END-OF-MESSAGE`));
        const { stdout: heldHeader } = await run(POSTCAT, [
          '-c',
          join(postfix.dir, 'etc'),
          '-h',
          '-q',
          held[0]!.queue_id,
        ]);
        assert.match(heldHeader, /^Authentication-Results: mx\.test; iprev=/m);
        assert.match(heldHeader, /^X-Mailtrust-Verdict: low$/m);
        assert.match(heldHeader, /^X-Mailtrust-Reasons: .*helo\.localhost/m);
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(sink.messages.length, before);
        assert.ok(!sink.messages.some((m) => m.raw.includes('X-Test-Tag: quarantined')));
        await run(POSTSUPER, ['-c', join(postfix.dir, 'etc'), '-d', held[0]!.queue_id, 'hold']);
      },
    );
  });

  test('non_smtpd_milters: mail submitted with sendmail reaches the sink with our fields', async () => {
    const scenario = await loadScenario('aligned-spf-dkim-pass');
    // Local mail has no HELO and comes from 127.0.0.1: tagged, never refused (docs/milter.md).
    const tagAll: MilterActions = { untrusted: 'tag', low: 'tag', temperror: 'tag' };
    await withMilter(
      tagAll,
      (address) => ({ smtpd_milters: '', non_smtpd_milters: address }),
      async () => {
        dns.setRecords(scenario.zone);
        dns.setRules(scenario.rules);
        now = scenario.fixture.now;
        const text = Buffer.from(scenario.raw).toString('latin1').replace(/\n\n/, '\nX-Test-Tag: local\n\n');
        const submitted = await sendmail(postfix, ['-f', 'alice@example.com', '-i', 'bob@example.net'], text);
        assert.equal(submitted.code, 0, submitted.output);
        const delivered = await sink.waitFor((m) => m.raw.includes('X-Test-Tag: local\r\n'));
        const lines = headerBlock(delivered);
        assert.ok(lines[0]!.startsWith(`Authentication-Results: ${AUTHSERV};`), lines[0]);
        assert.match(
          lines[0]!.replace(/\r\n\t/g, ' '),
          /iprev=\w+ policy\.iprev=127\.0\.0\.1; spf=\w+ smtp\.mailfrom=alice@example\.com; dkim=pass header\.d=example\.com/,
        );
        assert.match(lines[1]!, /^Received: by /);
        const verdict = field(lines, 'X-Mailtrust-Verdict');
        assert.equal(verdict.length, 1);
        assert.match(verdict[0]!, /^X-Mailtrust-Verdict: (trusted|low|untrusted)$/);
      },
    );
  });

  test('mailtrust killed while Postfix is sending: milter_default_action = accept, nothing lost', async () => {
    const scenario = await loadScenario('aligned-spf-dkim-pass');
    dns.setRecords(scenario.zone);
    // Slow DNS keeps the evaluation in flight when the process dies.
    dns.setRules([{ name: /.*/, action: { delayMs: 2500 } }]);
    const port = await freePort(HOST);
    const script = fileURLToPath(new URL('./milter-process.js', import.meta.url));
    child = spawn(process.execPath, [script, HOST, String(port), dns.address, scenario.fixture.now.toISOString()], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('milter process did not start')), 20_000);
      child!.stdout!.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await postfix.reconfigure({ smtpd_milters: `inet:${HOST}:${port}` });
    try {
      const queriesBefore = dns.queries.length;
      const inFlight = Array.from({ length: 3 }, (_, i) => swaks(postfix, scenario, scenario.raw, `killed-${i}`));
      // Wait until the evaluations are asking DNS, then kill the milter.
      for (let i = 0; i < 200 && dns.queries.length === queriesBefore; i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(dns.queries.length > queriesBefore, 'the milter never started evaluating');
      child.kill('SIGKILL');
      // And more mail while it is down.
      const whileDown = [
        swaks(postfix, scenario, scenario.raw, 'down-0'),
        swaks(postfix, scenario, scenario.raw, 'down-1'),
      ];
      const results = await Promise.all([...inFlight, ...whileDown]);
      for (const r of results) assert.equal(r.code, 250, r.output);
      for (const tag of ['killed-0', 'killed-1', 'killed-2', 'down-0', 'down-1']) {
        const delivered = await sink.waitFor((m) => m.raw.includes(`X-Test-Tag: ${tag}\r\n`));
        // Accepted without a verdict: Postfix let it through unchecked.
        assert.equal(field(headerBlock(delivered), 'X-Mailtrust-Verdict').length, 0);
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await postfix.reconfigure({ smtpd_milters: `inet:${HOST}:${milter.address.port}` });
      dns.setRules([]);
    }
  });
});
