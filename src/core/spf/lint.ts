/**
 * SPF record lint for the sending-domain audit (docs/audit.md): walks a domain's record and everything it includes or
 * redirects to, and reports what breaks or weakens check_host() (RFC 7208 §3, §4.5, §4.6.4, §5, §6), with the
 * finding ids of docs/trust-model.md.
 */
import type { CheckContext } from '../context.js';
import { isVoidDnsFailure, type DnsAnswer } from '../dns/types.js';
import type { QueryOutcome } from '../dns/querier.js';
import { initialDomainProblem } from './check-host.js';
import { targetName } from './macro.js';
import { countsTowardLookupLimit, isSpfRecord, parseSpfRecord } from './parse.js';
import type { MacroString, SpfRecord } from './types.js';
import { lowerCaseName } from '../dns/names.js';

/** One lint finding. `id` is a finding id (docs/trust-model.md); `status` says how bad it is. */
export interface SpfLintFinding {
  id: string;
  status: 'fail' | 'warn' | 'info';
  /** The domain whose record has the problem. */
  domain: string;
  /** The term concerned, as written. */
  term?: string;
  message: string;
}

/** A record in the include/redirect tree. */
export interface SpfLintNode {
  domain: string;
  /** How the node was reached: the checked domain, an include, or a redirect. */
  via: 'root' | 'include' | 'redirect';
  outcome: 'ok' | 'none' | 'multiple' | 'invalid' | 'temperror' | 'loop' | 'not-followed';
  record?: string;
  children: SpfLintNode[];
}

/** The lint report of one domain. */
export interface SpfLintReport {
  domain: string;
  /** The domain's own SPF record, when it has exactly one. */
  record?: string;
  /** DNS-querying terms in the whole tree (every branch, as if none matched): the worst case of RFC 7208 §4.6.4. */
  lookups: number;
  /** Lookups in the tree that return no records (§4.6.4 void lookups), for targets without macros. */
  voidLookups: number;
  findings: SpfLintFinding[];
  tree: SpfLintNode;
  /** False when the resolver gives only joined TXT strings, so strings over 255 octets could not be checked. */
  stringLengthsChecked: boolean;
}

/** RFC 7208 §3.4: keep answers within 512 octets so they fit a UDP response without EDNS. */
const MAX_RECORD_OCTETS = 512;
/** RFC 1035 §3.3: one character-string holds at most 255 octets. */
const MAX_STRING_OCTETS = 255;
/** Bound on records fetched, so a fan-out of includes cannot make the lint unbounded. */
const MAX_RECORDS = 60;
const MAX_DEPTH = 12;

/** A resolver that also offers raw queries (mailtrust's `DnsClient`), which give TXT strings one by one. */
interface RawQueryResolver {
  query(name: string, type: 'TXT'): Promise<QueryOutcome>;
}

