import { readFile } from 'node:fs/promises';
import {
  evaluate,
  formatIpAddress,
  inferEnvelope,
  parseIpAddress,
  parseMessage,
  parsePolicy,
  type Envelope,
  type Evaluation,
  type ParsedHeader,
  type Policy,
  type ReceivedFieldRef,
  type ReceivedInference,
} from '../../core/index.js';
import type { Command, CommandEnv, OptionValues } from '../command.js';
import { DataError, NoInputError, UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { readInputFile, refuseMbox } from '../input.js';
import { stringListOption, stringOption } from '../options.js';
import { terminalSafe } from '../terminal-text.js';

/** Where each envelope value came from: the command line or the message itself. */
export type EnvelopeSource = 'option' | 'received' | 'return-path' | 'none';

/** The source of each envelope part. */
export type EnvelopeSources = Record<'ip' | 'helo' | 'mailFrom', EnvelopeSource>;

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
 * The readable report (docs/cli.md): the verdict first, then each check with its value, then the reasons with
 * what the sender should change, then the Authentication-Results header. Colour only when `color` is set.
 */
export function checkText(
  evaluation: Evaluation,
  sources: EnvelopeSources,
  color = false,
  field?: ReceivedFieldRef,
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
  const safe = terminalSafe;
  const from = e.fromDomain ? ` for mail from ${safe(e.fromDomain)}` : '';
  const verdictColor = e.verdict === 'trusted' ? paint.green : e.verdict === 'low' ? paint.yellow : paint.red;
  lines.push(
    `${c(paint.bold, c(verdictColor, verdictWord[e.verdict]))}${from} sent by ${e.envelope.ip}${e.retryable ? ' (DNS trouble: try again later)' : ''}`,
  );
  lines.push('', 'Envelope:', ...envelopeLines(e, sources, field));
  lines.push('', 'Checks:');
  // Every detail holds values from the message or from DNS: escaped here, at the one place rows are written.
  const row = (name: string, result: string, detail: string) =>
    lines.push(
      detail === ''
        ? `  ${name.padEnd(8)} ${c(resultColor(result), result)}`
        : `  ${name.padEnd(8)} ${c(resultColor(result), result.padEnd(10))} ${safe(detail)}`,
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
      lines.push(`  ${mark}  ${reason.id}: ${safe(reason.message)}`);
      if (reason.remedy) lines.push(`        fix: ${safe(reason.remedy)}`);
    }
  }
  lines.push('', safe(e.authenticationResults));
  return `${lines.join('\n')}\n`;
}

