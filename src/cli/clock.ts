import { UsageError } from './errors.js';

const UNIX_SECONDS = /^-?\d+(\.\d+)?$/;
/** ISO-8601 calendar date, optionally with a time and zone, as `Date` reads it (ECMA-262 §21.4.1.32). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Parses `--now`: an ISO-8601 date-time or UNIX seconds, from 1970 on. */
export function parseNow(text: string): Date {
  const trimmed = text.trim();
  const hint = '(use ISO-8601 like 2024-05-01T12:00:00Z, or UNIX seconds like 1714564800)';
  let date: Date | undefined;
  if (UNIX_SECONDS.test(trimmed)) date = new Date(Number(trimmed) * 1000);
  else if (ISO_8601.test(trimmed)) date = new Date(trimmed);
  if (date === undefined || Number.isNaN(date.getTime()))
    throw new UsageError(`--now: not a date: ${JSON.stringify(text)} ${hint}`);
  if (date.getTime() < 0) throw new UsageError(`--now: ${JSON.stringify(text)} is before 1970 ${hint}`);
  return date;
}
