/**
 * `evaluate()` and `createEvaluator()`: every check of one message, run the way an SMTP receiver meets them.
 *
 * - At connection (the envelope alone): iprev (RFC 8601 §3), HELO (RFC 5321 §4.1.1.1), SPF (RFC 7208 §2.4).
 * - When the header block is complete: DKIM and ARC verifiers start their key lookups, the From domain is read
 *   (RFC 7489 §6.6.1) and its DMARC record looked up — all concurrently with the SPF check.
 * - While the body streams in: DKIM and ARC body hashes, chunk by chunk (nothing is buffered).
 * - At the end: DMARC reads the SPF and DKIM results (never re-checking them), then the
 *   Authentication-Results header is formatted.
 *
 * One evaluation asks each DNS question once (a memo over the resolver) and records every query in `dns`.
 */
import { stripReversePath } from '../message/reverse-path.js';
import { createArcVerifier, type ArcResult, type ArcVerifier } from '../arc/index.js';
import { authResEntries, formatAuthenticationResults, type SpfAuthResInput } from '../authres/index.js';
import { defaultLimits, type CheckContext } from '../context.js';
import { BodyHashSet, createDkimVerifier, type DkimResult, type DkimVerifier } from '../dkim/index.js';
import { authorDomain, prefetchDmarcRecords, type DmarcResult } from '../dmarc/index.js';
import { dmarcResult } from '../dmarc/evaluate.js';
import { DnsClient, QueryTrace, createResolver, memoizeResolver, traceResolver } from '../dns/index.js';
import { isVoidDnsFailure, type DnsAnswer, type MxRecord, type Resolver } from '../dns/types.js';
import { forwardingHintsFromHeader, type ForwardingHint } from '../forwarding/index.js';
import { headersResult } from '../headers/check.js';
import type { HeadersResult } from '../headers/index.js';
import { heloResult, type HeloResult } from '../helo/check.js';
import { iprevResult, type IprevResult } from '../iprev/check.js';
import { lookup } from '../dns/lookup.js';
import type { MaybeAsync } from '../maybe-async.js';
import { MessageSplitter, fieldValue, getFields, type ParsedHeader } from '../message/index.js';
import type { ParseError } from '../parse-result.js';
import { reviseResult } from '../revise-result.js';
import { defaultPolicy } from '../policy/index.js';
import { spfResult } from '../spf/check-host.js';
import type { SpfResult } from '../spf/index.js';
import { decideVerdict, type VerdictInput } from '../verdict/index.js';
import type { Envelope, EvaluateOptions, Evaluation, EvaluationSpf } from './types.js';
import { checkEnvelope, InvalidEnvelopeError } from './envelope-check.js';

let systemResolver: DnsClient | undefined;

/** The process-wide resolver used when none is given: the system's servers, one shared cache. */
function defaultResolver(): DnsClient {
  systemResolver ??= createResolver();
  return systemResolver;
}

/** A message that is evaluated as it arrives. */
export interface Evaluator {
  /** Feeds the next bytes of the message (CRLF or bare LF line ends). */
  write(chunk: Uint8Array | string): void;
  /** Ends the message and resolves to its evaluation. */
  end(): Promise<Evaluation>;
}

const encoder = new TextEncoder();

/** Normalizes the reverse-path: angle brackets removed; `<>` becomes the null sender `''`. */
function reversePath(mailFrom: string | undefined): string | undefined {
  if (mailFrom === undefined) return undefined;
  return stripReversePath(mailFrom);
}

interface HeaderStage {
  header: ParsedHeader;
  headers: MaybeAsync<HeadersResult>;
  /** The From domain's MX hosts, for `helo.not-mx` and HELO-is-an-MX-of-the-sender. */
  senderMx: MaybeAsync<DnsAnswer<MxRecord>> | undefined;
  dkim: DkimVerifier;
  arc: ArcVerifier;
  fromDomain: { ok: true; domain: string } | { ok: false; error: ParseError };
}

function noDmarc(error: ParseError, domain = ''): DmarcResult {
  return {
    result: 'permerror',
    domain,
    organizationalDomain: domain,
    policy: 'none',
    pct: 100,
    alignment: { spf: false, dkim: false },
    modes: { spf: 'relaxed', dkim: 'relaxed' },
    identifiers: { dkim: [] },
    queried: [],
    error: { code: 'headers.from-invalid', message: error.message },
  };
}

/** The header result of a message whose header block could not be read: no From can be found. */
function unparsedHeaders(error: ParseError): HeadersResult {
  return {
    result: 'fail',
    findings: ['headers.from-missing'],
    details: [{ id: 'headers.from-missing', reason: 'syntax', error: error.message }],
    domains: [],
    domainLimit: 0,
    domainsSkipped: 0,
  };
}

/*
 * The copies below are written out field by field: on Node 20, an object literal that starts with a spread and
 * then adds properties the spread did not have (`{ ...result, aligned }`) costs about a microsecond per added
 * property, more than the whole check it decorates. See docs/performance.md.
 */

