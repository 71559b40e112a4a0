import {
  checkSpf,
  defaultLimits,
  parseIpAddress,
  type SpfResult,
  type SpfResultCode,
  type SpfTraceEntry,
} from '../../core/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { stringOption } from '../options.js';
import { terminalSafe } from '../terminal-text.js';

/** Exit code per result (docs/cli.md): pass 0 · neutral/softfail/none 1 · fail/permerror 2 · temperror 75. */
export function spfExitCode(result: SpfResultCode): ExitCodeValue {
  switch (result) {
    case 'pass':
      return ExitCode.ok;
    case 'neutral':
    case 'softfail':
    case 'none':
      return ExitCode.warn;
    case 'fail':
    case 'permerror':
      return ExitCode.fail;
    case 'temperror':
      return ExitCode.tempFail;
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

/** The `spf` object of `check --json` (docs/cli.md) (+ explanation, error and trace), in a fixed key order. */
export function spfJson(result: SpfResult): Record<string, unknown> {
  return {
    result: result.result,
    domain: result.domain,
    identity: result.identity,
    mechanism: result.mechanism ?? null,
    lookups: result.lookups,
    voidLookups: result.voidLookups,
    ...(result.explanation !== undefined ? { explanation: result.explanation } : {}),
    ...(result.error ? { error: result.error } : {}),
    trace: result.trace,
  };
}

function traceLine(entry: SpfTraceEntry): string {
  // Each include/redirect level nests two steps deeper: record and result, then its terms, then their queries.
  const base = '  '.repeat(2 * entry.depth + 1);
  switch (entry.type) {
    case 'record':
      return `${base}${entry.domain}: "${entry.record}"`;
    case 'query': {
      const answer = entry.outcome === 'ok' ? entry.records.join(', ') || '(empty)' : entry.outcome;
      return `${entry.rrtype === 'TXT' ? base : `${base}    `}${entry.rrtype} ${entry.name} → ${answer}`;
    }
    case 'term':
      return `${base}  ${entry.term}${entry.target !== undefined ? ` (${entry.target})` : ''}: ${entry.outcome}`;
    case 'result':
      return `${base}= ${entry.result}`;
    default: {
      const unreachable: never = entry;
      return unreachable;
    }
  }
}

/** Readable form: the result, the deciding term, the lookups used, then the terms evaluated in order. */
export function spfText(result: SpfResult, limits: { dns: number; void: number }): string {
  const lines = [`SPF ${result.result} for ${result.domain || '(no domain)'} (${result.identity} identity)`];
  if (result.mechanism !== undefined) lines.push(`  matched: ${result.mechanism}`);
  else if (result.result === 'neutral') lines.push('  matched: nothing (default result)');
  lines.push(
    `  lookups: ${result.lookups} of ${limits.dns} DNS-querying terms, ${result.voidLookups} of ${limits.void} void lookups`,
  );
  if (result.explanation !== undefined) lines.push(`  explanation: ${result.explanation}`);
  if (result.error && result.result !== 'pass') lines.push(`  reason: ${result.error.message}`);
  if (result.trace.length > 0) {
    lines.push('evaluation:');
    for (const entry of result.trace) lines.push(traceLine(entry));
  }
  return `${lines.join('\n')}\n`;
}

/** `mailtrust spf --ip IP --mail-from ADDR [--helo NAME]`: RFC 7208 check_host() for one envelope. */
export const spfCommand: Command = {
  name: 'spf',
  summary: 'check whether an IP may send for a MAIL FROM (or HELO) domain (RFC 7208 SPF)',
  help: `Usage: mailtrust spf --ip IP --mail-from ADDR [--helo NAME] [--receiver NAME] [--json]

Runs RFC 7208 check_host() for the sending IP against the SPF record of the MAIL FROM
domain, following include: and redirect=, and shows which term decided, the DNS
lookups used (at most 10 DNS-querying terms and 2 void lookups, RFC 7208 §4.6.4) and
every term evaluated in order.

Options:
  --ip IP            the SMTP client's address (IPv4, IPv6, or IPv4-mapped IPv6)
  --mail-from ADDR   the envelope sender (MAIL FROM). '<>' or '' is the null sender of
                     bounces: then the HELO name is checked as postmaster@HELO (RFC 7208 §2.4)
  --helo NAME        the HELO/EHLO name (for %{h}, and the identity of a null sender)
  --receiver NAME    this host's name, for the %{r} macro in explanations (default unknown)
  --json             print {result, domain, identity, mechanism, lookups, voidLookups,
                     explanation?, error?, trace}

Exit codes: 0 pass · 1 neutral, softfail or none · 2 fail or permerror · 75 temperror (DNS)
            64 usage error

Examples:
  mailtrust spf --ip 192.0.2.10 --mail-from alice@example.com --helo mail.example.com
  mailtrust spf --ip 2001:db8::25 --mail-from '<>' --helo mail.example.com --json`,
  options: {
    ip: { type: 'string' },
    'mail-from': { type: 'string' },
    helo: { type: 'string' },
    receiver: { type: 'string' },
  },
  async run(values, positionals, env) {
    if (positionals.length > 0) throw new UsageError(`spf: unexpected argument ${JSON.stringify(positionals[0])}`);
    const ip = stringOption(values, 'ip');
    const mailFrom = stringOption(values, 'mail-from');
    const helo = stringOption(values, 'helo');
    const receiver = stringOption(values, 'receiver');
    if (typeof ip !== 'string' || ip === '') throw new UsageError('spf: --ip IP is required (the SMTP client address)');
    if (!parseIpAddress(ip)) throw new UsageError(`spf: --ip ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
    if (typeof mailFrom !== 'string')
      throw new UsageError("spf: --mail-from ADDR is required (use --mail-from '<>' for the null sender)");
    const nullSender = mailFrom.trim() === '' || mailFrom.trim() === '<>';
    if (nullSender && (typeof helo !== 'string' || helo === ''))
      throw new UsageError('spf: a null --mail-from needs --helo NAME (the HELO identity is checked, RFC 7208 §2.4)');
    const result = await checkSpf(
      { resolver: env.resolver, now: env.now, limits: { ...defaultLimits } },
      {
        ip,
        mailFrom,
        ...(typeof helo === 'string' ? { helo } : {}),
        ...(typeof receiver === 'string' ? { receiver } : {}),
      },
    );
    if (env.json) env.io.stdout(`${JSON.stringify(spfJson(result), null, 2)}\n`);
    else env.io.stdout(spfText(result, { dns: defaultLimits.spfDnsMechanisms, void: defaultLimits.spfVoidLookups }));
    if (result.result === 'temperror')
      env.io.stderr(
        `mailtrust: SPF temperror: ${terminalSafe(result.error?.message ?? 'DNS lookup failed')} (check --dns or the network, then retry)\n`,
      );
    return spfExitCode(result.result);
  },
};
