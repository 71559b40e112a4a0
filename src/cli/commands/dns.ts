import { checkQueryName, formatRecordData, reverseName, type QueryType } from '../../core/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

const TEXT = new TextDecoder();

const TYPES: readonly QueryType[] = ['A', 'AAAA', 'TXT', 'MX', 'PTR', 'CNAME', 'NS', 'SOA'];

/** `mailtrust dns NAME [TYPE]`: what mailtrust's resolver sees for one query (docs/cli.md). */
export const dnsCommand: Command = {
  name: 'dns',
  summary: "show what mailtrust's resolver sees for a name: answer or outcome, TTL, time",
  help: `Usage: mailtrust dns NAME [TYPE] [--json] [--dns HOST[:PORT]] [--zone FILE]

Asks one DNS question the way every mailtrust check does (UDP with EDNS0, TCP when
truncated, the same cache and zone overlay) and prints the answer or the outcome:
nxdomain (the name does not exist), nodata (it exists, no records of that type),
timeout, servfail or refused.

Arguments:
  NAME           a domain name (non-ASCII names are sent as A-labels), or an IP address
                 for TYPE PTR (the reverse name is built for you)
  TYPE           ${TYPES.join(' ')} (default: A; PTR when NAME is an IP address)

Options:
  --json         print {name, type, outcome, records, ttl, ms, source}

Exit codes: 0 records found · 1 nxdomain or nodata · 75 timeout, servfail or refused
            64 usage error · 65 bad zone file · 66 zone file missing

Examples:
  mailtrust dns example.com TXT
  mailtrust dns 192.0.2.1
  mailtrust dns _dmarc.example.com TXT --zone new-records.zone --dns 127.0.0.1`,
  options: {},
  async run(_values, positionals, env) {
    const [name, rawType, ...rest] = positionals;
    if (name === undefined) throw new UsageError('dns: NAME is required (mailtrust dns NAME [TYPE])');
    if (rest.length > 0) throw new UsageError(`dns: unexpected argument ${JSON.stringify(rest[0])}`);
    const reverse = reverseName(name);
    const type = (rawType ?? (reverse ? 'PTR' : 'A')).toUpperCase() as QueryType;
    if (!TYPES.includes(type)) {
      throw new UsageError(`dns: unknown record type ${JSON.stringify(rawType)} (use one of ${TYPES.join(', ')})`);
    }
    const queryName = type === 'PTR' && reverse ? reverse : name;
    const checked = checkQueryName(queryName);
    if (!checked.ok) throw new UsageError(`dns: ${JSON.stringify(name)} is not a valid domain name: ${checked.reason}`);

    const outcome = await env.resolver.query(checked.name, type);
    const records = outcome.ok ? outcome.records.map(formatRecordData) : [];
    // JSON gives a TXT record's text itself (its strings joined, RFC 7208 §3.3), not the zone-file quoting.
    const jsonRecords = outcome.ok
      ? outcome.records.map((r) =>
          r.type === 'TXT' ? r.strings.map((x) => TEXT.decode(x)).join('') : formatRecordData(r),
        )
      : [];
    const status = outcome.ok ? 'ok' : outcome.kind;
    const ms = Math.round(outcome.ms * 10) / 10;
    if (env.json) {
      env.io.stdout(
        JSON.stringify(
          {
            name: checked.name,
            type,
            outcome: status,
            records: jsonRecords,
            ttl: outcome.ttl,
            ms,
            source: outcome.source,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      const head = `${checked.name} ${type}: ${status}`;
      const ttl = outcome.ok || outcome.ttl > 0 ? `, ttl ${outcome.ttl}` : '';
      env.io.stdout(`${head}${ttl}, ${ms} ms (${outcome.source})\n`);
      for (const record of records) env.io.stdout(`  ${record}\n`);
    }
    if (outcome.ok) return ExitCode.ok;
    if (outcome.kind === 'nxdomain' || outcome.kind === 'nodata') return ExitCode.warn;
    env.io.stderr(
      `mailtrust: DNS unreachable: ${outcome.kind} for ${checked.name} ${type} (check --dns or the network, then retry)\n`,
    );
    return ExitCode.tempFail;
  },
};