/** The envelope judged, one line per part, each saying where it came from (the option, or which field). */
function envelopeLines(e: Evaluation, sources: EnvelopeSources, field: ReceivedFieldRef | undefined): string[] {
  const where = (source: EnvelopeSource): string => {
    switch (source) {
      case 'option':
        return 'given on the command line';
      case 'received':
        return field ? `from Received field ${field.index} (the newest read)` : 'from a Received field';
      case 'return-path':
        return 'from Return-Path';
      case 'none':
        return 'not given, not in the message';
    }
  };
  const values = [
    terminalSafe(e.envelope.ip),
    e.envelope.helo !== undefined ? terminalSafe(e.envelope.helo) : '(none)',
    e.envelope.mailFrom !== undefined ? `<${terminalSafe(e.envelope.mailFrom)}>` : '(none)',
  ];
  const width = Math.min(40, Math.max(...values.map((v) => v.length)));
  const lines = [
    `  IP         ${values[0]!.padEnd(width)}  ${where(sources.ip)}`,
    `  HELO       ${values[1]!.padEnd(width)}  ${where(sources.helo)}`,
    `  MAIL FROM  ${values[2]!.padEnd(width)}  ${where(sources.mailFrom)}`,
  ];
  if (field) lines.push(`  Received field ${field.index}: ${terminalSafe(field.text)}`);
  return lines;
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

/** The envelope `check` judges, and where each part of it came from. */
interface ResolvedEnvelope {
  ip: string;
  helo?: string;
  mailFrom?: string;
  sources: EnvelopeSources;
  /** The Received field read, when a part came from one. */
  field?: ReceivedFieldRef;
}

/** What the user must pass for the parts that could not be read from the message. */
function whatToPass(given: { ip?: string; helo?: string }): string {
  if (given.ip === undefined) return 'give --ip IP and --helo NAME';
  return 'give --helo NAME';
}

function quoteField(field: ReceivedFieldRef): string {
  return `Received field ${field.index} (${JSON.stringify(field.text)})`;
}

function byHostsHint(byHosts: string[]): string {
  const named = [...new Set(byHosts.filter((h) => h !== ''))].slice(0, 8);
  return named.length === 0 ? '' : ` (fields added by: ${named.join(', ')})`;
}

/** One line saying why the client could not be read from the message, and what to pass instead (exit 64). */
function receivedProblem(r: Extract<ReceivedInference, { ok: false }>, given: { ip?: string; helo?: string }): string {
  const pass = whatToPass(given);
  switch (r.problem) {
    case 'no-received':
      return `check: the message has no Received field to read the client from: ${pass}`;
    case 'received-by-not-found':
      return `check: no Received field was added by ${JSON.stringify(r.detail ?? '')}${byHostsHint(r.byHosts)}: name one of those with --received-by, or ${pass}`;
    case 'unparsable':
      return `check: cannot read the client from the newest ${r.field ? quoteField(r.field) : 'Received field'}: ${r.detail ?? 'unknown form'}; ${pass}, or --received-by HOST to read the field your receiving server added${byHostsHint(r.byHosts)}`;
    case 'no-client':
      return `check: the newest ${r.field ? quoteField(r.field) : 'Received field'} names no client (submitted on that host, or an internal hop): --received-by HOST to read the field your receiving server added${byHostsHint(r.byHosts)}, or ${pass}`;
    case 'internal-client':
      return `check: the newest ${r.field ? quoteField(r.field) : 'Received field'} names the internal address ${r.detail ?? ''} (an internal hop): --received-by HOST to read the field of the server that received it from outside${byHostsHint(r.byHosts)}, or ${pass}`;
  }
}

/**
 * Fills each envelope part the user did not give from the message: the client address and HELO from the newest
 * Received field (or the one `--received-by` names), MAIL FROM from Return-Path. A part that is needed and cannot
 * be read stops the run with what to pass; no field further down is ever tried.
 */
export function resolveEnvelope(
  header: ParsedHeader,
  given: { ip?: string; helo?: string; mailFrom?: string; receivedBy?: string },
): ResolvedEnvelope {
  const inferred = inferEnvelope(header, given.receivedBy !== undefined ? { receivedBy: given.receivedBy } : {});
  const r = inferred.received;
  const needReceived = given.ip === undefined || given.helo === undefined;
  // With the address given, a message that has no Received field at all simply records no HELO (the report says
  // so); a field that is there but cannot be read still stops the run, since its HELO would be lost unseen.
  const nothingToRead = !r.ok && r.problem === 'no-received' && given.ip !== undefined;
  if (needReceived && !r.ok && !nothingToRead) throw new UsageError(receivedProblem(r, given));
  let ip = given.ip;
  let helo = given.helo;
  const sources: EnvelopeSources = {
    ip: given.ip !== undefined ? 'option' : 'received',
    helo: given.helo !== undefined ? 'option' : 'none',
    mailFrom: given.mailFrom !== undefined ? 'option' : 'none',
  };
  let field: ReceivedFieldRef | undefined;
  if (needReceived && r.ok) {
    if (ip === undefined) {
      ip = r.ip;
      field = r.field;
    } else if (formatIp(ip) !== r.ip) {
      throw new UsageError(
        `check: --ip ${ip} is not the client the newest ${quoteField(r.field)} names (${r.ip}), so its HELO is not this client's: give --helo NAME too`,
      );
    }
    if (helo === undefined && r.helo !== undefined) {
      helo = r.helo;
      sources.helo = 'received';
      field = r.field;
    }
  }
  let mailFrom = given.mailFrom;
  if (mailFrom === undefined && inferred.mailFrom !== undefined) {
    mailFrom = inferred.mailFrom;
    sources.mailFrom = 'return-path';
  }
  return {
    ip: ip!,
    ...(helo !== undefined ? { helo } : {}),
    ...(mailFrom !== undefined ? { mailFrom } : {}),
    sources,
    ...(field ? { field } : {}),
  };
}

/** The address in its canonical text (RFC 5952 for IPv6), or the text itself when it is not an address. */
function formatIp(text: string): string {
  const ip = parseIpAddress(text);
  return ip ? formatIpAddress(ip) : text;
}

async function run(values: OptionValues, positionals: string[], env: CommandEnv): Promise<ExitCodeValue> {
  if (positionals.length > 1)
    throw new UsageError(`check: unexpected argument ${JSON.stringify(positionals[1])} (one message at a time)`);
  const ipText = stringOption(values, 'ip');
  if (ipText !== undefined && !parseIpAddress(ipText))
    throw new UsageError(`check: --ip ${JSON.stringify(ipText)} is not an IPv4 or IPv6 address`);
  const policy = await loadPolicy(env.policyFile);
  const raw = await readInputFile(positionals[0], env.io);
  refuseMbox(raw, positionals[0] ?? 'stdin');
  const parsed = parseMessage(raw);
  if (!parsed.ok) throw new DataError(`${positionals[0] ?? 'stdin'}: not an email message: ${parsed.error.message}`);

  const given = {
    ...(ipText !== undefined ? { ip: formatIp(ipText) } : {}),
    ...optional('helo', stringOption(values, 'helo')),
    ...optional('mailFrom', stringOption(values, 'mail-from')),
    ...optional('receivedBy', stringOption(values, 'received-by')),
  };
  const resolved = resolveEnvelope(parsed.value, given);
  const rcpt = stringListOption(values, 'rcpt');
  const envelope: Envelope = {
    ip: resolved.ip,
    ...(resolved.helo !== undefined ? { helo: resolved.helo } : {}),
    ...(resolved.mailFrom !== undefined ? { mailFrom: resolved.mailFrom } : {}),
    ...(rcpt.length > 0 ? { rcptTo: rcpt } : {}),
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
  if (env.json)
    env.io.stdout(
      `${JSON.stringify({ ...evaluation, envelopeSource: resolved.sources, ...(resolved.field ? { receivedField: resolved.field } : {}) }, null, 2)}\n`,
    );
  else env.io.stdout(checkText(evaluation, resolved.sources, env.io.color === true, resolved.field));
  const code = checkExitCode(evaluation);
  if (code === ExitCode.tempFail) {
    env.io.stderr('mailtrust: DNS unreachable: no lookup was answered (check --dns or the network, then retry)\n');
  }
  return code;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** `mailtrust check [FILE|-]`: one trust verdict for a message (docs/cli.md, docs/trust-model.md). */
export const checkCommand: Command = {
  name: 'check',
  summary: 'judge a message: one verdict (trusted, low, untrusted) with reasons and fixes',
  help: `Usage: mailtrust check [FILE|-] [--ip IP] [--helo NAME] [--mail-from ADDR] [--received-by HOST]
                       [--rcpt ADDR]… [--json]

Runs every check a receiver makes — PTR (iprev), HELO, SPF, DKIM, DMARC, ARC and the
RFC 5322 header checks — and gives one verdict with the reasons, each with what the
sender should change, plus the Authentication-Results header (RFC 8601).

Arguments:
  FILE               the message (CRLF or LF line endings); - or nothing reads stdin

Options:
  --ip IP            the sending server's address (default: from the newest Received
                     field, the one your server added; nothing further down is read)
  --helo NAME        its HELO/EHLO name (default: from that Received field)
  --received-by HOST read the newest Received field HOST added instead (its "by" name):
                     for a message that passed internal hops after your border server
  --mail-from ADDR   the SMTP MAIL FROM; '<>' or '' is the null sender of bounces
                     (default: from Return-Path)
  --rcpt ADDR        an envelope recipient (repeatable; helps spot forwarding)
  --policy FILE      trust policy: trusted forwarders, relay domains, finding levels
  --json             the full evaluation as JSON (verdict, reasons, every result, dns)

Exit codes: 0 trusted · 1 low trust · 2 untrusted · 75 DNS unreachable
            64 usage error or client not readable from the message · 65 not an email message · 66 file missing

Examples:
  mailtrust check saved.eml
  mailtrust check msg.eml --ip 192.0.2.10 --helo mail.example.com --mail-from alice@example.com
  mailtrust check msg.eml --zone examples/example.zone --json`,
  options: {
    ip: { type: 'string' },
    helo: { type: 'string' },
    'mail-from': { type: 'string' },
    'received-by': { type: 'string' },
    policy: { type: 'string' },
    rcpt: { type: 'string', multiple: true },
  },
  run,
};
