/**
 * check_host() of RFC 7208 §4: fetch the record, evaluate its mechanisms in order, follow include and redirect,
 * and apply the processing limits of §4.6.4. All side effects go through the context's resolver.
 */
import { stripReversePath } from '../message/reverse-path.js';
import { defaultEngineCaches } from '../caches.js';
import type { CheckContext } from '../context.js';
import { isVoidDnsFailure, type DnsAnswer, type DnsFailureKind } from '../dns/types.js';
import type { MaybeAsync } from '../maybe-async.js';
import { formatIpAddress, parseAnswerAddress, parseIpAddress, type IpAddress } from '../ip/address.js';
import { inNetwork } from '../ip/network.js';
import {
  expandMacroString,
  nameProblem,
  parseMacroString,
  targetName,
  usesValidatedName,
  type TargetName,
  type MacroValues,
} from './macro.js';
import { countsTowardLookupLimit, isSpfRecord } from './parse.js';
import type {
  SpfErrorCode,
  MacroString,
  SpfError,
  SpfIdentity,
  SpfMechanism,
  SpfQualifier,
  SpfQueryType,
  SpfRecord,
  SpfResult,
  SpfResultCode,
  SpfTraceEntry,
} from './types.js';
import { lowerCaseName } from '../dns/names.js';

/** What check_host() is asked (RFC 7208 §4.1). */
export interface CheckHostInput {
  /** `<ip>`: the SMTP client's address (IPv4, IPv6, or IPv4-mapped IPv6). */
  ip: string;
  /** `<domain>`: the domain whose policy is checked. */
  domain: string;
  /** `<sender>`: MAIL FROM or `postmaster@` + HELO name. */
  sender: string;
  /** HELO/EHLO name, for `%{h}`. */
  helo?: string;
  /** Which identity this is, reported in the result (default `mailfrom`). */
  identity?: SpfIdentity;
  /** The receiving host's name for `%{r}` (default `unknown`). */
  receiver?: string;
  /** Record the step trace in the result (default true; `false` leaves `trace` empty, for callers that drop it). */
  trace?: boolean;
}

/** At most this many PTR names are looked at (RFC 7208 §4.6.4). */
const MAX_PTR_NAMES = 10;
/** More MX records than this is a permerror (RFC 7208 §4.6.4). */
const MAX_MX_NAMES = 10;
/** Bound on trace entries and on the text kept per traced record. */
const MAX_TRACE_ENTRIES = 2000;
const MAX_TRACED_RECORDS = 20;
const MAX_TRACED_TEXT = 600;

function qualifierResult(qualifier: SpfQualifier): SpfResultCode {
  switch (qualifier) {
    case '+':
      return 'pass';
    case '-':
      return 'fail';
    case '~':
      return 'softfail';
    case '?':
      return 'neutral';
    default: {
      const unreachable: never = qualifier;
      return unreachable;
    }
  }
}

/** The end of evaluating one domain's record. */
interface DomainOutcome {
  result: SpfResultCode;
  error?: SpfError;
  mechanism?: string;
  /** The `exp=` of the record that produced the result, with the domain it belongs to (for `%{d}`). */
  explanation?: { spec: MacroString; domain: string };
}

type MatchOutcome = { kind: 'match' } | { kind: 'no-match' } | { kind: 'stop'; outcome: DomainOutcome };

/** The two outcomes without data, shared (frozen): most terms end in one of them. */
const MATCH: MatchOutcome = Object.freeze({ kind: 'match' });
const NO_MATCH: MatchOutcome = Object.freeze({ kind: 'no-match' });

/** A literal domain-spec's query name, found once per parsed spec (parsed records are cached and shared). */
const literalTargets = new WeakMap<MacroString, TargetName>();
/** expandMacroString()'s default bound. */
const MAX_EXPANDED_LENGTH = 8192;

function stop(result: 'temperror' | 'permerror', code: SpfErrorCode, message: string): MatchOutcome {
  return { kind: 'stop', outcome: { result, error: { code, message } } };
}

/** A domain name that can be checked: multi-label, labels of 1–63 characters, 253 at most (RFC 7208 §4.3). */
export function initialDomainProblem(domain: string): string | undefined {
  const problem = nameProblem(domain);
  if (problem) return problem;
  if (!domain.includes('.')) return 'not a multi-label domain name';
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x5b || c === 0x5d || c === 0x40)
      return 'not a domain name (address literal, space or invalid character)';
  }
  return undefined;
}