function hasRawQuery(resolver: unknown): resolver is RawQueryResolver {
  return typeof (resolver as { query?: unknown }).query === 'function';
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** TXT answer with per-string lengths when the resolver can give them. */
async function fetchTxt(
  ctx: CheckContext,
  name: string,
): Promise<{ answer: DnsAnswer<string>; stringLengths: number[][] | undefined }> {
  if (hasRawQuery(ctx.resolver)) {
    const outcome = await ctx.resolver.query(name, 'TXT');
    if (!outcome.ok) return { answer: { ok: false, kind: outcome.kind }, stringLengths: undefined };
    const records: string[] = [];
    const lengths: number[][] = [];
    for (const data of outcome.records) {
      if (data.type !== 'TXT') continue;
      const joined = new Uint8Array(data.strings.reduce((n, s) => n + s.length, 0));
      let offset = 0;
      for (const s of data.strings) {
        joined.set(s, offset);
        offset += s.length;
      }
      records.push(utf8.decode(joined));
      lengths.push(data.strings.map((s) => s.length));
    }
    if (records.length === 0) return { answer: { ok: false, kind: 'nodata' }, stringLengths: undefined };
    return { answer: { ok: true, records, ttl: outcome.ttl }, stringLengths: lengths };
  }
  return { answer: await ctx.resolver.txt(name), stringLengths: undefined };
}

function hasMacro(spec: MacroString | undefined): boolean {
  return spec !== undefined && spec.tokens.some((t) => t.kind === 'macro');
}

function literalTarget(spec: MacroString | undefined, domain: string): string | undefined {
  if (spec === undefined) return domain;
  if (hasMacro(spec)) return undefined;
  const text = spec.tokens.map((t) => (t.kind === 'literal' ? t.text : '')).join('');
  const target = targetName(text);
  return target.ok ? target.name.toLowerCase() : undefined;
}

class Linter {
  lookups = 0;
  voidLookups = 0;
  recordsFetched = 0;
  stringLengthsChecked = true;
  readonly findings: SpfLintFinding[] = [];

  constructor(private readonly ctx: CheckContext) {}

  private readonly seen = new Set<string>();

  add(finding: SpfLintFinding): void {
    const key = `${finding.id}|${finding.domain}|${finding.term ?? ''}|${finding.message}`;
    if (this.seen.has(key) || this.findings.length >= 500) return;
    this.seen.add(key);
    this.findings.push(finding);
  }

  async visit(domain: string, via: SpfLintNode['via'], ancestors: readonly string[]): Promise<SpfLintNode> {
    const node: SpfLintNode = { domain, via, outcome: 'ok', children: [] };
    if (ancestors.includes(domain)) {
      node.outcome = 'loop';
      this.add({
        id: 'spf.include-loop',
        status: 'fail',
        domain: ancestors[ancestors.length - 1] ?? domain,
        message: `${via} of ${domain} loops back (${[...ancestors, domain].join(' → ')}); check_host() ends in permerror after 10 lookups`,
      });
      return node;
    }
    if (ancestors.length >= MAX_DEPTH || this.recordsFetched >= MAX_RECORDS) {
      node.outcome = 'not-followed';
      return node;
    }
    this.recordsFetched++;
    const { answer, stringLengths } = await fetchTxt(this.ctx, domain);
    if (!stringLengths) this.stringLengthsChecked = false;
    if (!answer.ok) {
      if (isVoidDnsFailure(answer.kind)) {
        node.outcome = 'none';
        if (via === 'root')
          this.add({ id: 'spf.none', status: 'fail', domain, message: `${domain} publishes no SPF record` });
        else
          this.add({
            id: 'spf.include-not-found',
            status: 'fail',
            domain: ancestors[ancestors.length - 1] ?? domain,
            term: `${via}:${domain}`,
            message: `${via} target ${domain} ${answer.kind === 'nxdomain' ? 'does not exist' : 'has no TXT records'}; check_host() gives permerror (RFC 7208 §5.2, §6.1)`,
          });
      } else {
        node.outcome = 'temperror';
        this.add({ id: 'spf.temperror', status: 'warn', domain, message: `TXT lookup for ${domain}: ${answer.kind}` });
      }
      return node;
    }
    const spfIndexes: number[] = [];
    answer.records.forEach((r, i) => {
      if (isSpfRecord(r)) spfIndexes.push(i);
    });
    if (spfIndexes.length === 0) {
      node.outcome = 'none';
      this.add(
        via === 'root'
          ? { id: 'spf.none', status: 'fail', domain, message: `${domain} publishes no SPF record` }
          : {
              id: 'spf.include-not-found',
              status: 'fail',
              domain: ancestors[ancestors.length - 1] ?? domain,
              term: `${via}:${domain}`,
              message: `${via} target ${domain} has no SPF record; check_host() gives permerror (RFC 7208 §5.2, §6.1)`,
            },
      );
      return node;
    }
    if (spfIndexes.length > 1) {
      node.outcome = 'multiple';
      this.add({
        id: 'spf.multiple-records',
        status: 'fail',
        domain,
        message: `${domain} publishes ${spfIndexes.length} SPF records; check_host() gives permerror (RFC 7208 §4.5)`,
      });
      return node;
    }
    const index = spfIndexes[0] ?? 0;
    const text = answer.records[index] ?? '';
    node.record = text;
    const octets = new TextEncoder().encode(text).length;
    if (octets > MAX_RECORD_OCTETS)
      this.add({
        id: 'spf.record-too-long',
        status: 'warn',
        domain,
        message: `the SPF record is ${octets} octets; keep it under ${MAX_RECORD_OCTETS} so answers fit in UDP (RFC 7208 §3.4)`,
      });
    const lengths = stringLengths?.[index];
    if (lengths?.some((n) => n > MAX_STRING_OCTETS))
      this.add({
        id: 'spf.record-too-long',
        status: 'fail',
        domain,
        message: `a TXT string is longer than ${MAX_STRING_OCTETS} octets (RFC 1035 §3.3, RFC 7208 §3.3)`,
      });
    const parsed = parseSpfRecord(text);
    if (!parsed.ok) {
      node.outcome = 'invalid';
      this.add({ id: 'spf.permerror', status: 'fail', domain, message: parsed.error.message });
      return node;
    }
    await this.lintRecord(parsed.value, domain, via, [...ancestors, domain], node);
    return node;
  }

  private async lintRecord(
    record: SpfRecord,
    domain: string,
    via: SpfLintNode['via'],
    path: readonly string[],
    node: SpfLintNode,
  ): Promise<void> {
    const pending: Promise<void>[] = [];
    let allSeen = false;
    for (const m of record.mechanisms) {
      if (countsTowardLookupLimit(m)) this.lookups++;
      switch (m.kind) {
        case 'all':
          allSeen = true;
          if (via === 'root' && m.qualifier === '+')
            this.add({
              id: 'spf.plus-all',
              status: 'fail',
              domain,
              term: m.text,
              message: `'${m.text}' authorizes every host on the Internet to send as ${domain}`,
            });
          if (via === 'root' && m.qualifier === '?')
            this.add({
              id: 'spf.neutral',
              status: 'warn',
              domain,
              term: m.text,
              message: `'${m.text}' gives neutral for unlisted hosts, which receivers treat like no policy`,
            });
          break;
        case 'ptr':
          this.add({
            id: 'spf.ptr-mechanism',
            status: 'warn',
            domain,
            term: m.text,
            message: `'ptr' is slow and unreliable and SHOULD NOT be used (RFC 7208 §5.5)`,
          });
          break;
        case 'include': {
          const target = literalTarget(m.domain, domain);
          if (target === undefined) break;
          pending.push(
            this.visit(target, 'include', path).then((child) => {
              node.children.push(child);
            }),
          );
          break;
        }
        case 'a':
        case 'mx': {
          const target = literalTarget(m.domain, domain);
          if (target === undefined) break;
          pending.push(this.checkVoid(m.kind, target, domain, m.text));
          break;
        }
        case 'exists':
        case 'ip4':
        case 'ip6':
          break;
        default: {
          const unreachable: never = m;
          return unreachable;
        }
      }
    }
    // RFC 7208 §6.1: redirect is ignored when the record has an 'all' mechanism.
    if (record.redirect && !allSeen) {
      this.lookups++;
      const target = literalTarget(record.redirect.value, domain);
      if (target !== undefined)
        pending.push(
          this.visit(target, 'redirect', path).then((child) => {
            node.children.push(child);
          }),
        );
    }
    if (via === 'root' && !allSeen && !record.redirect)
      this.add({
        id: 'spf.no-all',
        status: 'warn',
        domain,
        message: `the record ends without 'all' or 'redirect=', so unlisted hosts get neutral; end it with '-all' or '~all'`,
      });
    await Promise.all(pending);
  }

  /** Whether an `a` or `mx` target has records at all (void lookups, RFC 7208 §4.6.4). */
  private async checkVoid(kind: 'a' | 'mx', target: string, domain: string, term: string): Promise<void> {
    if (initialDomainProblem(target)) return;
    if (kind === 'mx') {
      const mx = await this.ctx.resolver.mx(target);
      if (!mx.ok) {
        if (isVoidDnsFailure(mx.kind)) {
          this.voidLookups++;
          this.add({ id: 'spf.void-lookup', status: 'warn', domain, term, message: `${target} has no MX records` });
        }
        return;
      }
      if (mx.records.length > 10)
        this.add({
          id: 'spf.too-many-lookups',
          status: 'fail',
          domain,
          term,
          message: `${target} has ${mx.records.length} MX records; more than 10 makes 'mx' a permerror (RFC 7208 §4.6.4)`,
        });
      return;
    }
    const [a, aaaa] = await Promise.all([this.ctx.resolver.a(target), this.ctx.resolver.aaaa(target)]);
    const isVoid = (x: DnsAnswer<string>) => !x.ok && isVoidDnsFailure(x.kind);
    if (isVoid(a) && isVoid(aaaa)) {
      this.voidLookups++;
      this.add({ id: 'spf.void-lookup', status: 'warn', domain, term, message: `${target} has no A or AAAA records` });
    }
  }
}

/**
 * Lints the SPF policy of `domain` (for `mailtrust audit`): one record, valid syntax, at most 10 DNS-querying terms
 * and 2 void lookups across all includes, no loops, no `ptr`, no `+all`/`?all`, an ending `all`, records within
 * 512 octets and strings within 255, includes that exist.
 */
export async function lintSpf(ctx: CheckContext, domain: string): Promise<SpfLintReport> {
  const name = lowerCaseName(domain);
  const linter = new Linter(ctx);
  const tree = await linter.visit(name, 'root', []);
  if (linter.lookups > ctx.limits.spfDnsMechanisms)
    linter.add({
      id: 'spf.too-many-lookups',
      status: 'fail',
      domain: name,
      message: `${linter.lookups} DNS-querying terms across the include tree; more than ${ctx.limits.spfDnsMechanisms} gives permerror when no earlier term matches (RFC 7208 §4.6.4)`,
    });
  if (linter.voidLookups > ctx.limits.spfVoidLookups)
    linter.add({
      id: 'spf.too-many-void-lookups',
      status: 'fail',
      domain: name,
      message: `${linter.voidLookups} lookups return no records; more than ${ctx.limits.spfVoidLookups} gives permerror (RFC 7208 §4.6.4)`,
    });
  return {
    domain: name,
    ...(tree.record !== undefined ? { record: tree.record } : {}),
    lookups: linter.lookups,
    voidLookups: linter.voidLookups,
    findings: linter.findings,
    tree,
    stringLengthsChecked: linter.stringLengthsChecked,
  };
}
