import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import {
  evaluate,
  inferEnvelope,
  parseMessage,
  parsePolicy,
  type Envelope,
  type Evaluation,
  type Policy,
} from '../../core/index.js';
import type { Command, CommandEnv } from '../command.js';
import { DataError, NoInputError, UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { readInputFile } from '../input.js';

/** Where each envelope value came from: the command line or the message itself. */
export type EnvelopeSource = 'option' | 'received' | 'return-path' | 'none';

async function loadPolicy(path: string | undefined): Promise<Policy | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NoInputError(
      `${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message} (--policy takes a JSON policy file)`,
    );
  }
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new UsageError(`--policy ${path}: ${parsed.error.message}`);
  return parsed.value;
}

const verdictWord = { trusted: 'TRUSTED', low: 'LOW TRUST', untrusted: 'UNTRUSTED' } as const;

/** ANSI SGR colours, used only on a terminal. */
const paint = {
  red: (t: string) => `\x1b[31m${t}\x1b[0m`,
  yellow: (t: string) => `\x1b[33m${t}\x1b[0m`,
  green: (t: string) => `\x1b[32m${t}\x1b[0m`,
  dim: (t: string) => `\x1b[2m${t}\x1b[0m`,
  bold: (t: string) => `\x1b[1m${t}\x1b[0m`,
};

/**
 * The readable report (DESIGN §4.2): the verdict first, then each check with its value, then the reasons with
 * what the sender should change, then the Authentication-Results header. Colour only when `color` is set.
 */
export function checkText(
  evaluation: Evaluation,
  sources: Record<'ip' | 'helo' | 'mailFrom', EnvelopeSource>,
  color = false,
): string {
  const e = evaluation;
  const c = (fn: (t: string) => string, text: string) => (color ? fn(text) : text);
  const resultColor = (result: string) =>
    result === 'pass'
      ? paint.green
      : result === 'none' || result === 'neutral'
        ? paint.dim
        : result.endsWith('error')
          ? paint.yellow
          : paint.red;
  const lines: string[] = [];
  const from = e.fromDomain ? ` for mail from ${e.fromDomain}` : '';
  const verdictColor = e.verdict === 'trusted' ? paint.green : e.verdict === 'low' ? paint.yellow : paint.red;
  lines.push(
    `${c(paint.bold, c(verdictColor, verdictWord[e.verdict]))}${from} sent by ${e.envelope.ip}${e.retryable ? ' (DNS trouble: try again later)' : ''}`,
  );
  lines.push('', 'Checks:');
  const row = (name: string, result: string, detail: string) =>
    lines.push(
      detail === ''
        ? `  ${name.padEnd(8)} ${c(resultColor(result), result)}`
        : `  ${name.padEnd(8)} ${c(resultColor(result), result.padEnd(10))} ${detail}`,
    );
  row('iprev', e.iprev.result, e.iprev.names.join(', ') || e.iprev.ptrNames.join(', ') || '(no PTR)');
  row('helo', e.helo.result, [e.helo.name || '(none)', ...e.helo.findings].join('  '));
  const spf = e.spf;
  row(
    'spf',
    spf.result,
    `${spf.domain || '(no domain)'} (${spf.identity})${spf.mechanism ? `, matched ${spf.mechanism}` : ''}, ${spf.lookups}/10 lookups`,
  );
  if (e.dkim.length === 0) row('dkim', 'none', '(no signature)');
  for (const d of e.dkim) {
    const aligned = d.aligned === undefined ? '' : d.aligned ? ', aligned' : ', not aligned';
    const why = d.error && d.result !== 'pass' ? ` — ${d.error.message}` : '';
    row('dkim', d.result, `d=${d.domain} s=${d.selector} ${d.algorithm}${aligned}${why}`);
  }
  row(
    'dmarc',
    e.dmarc.result,
    `${e.dmarc.domain || '(no From domain)'}${e.dmarc.record ? `, policy ${e.dmarc.policy}` : ''}`,
  );
  row('arc', e.arc.result, e.arc.instances > 0 ? `${e.arc.instances} set(s)` : '');
  row('headers', e.headers.result, e.headers.findings.join('  '));
  if (e.reasons.length > 0) {
    lines.push('', 'Reasons:');
    for (const reason of e.reasons) {
      const mark =
        reason.level === 'untrusted'
          ? c(paint.red, 'FAIL')
          : reason.level === 'low'
            ? c(paint.yellow, 'LOW ')
            : c(paint.dim, 'info');
      lines.push(`  ${mark}  ${reason.id}: ${reason.message}`);
      if (reason.remedy) lines.push(`        fix: ${reason.remedy}`);
    }
  }
  lines.push('', e.authenticationResults);
  const inferred = (['ip', 'helo', 'mailFrom'] as const).filter(
    (k) => sources[k] === 'received' || sources[k] === 'return-path',
  );
  if (inferred.length > 0) {
    const described = inferred.map(
      (k) =>
        `${k === 'mailFrom' ? 'MAIL FROM' : k.toUpperCase()} from ${sources[k] === 'received' ? 'the Received header' : 'Return-Path'}`,
    );
    lines.push(`(envelope taken from the message: ${described.join(', ')})`);
  }
  return `${lines.join('\n')}\n`;
}