/**
 * One check_host() run's state: counters shared by every include and redirect (RFC 7208 §4.6.4 "per SPF check").
 */
class CheckHostRun {
  lookups = 0;
  voidLookups = 0;
  readonly trace: SpfTraceEntry[] = [];
  private readonly validatedNames = new Map<string, Promise<string>>();
  readonly localPart: string;
  readonly senderDomain: string;

  constructor(
    readonly ctx: CheckContext,
    readonly ip: IpAddress,
    readonly ipText: string,
    readonly sender: string,
    readonly helo: string,
    readonly receiver: string,
  ) {
    const at = sender.lastIndexOf('@');
    this.localPart = at < 0 ? 'postmaster' : sender.slice(0, at) || 'postmaster';
    this.senderDomain = at < 0 ? sender : sender.slice(at + 1);
  }

  /** False when the caller does not want the step trace: nothing is recorded. */
  tracing = true;

  addTrace(entry: SpfTraceEntry): void {
    if (this.tracing && this.trace.length < MAX_TRACE_ENTRIES) this.trace.push(entry);
  }

  private traceQuery<T>(
    depth: number,
    name: string,
    rrtype: SpfQueryType,
    answer: DnsAnswer<T>,
    show: (r: T) => string,
  ) {
    if (!this.tracing) return;
    this.addTrace({
      type: 'query',
      depth,
      name,
      rrtype,
      outcome: answer.ok ? 'ok' : answer.kind,
      records: answer.ok
        ? answer.records.slice(0, MAX_TRACED_RECORDS).map((r) => {
            const text = show(r);
            return text.length > MAX_TRACED_TEXT ? `${text.slice(0, MAX_TRACED_TEXT)}…` : text;
          })
        : [],
    });
  }

  async txt(depth: number, name: string): Promise<DnsAnswer<string>> {
    const answer = await this.ctx.resolver.txt(name);
    this.traceQuery(depth, name, 'TXT', answer, (r) => r);
    return answer;
  }

  /** A or AAAA records by the client's family (RFC 7208 §5.3), parsed. */
  async addresses(depth: number, name: string, family: 4 | 6): Promise<DnsAnswer<IpAddress>> {
    const answer = family === 4 ? await this.ctx.resolver.a(name) : await this.ctx.resolver.aaaa(name);
    this.traceQuery(depth, name, family === 4 ? 'A' : 'AAAA', answer, (r) => r);
    if (!answer.ok) return answer;
    const records: IpAddress[] = [];
    for (const text of answer.records) {
      const parsed = parseAnswerAddress(text, family);
      if (parsed) records.push(parsed);
    }
    return { ok: true, records, ttl: answer.ttl };
  }

  async mx(depth: number, name: string) {
    const answer = await this.ctx.resolver.mx(name);
    this.traceQuery(depth, name, 'MX', answer, (r) => `${r.priority} ${r.exchange}`);
    return answer;
  }

  async ptr(depth: number): Promise<DnsAnswer<string>> {
    const answer = await this.ctx.resolver.ptr(this.ipText);
    this.traceQuery(depth, this.ipText, 'PTR', answer, (r) => r);
    return answer;
  }

  /**
   * Validated domain names of the client (RFC 7208 §5.5): PTR names (at most 10) whose A/AAAA records include
   * the client's address. DNS errors skip a name.
   */
  async validatedDomainNames(depth: number): Promise<{ names: string[]; ptr: DnsAnswer<string> }> {
    const ptr = await this.ptr(depth);
    if (!ptr.ok) return { names: [], ptr };
    const candidates = ptr.records.slice(0, MAX_PTR_NAMES).map((n) => lowerCaseName(n));
    const checks = await Promise.all(
      candidates.map(async (name) => {
        if (nameProblem(name)) return false;
        const answer = await this.addresses(depth, name, this.ip.family);
        return answer.ok && answer.records.some((a) => inNetwork(this.ip, a, a.family === 4 ? 32 : 128));
      }),
    );
    return { names: candidates.filter((_, i) => checks[i]), ptr };
  }

