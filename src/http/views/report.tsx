/**
 * The report of one evaluated message: the verdict banner with the reasons in plain words and what to change, the
 * sections of report-model.ts, the DNS queries behind them, the message's header and the Authentication-Results
 * line a receiver adds. Shared by the test-address page (`/r/{localPart}`) and the admin message page (`/m/{id}`).
 */
import type { Evaluation, TraceEntry } from '../../core/index.js';
import type { StoredMessage } from '../../store/types.js';
import { headerText } from './message-header.js';
import { reportSections, verdictReasons, type Fix, type ReportSection } from './report-model.js';
import { STATUS_LOOK, StatusBadge } from './status-badge.js';

export const VERDICT_WORDS: Record<Evaluation['verdict'], { symbol: string; word: string; summary: string }> = {
  trusted: { symbol: '✓', word: 'Trusted', summary: 'A receiver would trust this message and its sender.' },
  low: {
    symbol: '!',
    word: 'Low trust',
    summary: 'A receiver would deliver this message with suspicion: fix the points below.',
  },
  untrusted: {
    symbol: '✗',
    word: 'Untrusted',
    summary: 'A receiver would not trust this message: spam folder or rejection.',
  },
};

/** `2026-01-15 12:00:05 UTC`: one fixed format, the same for every reader. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function CopyButton(props: { text: string; label: string }) {
  return (
    <button type="button" class="copy" data-copy={props.text} aria-label={props.label} hidden>
      Copy
    </button>
  );
}

function FixView(props: { fix: Fix }) {
  return (
    <div class="fix">
      <p>
        <strong>Fix:</strong> {props.fix.text}
      </p>
      {props.fix.records.map((record) => (
        <div class="record">
          <code>{record}</code>
          <CopyButton text={record} label={`Copy ${record}`} />
        </div>
      ))}
    </div>
  );
}

function SectionView(props: { section: ReportSection }) {
  const s = props.section;
  const headingId = `section-${s.key}`;
  return (
    <section class={`section ${s.status}`} aria-labelledby={headingId} data-section={s.key} data-result={s.result}>
      <div class="section-head">
        <h2 id={headingId}>{s.title}</h2>
        <span>
          <StatusBadge status={s.status} /> <span class="token">{`result: ${s.result}`}</span>
        </span>
      </div>
      <dl class="values">
        {s.values.map((v) => (
          <>
            <dt>{v.label}</dt>
            <dd>{v.value}</dd>
          </>
        ))}
      </dl>
      {s.findings.map((finding) => {
        const fix = s.fixes.find((f) => f.findingId === finding.id);
        return (
          <div class="finding" data-finding={finding.id}>
            <p>
              <StatusBadge
                status={finding.level === 'untrusted' ? 'fail' : finding.level === 'low' ? 'warn' : 'info'}
              />{' '}
              <code>{finding.id}</code> {finding.message}
            </p>
            {fix && <FixView fix={fix} />}
          </div>
        );
      })}
      <p class="rule">
        <strong>Rule:</strong> {s.rule}
      </p>
    </section>
  );
}

export function VerdictBanner(props: { evaluation: Evaluation; receivedAt?: number }) {
  const e = props.evaluation;
  const look = VERDICT_WORDS[e.verdict];
  const reasons = verdictReasons(e);
  return (
    <section class={`banner ${e.verdict}`} aria-labelledby="verdict-heading" data-verdict={e.verdict}>
      <h1 id="verdict-heading">
        <span aria-hidden="true">{look.symbol}</span> {look.word}
      </h1>
      <p class="meta">
        {look.summary}
        {e.retryable && ' Some DNS lookups failed for now: the verdict may change when they answer.'}
      </p>
      <p class="meta small">
        {`From domain ${e.fromDomain ?? '(none)'} · sent by ${e.envelope.ip}`}
        {e.envelope.helo !== undefined && ` (HELO ${e.envelope.helo})`}
        {props.receivedAt !== undefined && ` · received ${formatTime(props.receivedAt)}`}
      </p>
      {reasons.length > 0 && (
        <ol>
          {reasons.map((r) => (
            <li data-reason={r.id}>
              <strong>{r.message}</strong>
              {r.remedy !== '' && <span class="remedy">{r.remedy}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function DnsQueries(props: { queries: readonly TraceEntry[] }) {
  return (
    <section class="card" aria-labelledby="dns-heading">
      <h2 id="dns-heading">DNS queries ({props.queries.length})</h2>
      {props.queries.length === 0 ? (
        <p class="muted">No DNS query was made.</p>
      ) : (
        <div class="table-wrap" tabindex={0} role="region" aria-label="DNS queries table">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Outcome</th>
                <th scope="col">Answer</th>
                <th scope="col" class="num">
                  Time
                </th>
              </tr>
            </thead>
            <tbody>
              {props.queries.map((q) => (
                <tr>
                  <td data-label="Name" class="mono">
                    {q.name}
                  </td>
                  <td data-label="Type">{q.type}</td>
                  <td data-label="Outcome">{q.outcome === 'ok' ? 'answer' : q.outcome}</td>
                  <td data-label="Answer" class="mono">
                    {q.records.join('\n')}
                  </td>
                  <td data-label="Time" class="num">
                    {q.source === 'network' ? `${q.ms} ms` : q.source}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The checks at a glance: one chip per section (symbol, name, and the status word for screen readers). */
function Glance(props: { sections: ReportSection[] }) {
  return (
    <nav class="glance" aria-label="Checks at a glance">
      <ul>
        {props.sections.map((s) => (
          <li>
            <a href={`#section-${s.key}`} class={`chip ${s.status}`}>
              <span aria-hidden="true">{STATUS_LOOK[s.status].symbol}</span> {s.short}
              <span class="offscreen">{`: ${STATUS_LOOK[s.status].word}`}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The whole report body of one message (everything below the page title). */
export function MessageReport(props: { message: Pick<StoredMessage, 'evaluation' | 'receivedAt' | 'raw'> }) {
  const e = props.message.evaluation;
  const header = props.message.raw ? headerText(props.message.raw) : undefined;
  const sections = reportSections(e);
  return (
    <>
      <VerdictBanner evaluation={e} receivedAt={props.message.receivedAt} />
      <Glance sections={sections} />
      <div class="sections">
        {sections.map((section) => (
          <SectionView section={section} />
        ))}
      </div>
      <section class="card" aria-labelledby="ar-heading">
        <h2 id="ar-heading">Authentication-Results</h2>
        <p class="muted small">The header a receiver adds for this message (RFC 8601).</p>
        <div class="record">
          <code id="authentication-results">{e.authenticationResults}</code>
          <CopyButton text={e.authenticationResults} label="Copy the Authentication-Results line" />
        </div>
      </section>
      <DnsQueries queries={e.dns.queries} />
      {header && (
        <section class="card" aria-labelledby="header-heading">
          <h2 id="header-heading">Message header</h2>
          <pre id="message-header" tabindex={0}>
            {header.text}
          </pre>
          {header.truncated && <p class="muted small">The header is longer than shown here.</p>}
        </section>
      )}
    </>
  );
}
