/** The status badge: a symbol, a word and a colour, so the colour is never the only signal. */
import type { SectionStatus } from './report-model.js';

export const STATUS_LOOK: Record<SectionStatus, { symbol: string; word: string }> = {
  pass: { symbol: '✓', word: 'Pass' },
  warn: { symbol: '!', word: 'Warning' },
  fail: { symbol: '✗', word: 'Fail' },
  info: { symbol: 'i', word: 'Info' },
  unknown: { symbol: '?', word: 'Could not check' },
};

export function StatusBadge(props: { status: SectionStatus; word?: string }) {
  const look = STATUS_LOOK[props.status];
  return (
    <span class={`badge ${props.status}`} data-status={props.status}>
      <span aria-hidden="true">{look.symbol}</span>
      {props.word ?? look.word}
    </span>
  );
}