  /** `%{p}` (RFC 7208 §7.3): the validated name equal to, else a subdomain of, `domain`; else any; else `unknown`. */
  validatedName(depth: number, domain: string): Promise<string> {
    const key = domain.toLowerCase();
    let cached = this.validatedNames.get(key);
    if (!cached) {
      cached = this.validatedDomainNames(depth).then(({ names }) => {
        return names.find((n) => n === key) ?? names.find((n) => n.endsWith(`.${key}`)) ?? names[0] ?? 'unknown';
      });
      this.validatedNames.set(key, cached);
    }
    return cached;
  }

  async macroValues(depth: number, domain: string, spec: MacroString | undefined): Promise<MacroValues> {
    return {
      sender: this.sender,
      localPart: this.localPart,
      senderDomain: this.senderDomain,
      domain,
      ip: this.ip,
      helo: this.helo,
      validatedName: spec && usesValidatedName(spec) ? await this.validatedName(depth, domain) : 'unknown',
      receiver: this.receiver,
      timestamp: Math.floor(this.ctx.now().getTime() / 1000),
    };
  }

  /** Expands a domain-spec into a name to query. */
  async target(
    depth: number,
    domain: string,
    spec: MacroString,
  ): Promise<{ ok: true; name: string } | { ok: false; reason: string; expanded: string }> {
    const literal = literalTarget(spec);
    if (literal?.ok) return literal;
    const expanded = expandMacroString(spec, await this.macroValues(depth, domain, spec));
    const target = targetName(expanded);
    return target.ok ? target : { ok: false, reason: target.reason, expanded };
  }

  /** Counts a void lookup (RFC 7208 §4.6.4); a stop outcome when the limit is passed. */
  voidLookup(): MatchOutcome | undefined {
    this.voidLookups++;
    if (this.voidLookups > this.ctx.limits.spfVoidLookups)
      return stop(
        'permerror',
        'spf.too-many-void-lookups',
        `more than ${this.ctx.limits.spfVoidLookups} DNS lookups returned no records (RFC 7208 §4.6.4)`,
      );
    return undefined;
  }

  /**
   * §4.5: the one SPF record among a TXT answer (§4.4), parsed, with its exp= (§6.2); or the outcome when there is
   * none, more than one, or it does not parse.
   */
  private selectRecord(
    domain: string,
    depth: number,
    answer: DnsAnswer<string>,
  ): DomainOutcome | { record: SpfRecord; explanation: DomainOutcome['explanation'] } {
    if (!answer.ok) {
      if (isVoidDnsFailure(answer.kind)) return { result: 'none' };
      return {
        result: 'temperror',
        error: { code: 'spf.temperror', message: `TXT lookup for ${domain}: ${answer.kind} (RFC 7208 §4.4)` },
      };
    }
    let text: string | undefined;
    let count = 0;
    for (const record of answer.records) {
      if (!isSpfRecord(record)) continue;
      text ??= record;
      count++;
    }
    if (text === undefined) return { result: 'none' };
    if (count > 1)
      return {
        result: 'permerror',
        error: {
          code: 'spf.multiple-records',
          message: `${domain} publishes ${count} SPF records; exactly one is allowed (RFC 7208 §4.5)`,
        },
      };
    if (this.tracing)
      this.addTrace({ type: 'record', depth, domain, record: text.length > 2048 ? `${text.slice(0, 2048)}…` : text });
    const parsed = (this.ctx.caches ?? defaultEngineCaches()).spfRecords.get(text);
    if (!parsed.ok)
      return {
        result: 'permerror',
        error: { code: 'spf.permerror', message: `SPF record of ${domain}: ${parsed.error.message}` },
      };
    const record = parsed.value;
    return { record, explanation: record.exp ? { spec: record.exp.value, domain } : undefined };
  }

  /** Counts a DNS-querying term (RFC 7208 §4.6.4); the permerror outcome when it is one too many. */
  private countLookup(mechanism: SpfMechanism, domain: string): DomainOutcome | undefined {
    this.lookups++;
    if (this.lookups <= this.ctx.limits.spfDnsMechanisms) return undefined;
    return {
      result: 'permerror',
      error: {
        code: 'spf.too-many-lookups',
        message: `more than ${this.ctx.limits.spfDnsMechanisms} DNS-querying terms (include, a, mx, ptr, exists, redirect) at '${mechanism.text}' in ${domain} (RFC 7208 §4.6.4)`,
      },
    };
  }

