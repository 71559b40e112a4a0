import { UsageError } from './errors.js';

/** Parses `--now`: an ISO-8601 date-time or UNIX seconds. */
export function parseNow(text: string): Date {
  const trimmed = text.trim();
  const date = /^\d+(\.\d+)?$/.test(trimmed) ? new Date(Number(trimmed) * 1000) : new Date(trimmed);
  if (Number.isNaN(date.getTime()) || trimmed === '') {
    throw new UsageError(
      `--now: not a date: ${JSON.stringify(text)} (use ISO-8601 like 2024-05-01T12:00:00Z, or UNIX seconds)`,
    );
  }
  return date;
}