/** The envelope as evaluated: the caller's, with the reverse-path normalized. */
function envelopeCopy(envelope: Envelope, mailFrom: string | undefined): Envelope {
  const copy: Envelope = { ip: envelope.ip };
  if (envelope.helo !== undefined) copy.helo = envelope.helo;
  if (mailFrom !== undefined) copy.mailFrom = mailFrom;
  if (envelope.rcptTo !== undefined) copy.rcptTo = envelope.rcptTo;
  return copy;
}

/** SPF as the evaluation reports it: every field of the check's result but its step trace. */
function withoutTrace(spf: SpfResult): EvaluationSpf {
  // Fields added in their order (mechanism before the counters; explanation and error after them).
  const out = { result: spf.result, domain: spf.domain, identity: spf.identity } as EvaluationSpf;
  if (spf.mechanism !== undefined) out.mechanism = spf.mechanism;
  out.lookups = spf.lookups;
  out.voidLookups = spf.voidLookups;
  if (spf.explanation !== undefined) out.explanation = spf.explanation;
  if (spf.error !== undefined) out.error = spf.error;
  return out;
}

/**
 * Starts evaluating a message for `envelope`. Connection-level checks begin at once; feed the message with
 * `write()` and call `end()` for the result.
 */
export function createEvaluator(envelope: Envelope, options: EvaluateOptions = {}): Evaluator {
  const checked = checkEnvelope(envelope);
  if (!checked.ok) throw new InvalidEnvelopeError(checked.error);
  const base = options.resolver ?? defaultResolver();
  // Every resolver gets the query trace: a DnsClient records its own (with sources and raw records), any other
  // is wrapped.
  const trace = new QueryTrace();
  const resolver: Resolver = base instanceof DnsClient ? base.withTrace(trace) : traceResolver(base, trace);
  const now = options.now ?? new Date();
  const ctx: CheckContext = {
    resolver: memoizeResolver(resolver),
    now: () => now,
    limits: options.limits ? { ...defaultLimits, ...options.limits } : defaultLimits,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.caches ? { caches: options.caches } : {}),
  };
  const mailFrom = reversePath(envelope.mailFrom);
  const evaluatedEnvelope = envelopeCopy(envelope, mailFrom);

  // Connection stage: only the envelope is needed.
  // Each check is its result at once when every answer it needs is known (a warm cache), else a promise.
  // The client address is parsed once, by checkEnvelope(); every check gets it parsed.
  const clientIp = checked.value.ip;
  const iprev = iprevResult(ctx, envelope.ip, clientIp);
  const helo = heloResult(ctx, { helo: envelope.helo, ip: envelope.ip }, clientIp);
  const spf = spfResult(
    ctx,
    {
      ip: envelope.ip,
      mailFrom: mailFrom ?? '',
      ...(envelope.helo !== undefined ? { helo: envelope.helo } : {}),
      ...(options.receiver !== undefined ? { receiver: options.receiver } : {}),
      // The evaluation reports no SPF step trace (its DNS queries are in `dns.queries`).
      trace: false,
    },
    clientIp,
  );

  let stage: HeaderStage | undefined;
  let headerError: ParseError | undefined;
  const bodyHashes = new BodyHashSet();
  const splitter = new MessageSplitter({
    header: (parsed) => {
      if (!parsed.ok) {
        headerError = parsed.error;
        return;
      }
      const header = parsed.value;
      const from = authorDomain(getFields(header, 'from').map(fieldValue));
      stage = {
        header,
        headers: headersResult(ctx, header),
        senderMx: from.ok ? lookup(ctx.resolver, 'mx', from.value.domain) : undefined,
        dkim: createDkimVerifier(ctx, header, { bodyHashes }),
        arc: createArcVerifier(ctx, header, { bodyHashes }),
        fromDomain: from.ok ? { ok: true, domain: from.value.domain } : { ok: false, error: from.error },
      };
      // Start the DMARC lookups now, beside SPF and the DKIM keys; evaluateDmarc() later meets them in the memo.
      if (from.ok) prefetchDmarcRecords(ctx, from.value.domain);
    },
    body: (chunk) => {
      // DKIM and ARC share their body hashers (same c= and l=, one canonicalization pass): fed once, here.
      if (stage) bodyHashes.update(chunk);
    },
  });

  let ended = false;
  return {
    write(chunk) {
      if (ended) throw new Error('evaluator: write() after end()');
      splitter.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    },
    async end() {
      if (ended) throw new Error('evaluator: end() called twice');
      ended = true;
      splitter.end();
      const unparsed: ParseError = headerError ?? { code: 'message.no-header', message: 'the message has no header' };
      const pending: [
        MaybeAsync<IprevResult>,
        MaybeAsync<HeloResult>,
        MaybeAsync<SpfResult>,
        MaybeAsync<DkimResult[]>,
        MaybeAsync<ArcResult>,
        MaybeAsync<HeadersResult>,
      ] = [
        iprev,
        helo,
        spf,
        stage ? stage.dkim.finishResult() : [],
        stage ? stage.arc.finishResult() : { result: 'none', instances: 0, sets: [] },
        stage ? stage.headers : unparsedHeaders(unparsed),
      ];
      // Waited for only when some check is waiting on DNS.
      const [iprevResult, heloResult, spfResult, dkimResults, arcResult, headersResult] = pending.some(
        (value) => value instanceof Promise,
      )
        ? await Promise.all(pending)
        : (pending as [IprevResult, HeloResult, SpfResult, DkimResult[], ArcResult, HeadersResult]);
      const fromDomain = stage?.fromDomain;
      let dmarc: MaybeAsync<DmarcResult> =
        fromDomain?.ok === true
          ? dmarcResult(ctx, {
              fromDomain: fromDomain.domain,
              spf: { result: spfResult.result, domain: spfResult.domain },
              dkim: dkimResults,
            })
          : noDmarc(fromDomain?.ok === false ? fromDomain.error : unparsed);
      if (dmarc instanceof Promise) dmarc = await dmarc;
      // DMARC says which signatures align; new objects, the DKIM results stay as they were.
      const dkim = dkimResults.map((result, i) => {
        const aligned = dmarc.identifiers.dkim[i]?.aligned;
        return aligned === undefined ? result : reviseResult(result, { aligned });
      });
      const spfOut = withoutTrace(spfResult);
      let mx = stage?.senderMx;
      if (mx instanceof Promise) mx = await mx;
      // A temporary failure leaves the MX hosts unknown (undefined), so no finding depends on them.
      const senderMxHosts = !mx
        ? undefined
        : mx.ok
          ? mx.records.map((r) => r.exchange)
          : isVoidDnsFailure(mx.kind)
            ? []
            : undefined;
      const forwardingHints = stage ? hintsOf(stage.header, envelope.rcptTo) : [];
      const fromText = fromDomain?.ok ? fromDomain.domain : undefined;
      // What each check found, listed once: the verdict's input and, in this order, fields of the evaluation. A
      // spread after other properties is cheap on Node 20 (~0.1 µs here); one that starts a literal and is then
      // added to is not (docs/performance.md).
      const checks = {
        iprev: iprevResult,
        helo: heloResult,
        spf: spfOut,
        dkim,
        dmarc,
        arc: arcResult,
        headers: headersResult,
      };
      const input: VerdictInput = { envelope: evaluatedEnvelope, ...checks, forwardingHints };
      if (fromText !== undefined) input.fromDomain = fromText;
      if (senderMxHosts) input.senderMxHosts = senderMxHosts;
      const { verdict, retryable, reasons } = decideVerdict(input, options.policy ?? defaultPolicy);
      const spfEntry: SpfAuthResInput = mailFrom
        ? { result: spfOut.result, domain: spfOut.domain, identity: spfOut.identity, mailFrom }
        : { result: spfOut.result, domain: spfOut.domain, identity: spfOut.identity };
      const authenticationResults = formatAuthenticationResults(
        options.authservId ?? 'mailtrust',
        authResEntries({
          iprev: { result: iprevResult.result, ip: envelope.ip },
          spf: spfEntry,
          dkim,
          dmarc,
          arc: arcResult,
        }),
        { fold: false },
      );
      // In the order of docs/cli.md: the optional fromDomain before dns.
      const evaluation = {
        verdict,
        retryable,
        reasons,
        ...checks,
        authenticationResults,
        envelope: evaluatedEnvelope,
      } as Evaluation;
      if (fromText !== undefined) evaluation.fromDomain = fromText;
      // The queries of this evaluation (a later one sharing the trace does not change them).
      evaluation.dns = { queries: trace.firstEntries(trace.size) };
      return evaluation;
    },
  };
}

/** Forwarding hints of the header (Received, Resent-*, X-Forwarded-*), for the verdict. */
function hintsOf(header: ParsedHeader, rcptTo: readonly string[] | undefined): ForwardingHint[] {
  const fields: { name: string; value: string }[] = [];
  for (const f of header.fields)
    if (f.name === 'received' || f.name.startsWith('resent-') || f.name.startsWith('x-forwarded-'))
      fields.push({ name: f.name, value: fieldValue(f) });
  return forwardingHintsFromHeader(fields, rcptTo);
}

/**
 * Evaluates a whole message. Never throws for a bad message or DNS trouble: the results say so. An envelope that
 * `checkEnvelope()` refuses rejects with an {@link InvalidEnvelopeError}.
 */
export async function evaluate(
  raw: Uint8Array | string,
  envelope: Envelope,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const evaluator = createEvaluator(envelope, options);
  evaluator.write(raw);
  return evaluator.end();
}