  /**
   * check_host() for one domain without waiting: when every TXT answer it needs is already known (zone data, a
   * live cache entry) and every term it meets is `ip4`, `ip6`, `all` or an `include` of a name without macros, the
   * outcome is found here, with no promise per step (most mail meets only those). Anything else — another term, a
   * redirect, an answer still on its way, a trace being kept — gives undefined, and the caller evaluates the usual
   * way after restoring the counters (the DNS answers asked here are in the evaluation's memo by then, asked once).
   * The outcomes and counters are those {@link evaluateRecord} gives for the same terms.
   */
  evaluateKnown(domain: string): DomainOutcome | undefined {
    const resolver = this.ctx.resolver;
    if (this.tracing || resolver.known === undefined || this.ctx.signal?.aborted) return undefined;
    if (initialDomainProblem(domain)) return { result: 'none' };
    const answer = resolver.known('txt', domain);
    if (answer === undefined) return undefined;
    const selected = this.selectRecord(domain, 0, answer);
    if (!('record' in selected)) return selected;
    const { record, explanation } = selected;
    if (record.redirect) return undefined;
    for (const mechanism of record.mechanisms) {
      switch (mechanism.kind) {
        case 'all':
          return matched(mechanism, explanation);
        case 'ip4':
        case 'ip6':
          if (inNetwork(this.ip, mechanism.network, mechanism.prefix)) return matched(mechanism, explanation);
          continue;
        case 'include': {
          const target = literalTarget(mechanism.domain);
          if (!target?.ok) return undefined;
          const over = this.countLookup(mechanism, domain);
          if (over) return over;
          const sub = this.evaluateKnown(target.name);
          if (sub === undefined) return undefined;
          const match = includeMatch(sub, target.name);
          if (match.kind === 'stop') return match.outcome;
          if (match.kind === 'match') return matched(mechanism, explanation);
          continue;
        }
        default:
          return undefined;
      }
    }
    return { result: 'neutral' };
  }

  /** check_host() for one domain (RFC 7208 §4). */
  async evaluateDomain(domain: string, depth: number): Promise<DomainOutcome> {
    const outcome = await this.evaluateRecord(domain, depth);
    if (this.tracing) this.addTrace({ type: 'result', depth, domain, result: outcome.result });
    return outcome;
  }

  private async evaluateRecord(domain: string, depth: number): Promise<DomainOutcome> {
    if (this.ctx.signal?.aborted)
      return { result: 'temperror', error: { code: 'spf.temperror', message: 'evaluation aborted' } };
    if (initialDomainProblem(domain)) return { result: 'none' };
    // §4.4: record lookup. §4.5: select the records that start with "v=spf1".
    const selected = this.selectRecord(domain, depth, await this.txt(depth, domain));
    if (!('record' in selected)) return selected;
    const { record, explanation } = selected;

    for (const mechanism of record.mechanisms) {
      if (countsTowardLookupLimit(mechanism)) {
        const over = this.countLookup(mechanism, domain);
        if (over) {
          this.addTrace({ type: 'term', depth, domain, term: mechanism.text, outcome: 'error', lookups: this.lookups });
          return over;
        }
      }
      if (this.ctx.signal?.aborted)
        return { result: 'temperror', error: { code: 'spf.temperror', message: 'evaluation aborted' } };
      // ip4, ip6 and all need no DNS: matched here, without a trip through the promise machinery.
      const kind = mechanism.kind;
      if (!this.tracing && (kind === 'ip4' || kind === 'ip6' || kind === 'all')) {
        if (kind === 'all' || inNetwork(this.ip, mechanism.network, mechanism.prefix))
          return matched(mechanism, explanation);
        continue;
      }
      // The term's entry goes before its queries and any included record; its outcome is filled in after.
      const slot = this.trace.length;
      if (this.tracing)
        this.addTrace({
          type: 'term',
          depth,
          domain,
          term: mechanism.text,
          outcome: 'no-match',
          lookups: this.lookups,
        });
      const { match, target } = await this.matchMechanism(mechanism, domain, depth);
      if (this.tracing && slot < this.trace.length)
        this.trace[slot] = {
          type: 'term',
          depth,
          domain,
          term: mechanism.text,
          outcome: match.kind === 'match' ? 'match' : match.kind === 'no-match' ? 'no-match' : 'error',
          lookups: this.lookups,
          ...(target !== undefined ? { target } : {}),
        };
      if (match.kind === 'stop') return match.outcome;
      if (match.kind === 'match') return matched(mechanism, explanation);
    }

    if (record.redirect) {
      // §6.1: redirect counts as a DNS-querying term; the target's result is the result, none becomes permerror.
      this.lookups++;
      const term = record.redirect.text;
      if (this.lookups > this.ctx.limits.spfDnsMechanisms) {
        this.addTrace({ type: 'term', depth, domain, term, outcome: 'error', lookups: this.lookups });
        return {
          result: 'permerror',
          error: {
            code: 'spf.too-many-lookups',
            message: `more than ${this.ctx.limits.spfDnsMechanisms} DNS-querying terms at '${term}' in ${domain} (RFC 7208 §4.6.4)`,
          },
        };
      }
      const target = await this.target(depth, domain, record.redirect.value);
      this.addTrace({
        type: 'term',
        depth,
        domain,
        term,
        outcome: target.ok ? 'match' : 'error',
        lookups: this.lookups,
        target: target.ok ? target.name : target.expanded,
      });
      if (!target.ok)
        return {
          result: 'permerror',
          error: { code: 'spf.permerror', message: `redirect target '${target.expanded}': ${target.reason}` },
        };
      const sub = await this.evaluateDomain(target.name, depth + 1);
      if (sub.result === 'none')
        return {
          result: 'permerror',
          error: { code: 'spf.permerror', message: `redirect=${target.name}: no SPF record there (RFC 7208 §6.1)` },
        };
      return sub;
    }
    return { result: 'neutral' };
  }

