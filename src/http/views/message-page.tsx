/**
 * `/r/{localPart}`: the report of a test address. Before mail arrives, a waiting state that updates by itself;
 * with several messages, the list (newest first) and the report of the one chosen (the newest by default).
 * `/m/{id}` (admin) shows one message of the history the same way.
 */
import type { StoredMessage } from '../../store/types.js';
import { Layout } from './layout.js';
import { formatTime, MessageReport, VERDICT_WORDS } from './report.js';

export interface TestReportProps {
  localPart: string;
  address: string;
  /** Newest first. */
  messages: StoredMessage[];
  /** The message shown: one of `messages`. */
  selected: StoredMessage | undefined;
}

/** Seconds between reloads of the waiting page in a browser without JavaScript. */
export const WAIT_REFRESH_SECONDS = 5;

function MessageList(props: { localPart: string; messages: StoredMessage[]; selected: StoredMessage }) {
  return (
    <section class="card" aria-labelledby="list-heading">
      <h2 id="list-heading">{`${props.messages.length} messages to this address, newest first`}</h2>
      <ul class="list-messages">
        {props.messages.map((m) => {
          const look = VERDICT_WORDS[m.verdict];
          const label = `${formatTime(m.receivedAt)} · ${look.word} · ${m.subject ?? '(no subject)'}`;
          return (
            <li>
              {m.id === props.selected.id ? (
                <strong aria-current="true">{`${label} (shown)`}</strong>
              ) : (
                <a href={`/r/${encodeURIComponent(props.localPart)}?m=${encodeURIComponent(m.id)}`}>{label}</a>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function TestReportPage(props: TestReportProps) {
  const selected = props.selected;
  return (
    <Layout
      title={selected === undefined ? 'Waiting for your message' : `Report: ${VERDICT_WORDS[selected.verdict].word}`}
      {...(selected === undefined ? { refreshWithoutScript: WAIT_REFRESH_SECONDS } : {})}
      waitFor={{ localPart: props.localPart, count: props.messages.length }}
    >
      <p class="small muted">
        Test address <code>{props.address}</code>
      </p>
      {props.selected === undefined ? (
        <section class="banner waiting" aria-labelledby="verdict-heading" data-verdict="waiting">
          <h1 id="verdict-heading">
            <span class="spinner" aria-hidden="true"></span>Waiting for your message
          </h1>
          <p class="meta">
            Send a message to <strong>{props.address}</strong>. This page updates by itself when it arrives.
          </p>
          <p class="meta small" id="wait-status" role="status" aria-live="polite">
            {`Without JavaScript, this page reloads every ${WAIT_REFRESH_SECONDS} seconds.`}
          </p>
        </section>
      ) : (
        <>
          {props.messages.length > 1 && (
            <MessageList localPart={props.localPart} messages={props.messages} selected={props.selected} />
          )}
          <MessageReport message={props.selected} />
        </>
      )}
    </Layout>
  );
}

/** `/m/{id}`: one message of the history (admin). */
export function HistoryMessagePage(props: { message: StoredMessage }) {
  const m = props.message;
  return (
    <Layout title={`Message: ${VERDICT_WORDS[m.verdict].word}`} current="messages" admin>
      <p class="small muted">
        <a href="/messages">← Messages</a>
        {` · ${m.source} · ${m.from ?? '(no From)'} · ${m.subject ?? '(no subject)'}`}
      </p>
      <MessageReport message={m} />
    </Layout>
  );
}
