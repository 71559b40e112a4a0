/** The admin pages: `/messages` (milter and SMTP history, filter by verdict) and `/outbox` (relay rows). */
import type { MessageSummary, SubmissionView, Verdict } from '../../store/types.js';
import { Layout } from './layout.js';
import { formatTime, VERDICT_WORDS } from './report.js';
import type { SectionStatus } from './report-model.js';
import { StatusBadge } from './status-badge.js';

const VERDICT_STATUS: Record<Verdict, SectionStatus> = { trusted: 'pass', low: 'warn', untrusted: 'fail' };

export interface MessagesProps {
  messages: MessageSummary[];
  verdict: Verdict | undefined;
  /** The id to page on (`before=`), when there may be more. */
  nextBefore: string | undefined;
}

export function MessagesPage(props: MessagesProps) {
  const filter = props.verdict === undefined ? '' : `&verdict=${props.verdict}`;
  return (
    <Layout title="Messages" current="messages" admin>
      <h1>Messages</h1>
      <form method="get" action="/messages" class="inline card" aria-label="Filter messages">
        <div class="field">
          <label for="verdict-filter">Verdict</label>
          <select id="verdict-filter" name="verdict">
            <option value="" selected={props.verdict === undefined}>
              Any verdict
            </option>
            {(['trusted', 'low', 'untrusted'] as const).map((v) => (
              <option value={v} selected={props.verdict === v}>
                {VERDICT_WORDS[v].word}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      {props.messages.length === 0 ? (
        <p class="card">No message{props.verdict ? ` with the verdict ${VERDICT_WORDS[props.verdict].word}` : ''}.</p>
      ) : (
        <div class="card table-wrap" tabindex={0} role="region" aria-label="Messages table">
          <table class="stack" id="messages">
            <caption class="offscreen">Evaluated messages, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Client</th>
                <th scope="col">From</th>
                <th scope="col">Verdict</th>
                <th scope="col">Top reason</th>
              </tr>
            </thead>
            <tbody>
              {props.messages.map((m) => (
                <tr class="open-row" data-verdict={m.verdict}>
                  <td data-label="Time">
                    <a href={`/m/${encodeURIComponent(m.id)}`}>{formatTime(m.receivedAt)}</a>
                  </td>
                  <td data-label="Client" class="mono">
                    {m.envelope.ip}
                    {m.envelope.helo !== undefined && <span class="muted">{` ${m.envelope.helo}`}</span>}
                  </td>
                  <td data-label="From">{m.from ?? '(none)'}</td>
                  <td data-label="Verdict">
                    <StatusBadge status={VERDICT_STATUS[m.verdict]} word={VERDICT_WORDS[m.verdict].word} />
                  </td>
                  <td data-label="Top reason">
                    <code>{m.reasons[0] ?? '—'}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {props.nextBefore !== undefined && (
            <p>
              <a href={`/messages?before=${encodeURIComponent(props.nextBefore)}${filter}`}>Older messages →</a>
            </p>
          )}
        </div>
      )}
    </Layout>
  );
}

const DELIVERY_STATUS: Record<string, SectionStatus> = {
  delivered: 'pass',
  queued: 'info',
  deferred: 'warn',
  failed: 'fail',
};

export function OutboxPage(props: { submissions: SubmissionView[] }) {
  const rows = props.submissions.flatMap((s) => s.recipients.map((r) => ({ s, r })));
  return (
    <Layout title="Outbox" current="outbox" admin>
      <h1>Outbox</h1>
      {rows.length === 0 ? (
        <p class="card">The outbox is empty.</p>
      ) : (
        <div class="card table-wrap" tabindex={0} role="region" aria-label="Outbox table">
          <table class="stack" id="outbox">
            <caption class="offscreen">Relayed messages by recipient, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Recipient</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col">Last reply</th>
                <th scope="col">Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ s, r }) => {
                const last = r.attempts[r.attempts.length - 1];
                return (
                  <tr data-status={r.status}>
                    <td data-label="Created">
                      {formatTime(s.createdAt)}
                      <div class="muted small mono">{s.origin}</div>
                    </td>
                    <td data-label="Recipient">
                      {r.address}
                      {r.role !== 'to' && <span class="muted">{` (${r.role})`}</span>}
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={DELIVERY_STATUS[r.status] ?? 'info'} word={r.status} />
                    </td>
                    <td data-label="Attempts" class="num">
                      {String(r.attempts.length)}
                    </td>
                    <td data-label="Last reply" class="small">
                      {last ? `${last.mx ?? ''} ${last.reply}`.trim() : '—'}
                    </td>
                    <td data-label="Next attempt">
                      {r.nextAttemptAt === undefined ? '—' : formatTime(r.nextAttemptAt)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