  private async matchMechanism(
    mechanism: SpfMechanism,
    domain: string,
    depth: number,
  ): Promise<{ match: MatchOutcome; target?: string }> {
    switch (mechanism.kind) {
      case 'all':
        return { match: MATCH };
      case 'ip4':
      case 'ip6':
        return { match: inNetwork(this.ip, mechanism.network, mechanism.prefix) ? MATCH : NO_MATCH };
      case 'include': {
        const target = await this.target(depth, domain, mechanism.domain);
        if (!target.ok)
          return {
            match: stop('permerror', 'spf.permerror', `include target '${target.expanded}': ${target.reason}`),
            target: target.expanded,
          };
        const sub = await this.evaluateDomain(target.name, depth + 1);
        return { match: includeMatch(sub, target.name), target: target.name };
      }
      case 'a': {
        const name = await this.optionalTarget(depth, domain, mechanism.domain);
        if (!name.ok) return { match: NO_MATCH, target: name.expanded };
        const answer = await this.addresses(depth, name.name, this.ip.family);
        if (!answer.ok) return { match: this.failedLookup(answer.kind, 'A/AAAA', name.name), target: name.name };
        const prefix = this.ip.family === 4 ? mechanism.cidr4 : mechanism.cidr6;
        const hit = answer.records.some((a) => inNetwork(this.ip, a, prefix));
        return { match: hit ? MATCH : NO_MATCH, target: name.name };
      }
      case 'mx': {
        const name = await this.optionalTarget(depth, domain, mechanism.domain);
        if (!name.ok) return { match: NO_MATCH, target: name.expanded };
        const answer = await this.mx(depth, name.name);
        if (!answer.ok) return { match: this.failedLookup(answer.kind, 'MX', name.name), target: name.name };
        if (answer.records.length > MAX_MX_NAMES)
          return {
            match: stop(
              'permerror',
              'spf.too-many-lookups',
              `${name.name} has ${answer.records.length} MX records; at most ${MAX_MX_NAMES} may be looked up (RFC 7208 §4.6.4)`,
            ),
            target: name.name,
          };
        const exchanges = answer.records
          .slice()
          .sort((x, y) => x.priority - y.priority)
          .map((r) => stripDot(r.exchange))
          .filter((e) => e !== '' && !nameProblem(e)); // null MX (RFC 7505) has no host
        const prefix = this.ip.family === 4 ? mechanism.cidr4 : mechanism.cidr6;
        const answers = await Promise.all(exchanges.map((e) => this.addresses(depth, e, this.ip.family)));
        for (let i = 0; i < answers.length; i++) {
          const a = answers[i];
          if (a && !a.ok && !isVoidDnsFailure(a.kind))
            return {
              match: stop('temperror', 'spf.temperror', `address lookup for MX host ${exchanges[i]}: ${a.kind}`),
              target: name.name,
            };
        }
        const hit = answers.some((a) => a.ok && a.records.some((r) => inNetwork(this.ip, r, prefix)));
        return { match: hit ? MATCH : NO_MATCH, target: name.name };
      }
      case 'ptr': {
        const name = await this.optionalTarget(depth, domain, mechanism.domain);
        if (!name.ok) return { match: NO_MATCH, target: name.expanded };
        const { names, ptr } = await this.validatedDomainNames(depth);
        // §5.5: a DNS error on the PTR lookup means no match; an empty answer counts as a void lookup (§4.6.4).
        if (!ptr.ok && isVoidDnsFailure(ptr.kind)) {
          const over = this.voidLookup();
          if (over) return { match: over, target: name.name };
        }
        const wanted = name.name.toLowerCase();
        const hit = names.some((n) => n === wanted || n.endsWith(`.${wanted}`));
        return { match: hit ? MATCH : NO_MATCH, target: name.name };
      }
      case 'exists': {
        const target = await this.target(depth, domain, mechanism.domain);
        if (!target.ok) return { match: NO_MATCH, target: target.expanded };
        // §5.7: always an A query, whatever the client's family.
        const answer = await this.addresses(depth, target.name, 4);
        if (!answer.ok) return { match: this.failedLookup(answer.kind, 'A', target.name), target: target.name };
        return { match: answer.records.length > 0 ? MATCH : NO_MATCH, target: target.name };
      }
      default: {
        const unreachable: never = mechanism;
        return unreachable;
      }
    }
  }