/** True when DNS was asked and never answered: every query timed out or was refused (exit 75). */
function dnsUnreachable(evaluation: Evaluation): boolean {
  const network = evaluation.dns.queries.filter((q) => q.source === 'network');
  return network.length > 0 && network.every((q) => q.outcome === 'timeout' || q.outcome === 'refused');
}

export function checkExitCode(evaluation: Evaluation): ExitCodeValue {
  if (dnsUnreachable(evaluation)) return ExitCode.tempFail;
  switch (evaluation.verdict) {
    case 'trusted':
      return ExitCode.ok;
    case 'low':
      return ExitCode.warn;
    case 'untrusted':
      return ExitCode.fail;
  }
}

async function run(values: Record<string, unknown>, positionals: string[], env: CommandEnv): Promise<ExitCodeValue> {
  if (positionals.length > 1)
    throw new UsageError(`check: unexpected argument ${JSON.stringify(positionals[1])} (one message at a time)`);
  const policy = await loadPolicy(env.policyFile);
  const raw = await readInputFile(positionals[0], env.io);
  const parsed = parseMessage(raw);
  if (!parsed.ok) throw new DataError(`${positionals[0] ?? 'stdin'}: not an email message: ${parsed.error.message}`);

  const inferred = inferEnvelope(parsed.value);
  const given = {
    ip: typeof values['ip'] === 'string' ? values['ip'] : undefined,
    helo: typeof values['helo'] === 'string' ? values['helo'] : undefined,
    mailFrom: typeof values['mail-from'] === 'string' ? values['mail-from'] : undefined,
  };
  const ip = given.ip ?? inferred.ip;
  if (ip === undefined) {
    throw new UsageError(
      'check: no client IP: give --ip IP, or a message whose Received header names the sending server',
    );
  }
  if (isIP(ip) === 0) throw new UsageError(`check: --ip ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
  const helo = given.helo ?? (given.ip === undefined ? inferred.helo : undefined);
  const mailFrom = given.mailFrom ?? inferred.mailFrom;
  const sources: Record<'ip' | 'helo' | 'mailFrom', EnvelopeSource> = {
    ip: given.ip !== undefined ? 'option' : 'received',
    helo: given.helo !== undefined ? 'option' : helo !== undefined ? 'received' : 'none',
    mailFrom: given.mailFrom !== undefined ? 'option' : mailFrom !== undefined ? 'return-path' : 'none',
  };
  const rcpt = values['rcpt'];
  const envelope: Envelope = {
    ip,
    ...(helo !== undefined ? { helo } : {}),
    ...(mailFrom !== undefined ? { mailFrom } : {}),
    ...(Array.isArray(rcpt) ? { rcptTo: rcpt.map(String) } : {}),
  };
  const evaluation = await evaluate(
    parsed.value.headerOffset > 0 ? raw.subarray(parsed.value.headerOffset) : raw,
    envelope,
    {
      resolver: env.resolver,
      now: env.now(),
      ...(policy ? { policy } : {}),
    },
  );
  if (env.json) env.io.stdout(`${JSON.stringify({ ...evaluation, envelopeSource: sources }, null, 2)}\n`);
  else env.io.stdout(checkText(evaluation, sources, env.io.color === true));
  const code = checkExitCode(evaluation);
  if (code === ExitCode.tempFail) {
    env.io.stderr('mailtrust: DNS unreachable: no lookup was answered (check --dns or the network, then retry)\n');
  }
  return code;
}

/** `mailtrust check [FILE|-]`: one trust verdict for a message (DESIGN §4.2, §4.3, §5). */
export const checkCommand: Command = {
  name: 'check',
  summary: 'judge a message: one verdict (trusted, low, untrusted) with reasons and fixes',
  help: `Usage: mailtrust check [FILE|-] [--ip IP] [--helo NAME] [--mail-from ADDR] [--rcpt ADDR]… [--json]

Runs every check a receiver makes — PTR (iprev), HELO, SPF, DKIM, DMARC, ARC and the
RFC 5322 header checks — and gives one verdict with the reasons, each with what the
sender should change, plus the Authentication-Results header (RFC 8601).

Arguments:
  FILE               the message (CRLF or LF line endings); - or nothing reads stdin

Options:
  --ip IP            the sending server's address (default: from the newest Received
                     header that names an outside client)
  --helo NAME        its HELO/EHLO name (default: from that Received header)
  --mail-from ADDR   the SMTP MAIL FROM; '<>' or '' is the null sender of bounces
                     (default: from Return-Path)
  --rcpt ADDR        an envelope recipient (repeatable; helps spot forwarding)
  --policy FILE      trust policy: trusted forwarders, relay domains, finding levels
  --json             the full evaluation as JSON (verdict, reasons, every result, dns)

Exit codes: 0 trusted · 1 low trust · 2 untrusted · 75 DNS unreachable
            64 usage error · 65 not an email message · 66 file missing

Examples:
  mailtrust check saved.eml
  mailtrust check msg.eml --ip 192.0.2.10 --helo mail.example.com --mail-from alice@example.com
  mailtrust check msg.eml --zone examples/example.zone --json`,
  options: {
    ip: { type: 'string' },
    helo: { type: 'string' },
    'mail-from': { type: 'string' },
    rcpt: { type: 'string', multiple: true },
  },
  run,
};