  /** A mechanism's target: its domain-spec expanded, or the current domain. */
  private async optionalTarget(depth: number, domain: string, spec: MacroString | undefined) {
    if (!spec) return { ok: true as const, name: domain };
    return this.target(depth, domain, spec);
  }

  /** A lookup that returned no records: void (no match, counted) or a DNS error (temperror, RFC 7208 §2.6.6). */
  private failedLookup(kind: DnsFailureKind, type: string, name: string): MatchOutcome {
    if (isVoidDnsFailure(kind)) return this.voidLookup() ?? NO_MATCH;
    return stop('temperror', 'spf.temperror', `${type} lookup for ${name}: ${kind}`);
  }

  /** The explanation string of a `fail` (RFC 7208 §6.2); undefined when any step fails. */
  async explanation(source: { spec: MacroString; domain: string }): Promise<string | undefined> {
    const target = await this.target(0, source.domain, source.spec);
    if (!target.ok) return undefined;
    const answer = await this.txt(0, target.name);
    if (!answer.ok || answer.records.length !== 1) return undefined;
    const text = answer.records[0] ?? '';
    if (text.length > 4096) return undefined;
    const parsed = parseMacroString(text, 'explanation');
    if (!parsed.ok) return undefined;
    const expanded = expandMacroString(parsed.value, await this.macroValues(0, source.domain, parsed.value), 4096);
    for (let i = 0; i < expanded.length; i++) {
      const c = expanded.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) return undefined;
    }
    return expanded;
  }
}

function stripDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The outcome of a matching term: its qualifier's result (RFC 7208 §4.6.2), and the record's exp= if any. */
function matched(mechanism: SpfMechanism, explanation: DomainOutcome['explanation']): DomainOutcome {
  const result = qualifierResult(mechanism.qualifier);
  return explanation ? { result, mechanism: mechanism.text, explanation } : { result, mechanism: mechanism.text };
}

/** What an include's result means for the including record (RFC 7208 §5.2 table). */
function includeMatch(sub: DomainOutcome, name: string): MatchOutcome {
  switch (sub.result) {
    case 'pass':
      return MATCH;
    case 'fail':
    case 'softfail':
    case 'neutral':
      return NO_MATCH;
    case 'temperror':
    case 'permerror':
      return { kind: 'stop', outcome: sub.error ? { result: sub.result, error: sub.error } : { result: sub.result } };
    case 'none':
      return stop('permerror', 'spf.permerror', `include:${name} has no SPF record (RFC 7208 §5.2)`);
    default: {
      const unreachable: never = sub.result;
      return unreachable;
    }
  }
}

/** The query name of a domain-spec without macros (RFC 7208 §7.1), or undefined when it has macros. */
function literalTarget(spec: MacroString): TargetName | undefined {
  let known = literalTargets.get(spec);
  if (known === undefined) {
    if (spec.tokens.some((token) => token.kind !== 'literal')) return undefined;
    // As expandMacroString() would write it (bounded the same way).
    const text = spec.tokens.map((token) => (token.kind === 'literal' ? token.text : '')).join('');
    known = targetName(text.slice(0, MAX_EXPANDED_LENGTH));
    literalTargets.set(spec, known);
  }
  return known;
}

/**
 * check_host(<ip>, <domain>, <sender>) of RFC 7208 §4. Never throws: bad input and DNS trouble are results
 * (`permerror`, `temperror`, `none`) with an error code.
 */
export async function checkHost(ctx: CheckContext, input: CheckHostInput): Promise<SpfResult> {
  return checkHostResult(ctx, input);
}

/**
 * {@link checkHost}, synchronous when the short path decides (every answer known, only `ip4`, `ip6`, `all` and
 * literal includes met, no trace kept, no explanation to fetch); otherwise a promise. `parsedIp` is `input.ip`
 * already parsed (an evaluation parses the client address once).
 */
function checkHostResult(ctx: CheckContext, input: CheckHostInput, parsedIp?: IpAddress): MaybeAsync<SpfResult> {
  const identity = input.identity ?? 'mailfrom';
  const domain = lowerCaseName(input.domain);
  const base = { domain, identity, lookups: 0, voidLookups: 0 } as const;
  const ip = parsedIp ?? parseIpAddress(input.ip);
  if (!ip)
    return {
      ...base,
      result: 'permerror',
      error: { code: 'spf.permerror', message: `'${input.ip}' is not an IP address` },
      trace: [],
    };
  const state = new CheckHostRun(
    ctx,
    ip,
    formatIpAddress(ip),
    input.sender,
    input.helo ?? '',
    input.receiver ?? 'unknown',
  );
  if (input.trace === false) state.tracing = false;
  const problem = initialDomainProblem(domain);
  if (problem)
    return {
      ...base,
      result: 'none',
      error: { code: 'spf.none', message: `'${input.domain}' cannot have an SPF record: ${problem} (RFC 7208 §4.3)` },
      trace: [],
    };
  let known: DomainOutcome | undefined;
  try {
    known = state.evaluateKnown(domain);
  } catch (cause) {
    return resultOfOutcome(state, domain, identity, resolverError(cause), undefined);
  }
  if (known !== undefined && !(known.result === 'fail' && known.explanation))
    return resultOfOutcome(state, domain, identity, known, undefined);
  return evaluateFully(state, domain, identity, known);
}

/** A resolver must not throw (docs/architecture.md); if one does, it is reported as a temporary DNS failure. */
function resolverError(cause: unknown): DomainOutcome {
  return {
    result: 'temperror',
    error: {
      code: 'spf.temperror',
      message: `resolver error: ${cause instanceof Error ? cause.message : String(cause)}`,
    },
  };
}

/** check_host() the usual way (when the short path could not decide), then the explanation of a `fail`. */
async function evaluateFully(
  state: CheckHostRun,
  domain: string,
  identity: SpfIdentity,
  known: DomainOutcome | undefined,
): Promise<SpfResult> {
  let outcome: DomainOutcome;
  if (known !== undefined) outcome = known;
  else {
    try {
      // Start over the usual way: the answers asked by the short path are in the memo, the counters start again.
      state.lookups = 0;
      state.voidLookups = 0;
      outcome = await state.evaluateDomain(domain, 0);
    } catch (cause) {
      outcome = resolverError(cause);
    }
  }
  let explanation: string | undefined;
  if (outcome.result === 'fail' && outcome.explanation) {
    try {
      explanation = await state.explanation(outcome.explanation);
    } catch {
      explanation = undefined;
    }
  }
  return resultOfOutcome(state, domain, identity, outcome, explanation);
}

/** The result of check_host() from the outcome of the top-level domain. */
function resultOfOutcome(
  state: CheckHostRun,
  domain: string,
  identity: SpfIdentity,
  outcome: DomainOutcome,
  explanation: string | undefined,
): SpfResult {
  const error =
    outcome.error ??
    (outcome.result === 'none' ? { code: 'spf.none', message: `${domain} publishes no SPF record` } : undefined);
  // Written out for the common cases (no spread: docs/performance.md); optional fields keep their place, before
  // the trace.
  if (explanation === undefined && !error) {
    return outcome.mechanism === undefined
      ? {
          result: outcome.result,
          domain,
          identity,
          lookups: state.lookups,
          voidLookups: state.voidLookups,
          trace: state.trace,
        }
      : {
          result: outcome.result,
          domain,
          identity,
          mechanism: outcome.mechanism,
          lookups: state.lookups,
          voidLookups: state.voidLookups,
          trace: state.trace,
        };
  }
  return {
    result: outcome.result,
    domain,
    identity,
    ...(outcome.mechanism !== undefined ? { mechanism: outcome.mechanism } : {}),
    lookups: state.lookups,
    voidLookups: state.voidLookups,
    ...(explanation !== undefined ? { explanation } : {}),
    ...(error ? { error } : {}),
    trace: state.trace,
  };
}

/** The SMTP envelope an SPF check looks at. */
export interface SpfEnvelope {
  ip: string;
  /** MAIL FROM address; `''` or `'<>'` is the null sender of bounces. Angle brackets are removed. */
  mailFrom: string;
  helo?: string;
  /** Receiving host name for `%{r}` (default `unknown`). */
  receiver?: string;
  /** Record the step trace (default true). */
  trace?: boolean;
}

/**
 * Checks the MAIL FROM identity (RFC 7208 §2.4), or the HELO identity with `postmaster@HELO` as sender when the
 * reverse-path is null (§2.4). A MAIL FROM without a local-part uses `postmaster` (§4.3).
 */
export async function checkSpf(ctx: CheckContext, envelope: SpfEnvelope): Promise<SpfResult> {
  return spfResult(ctx, envelope);
}

/**
 * {@link checkSpf}, synchronous when check_host() can decide without waiting (see `checkHostResult`). `ip` is
 * `envelope.ip` already parsed (an evaluation parses the client address once).
 */
export function spfResult(ctx: CheckContext, envelope: SpfEnvelope, ip?: IpAddress): MaybeAsync<SpfResult> {
  const mailFrom = stripReversePath(envelope.mailFrom);
  const helo = envelope.helo ?? '';
  // Each input is written out whole: `{ ...common, domain }` is slow on Node 20 (docs/performance.md).
  const input = (domain: string, sender: string, identity: SpfIdentity): CheckHostInput => ({
    ip: envelope.ip,
    domain,
    sender,
    helo,
    identity,
    ...(envelope.receiver !== undefined ? { receiver: envelope.receiver } : {}),
    ...(envelope.trace === false ? { trace: false } : {}),
  });
  if (mailFrom === '') {
    if (helo === '')
      return {
        result: 'none',
        domain: '',
        identity: 'helo',
        lookups: 0,
        voidLookups: 0,
        error: { code: 'spf.none', message: 'null sender and no HELO name: nothing to check (RFC 7208 §2.4)' },
        trace: [],
      };
    return checkHostResult(ctx, input(helo, `postmaster@${helo}`, 'helo'), ip);
  }
  const at = mailFrom.lastIndexOf('@');
  const domain = at < 0 ? mailFrom : mailFrom.slice(at + 1);
  const sender = at < 0 ? `postmaster@${mailFrom}` : at === 0 ? `postmaster${mailFrom}` : mailFrom;
  return checkHostResult(ctx, input(domain, sender, 'mailfrom'), ip);
}

/** Checks the HELO identity on its own (RFC 7208 §2.3), with `postmaster@HELO` as sender. */
export async function checkSpfHelo(
  ctx: CheckContext,
  envelope: { ip: string; helo: string; receiver?: string },
): Promise<SpfResult> {
  return checkHost(ctx, {
    ip: envelope.ip,
    domain: envelope.helo,
    sender: `postmaster@${envelope.helo}`,
    helo: envelope.helo,
    identity: 'helo',
    ...(envelope.receiver !== undefined ? { receiver: envelope.receiver } : {}),
  });
}
