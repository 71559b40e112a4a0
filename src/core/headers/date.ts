/**
 * The date-time of the Date field, RFC 5322 §3.3, with the obsolete syntax of §4.3 that receivers must accept:
 * comments and missing white space between the parts, two- and three-digit years, and the alphabetic zones
 * (`UT`, `GMT`, the US zones and the military letters).
 */
import type { ParseResult } from '../parse-result.js';
import { skipCfws } from './cfws.js';

/** Longest Date value parsed (mailtrust's own cap; a real one is about 40 characters). */
export const MAX_DATE_LENGTH = 4_096;

/** Why a Date value is not a valid date-time. */
export type DateInvalidReason = 'syntax' | 'out-of-range' | 'weekday-mismatch' | 'too-long';

/** A parsed date-time (§3.3). Fields are as written (local time of the zone). */
export interface DateTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0–60 (60 is a leap second). */
  second: number;
  /** Day of the week as written (0 = Sunday), when the value had one. */
  dayOfWeek?: number;
  /**
   * Offset from UT in minutes. `undefined` when the zone says nothing: `-0000` (§3.3) or a military letter
   * (§4.3: their meaning was reversed in RFC 822, so they count as `-0000`).
   */
  offsetMinutes: number | undefined;
  /** The zone as written (`+0100`, `GMT`, …). */
  zone: string;
  /** The instant (a leap second counts as second 59; an unknown zone as UT). */
  instant: Date;
  /** True when obsolete syntax of §4.3 was used (two/three-digit year, alphabetic zone, comments, no spaces). */
  obsolete: boolean;
}

/** The parse error carries the reason for the finding's detail. */
export type DateParseResult = ParseResult<DateTime> & { reason?: DateInvalidReason };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The obsolete zones with a known offset in hours (§4.3). */
const NAMED_ZONES: Readonly<Record<string, number>> = {
  ut: 0,
  gmt: 0,
  est: -5,
  edt: -4,
  cst: -6,
  cdt: -5,
  mst: -7,
  mdt: -6,
  pst: -8,
  pdt: -7,
};

type Token = {
  kind: 'digits' | 'word' | 'special';
  text: string;
  offset: number;
  /** White space or a comment came right before this token. */
  spaced: boolean;
  /** A comment came right before this token. */
  commented: boolean;
};

class DateSyntaxError extends Error {
  override readonly name = 'DateSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
    readonly reason: DateInvalidReason = 'syntax',
  ) {
    super(message);
  }
}

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';
const LETTER = /^[A-Za-z]$/;
const isLetter = (ch: string | undefined) => ch !== undefined && LETTER.test(ch);

/** Splits a value into digit runs, letter runs and `, : + -`; white space and comments only separate them. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    const skip = skipCfws(text, i);
    if (!skip.ok) throw new DateSyntaxError(skip.message, skip.offset);
    i = skip.end;
    if (i >= text.length) break;
    const ch = text[i];
    const start = i;
    let kind: Token['kind'];
    if (isDigit(ch)) {
      while (isDigit(text[i])) i++;
      kind = 'digits';
    } else if (isLetter(ch)) {
      while (isLetter(text[i])) i++;
      kind = 'word';
    } else if (ch === ',' || ch === ':' || ch === '+' || ch === '-') {
      i++;
      kind = 'special';
    } else {
      throw new DateSyntaxError(`unexpected character ${JSON.stringify(ch)}`, i);
    }
    tokens.push({
      kind,
      text: text.slice(start, i),
      offset: start,
      spaced: skip.whitespace || skip.comment,
      commented: skip.comment,
    });
  }
  return tokens;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Day of the week (0 = Sunday) of a proleptic Gregorian date. */
function weekday(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCDay();
}

class DateParser {
  private position = 0;
  obsolete = false;

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private fail(message: string, reason: DateInvalidReason = 'syntax'): never {
    throw new DateSyntaxError(message, this.peek()?.offset ?? this.length, reason);
  }

  private take(kind: Token['kind'], what: string): Token {
    const token = this.peek();
    if (token?.kind !== kind) this.fail(`expected ${what}`);
    this.position++;
    if (token.commented) this.obsolete = true;
    return token;
  }

  private takeSpecial(text: string): boolean {
    const token = this.peek();
    if (token?.kind !== 'special' || token.text !== text) return false;
    if (token.commented) this.obsolete = true;
    this.position++;
    return true;
  }

  /** A number of `min`–`max` digits (`what` names it in errors); the white space before it must be `spaced`. */
  private number(what: string, min: number, max: number, needsSpace: boolean): { value: number; digits: number } {
    const token = this.take('digits', what);
    if (token.text.length < min || token.text.length > max) this.fail(`${what} must have ${digitsText(min, max)}`);
    if (needsSpace && !token.spaced) this.obsolete = true;
    return { value: Number(token.text), digits: token.text.length };
  }

  parse(): Omit<DateTime, 'instant' | 'obsolete'> {
    // [ day-of-week "," ]
    let dayOfWeek: number | undefined;
    const first = this.peek();
    if (first?.kind === 'word') {
      dayOfWeek = DAY_NAMES.indexOf(first.text.toLowerCase());
      if (dayOfWeek < 0) this.fail(`${JSON.stringify(first.text)} is not a day of the week (Mon … Sun)`);
      this.take('word', 'a day of the week');
      if (!this.takeSpecial(',')) this.fail('expected "," after the day of the week');
    }
    // date = day month year
    const day = this.number('the day', 1, 2, false).value;
    const monthToken = this.take('word', 'a month name (Jan … Dec)');
    if (!monthToken.spaced) this.obsolete = true;
    const month = MONTH_NAMES.indexOf(monthToken.text.toLowerCase()) + 1;
    if (month === 0) {
      this.position--;
      this.fail(`${JSON.stringify(monthToken.text)} is not a month name (Jan … Dec)`);
    }
    const yearToken = this.number('the year', 2, 9, true);
    let year = yearToken.value;
    if (yearToken.digits < 4) {
      // §4.3: 00–49 → 2000–2049; 50–99 and three digits → add 1900.
      this.obsolete = true;
      year += yearToken.digits === 2 && year < 50 ? 2000 : 1900;
    } else if (year < 1900) {
      this.position--;
      this.fail(`the year ${year} is before 1900 (RFC 5322 §3.3)`, 'out-of-range');
    } else if (year > 9999) {
      this.position--;
      this.fail(`the year ${year} is after 9999`, 'out-of-range');
    }
    // time = time-of-day zone
    const hour = this.number('the hour', 2, 2, true).value;
    if (!this.takeSpecial(':')) this.fail('expected ":" after the hour');
    const minute = this.number('the minute', 2, 2, false).value;
    let second = 0;
    if (this.takeSpecial(':')) second = this.number('the second', 2, 2, false).value;
    const { offsetMinutes, zone } = this.zone();
    if (this.position < this.tokens.length) this.fail('unexpected text after the time zone');

    if (month < 1 || month > 12) this.fail('invalid month', 'out-of-range');
    if (day < 1 || day > daysInMonth(year, month)) {
      throw new DateSyntaxError(
        `${capitalize(MONTH_NAMES[month - 1] ?? '')} ${year} has no day ${day}`,
        0,
        'out-of-range',
      );
    }
    if (hour > 23 || minute > 59 || second > 60) {
      throw new DateSyntaxError(`the time ${hour}:${minute}:${second} is out of range`, 0, 'out-of-range');
    }
    if (dayOfWeek !== undefined) {
      const actual = weekday(year, month, day);
      if (actual !== dayOfWeek) {
        throw new DateSyntaxError(
          `${year}-${pad(month)}-${pad(day)} is a ${capitalize(DAY_NAMES[actual] ?? '')}, not a ${capitalize(
            DAY_NAMES[dayOfWeek] ?? '',
          )} (RFC 5322 §3.3)`,
          0,
          'weekday-mismatch',
        );
      }
    }
    const parsed: Omit<DateTime, 'instant' | 'obsolete'> = {
      year,
      month,
      day,
      hour,
      minute,
      second,
      offsetMinutes,
      zone,
    };
    if (dayOfWeek !== undefined) parsed.dayOfWeek = dayOfWeek;
    return parsed;
  }

  /** zone = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone. */
  private zone(): { offsetMinutes: number | undefined; zone: string } {
    const token = this.peek();
    if (token === undefined) this.fail('expected a time zone');
    if (token.kind === 'special' && (token.text === '+' || token.text === '-')) {
      if (!token.spaced) this.fail('expected white space before the time zone');
      this.position++;
      const digits = this.take('digits', 'four digits of the zone');
      if (digits.offset !== token.offset + 1) this.fail('expected the zone digits right after the sign');
      if (digits.text.length !== 4) {
        this.position--;
        this.fail('the zone must have four digits (+hhmm)');
      }
      const hours = Number(digits.text.slice(0, 2));
      const minutes = Number(digits.text.slice(2));
      if (minutes > 59) {
        this.position--;
        this.fail(`the zone ${token.text}${digits.text} has more than 59 minutes`, 'out-of-range');
      }
      const zone = token.text + digits.text;
      // §3.3: "-0000" says the local zone is unknown.
      if (zone === '-0000') return { offsetMinutes: undefined, zone };
      const sign = token.text === '-' ? -1 : 1;
      return { offsetMinutes: sign * (hours * 60 + minutes), zone };
    }
    if (token.kind === 'word') {
      const name = token.text.toLowerCase();
      const hours = NAMED_ZONES[name];
      this.position++;
      this.obsolete = true;
      if (hours !== undefined) return { offsetMinutes: hours * 60, zone: token.text };
      // Military zones: any single letter but J (§4.3), read as "-0000".
      if (name.length === 1 && name !== 'j') return { offsetMinutes: undefined, zone: token.text };
      this.position--;
      this.fail(`${JSON.stringify(token.text)} is not a time zone`);
    }
    this.fail('expected a time zone (+hhmm)');
  }
}

/** A DateTime from the parser's fields, built field by field (the shape the short path below builds too). */
function dateTime(parsed: Omit<DateTime, 'instant' | 'obsolete'>, instant: Date, obsolete: boolean): DateTime {
  const { year, month, day, hour, minute, second, offsetMinutes, zone, dayOfWeek } = parsed;
  return dayOfWeek === undefined
    ? { year, month, day, hour, minute, second, offsetMinutes, zone, instant, obsolete }
    : { year, month, day, hour, minute, second, offsetMinutes, zone, dayOfWeek, instant, obsolete };
}

/**
 * The form nearly every mail program writes (`Thu, 26 Nov 2026 06:59:48 +0100`: one space between the parts, a
 * four-digit year, a numeric zone, no comments), read without tokenizing. Returns undefined for anything else,
 * including values of this form that are out of range: {@link parseDateTime} then reads them the long way, with
 * the same result for valid values and its own error for the rest.
 */
const COMMON_MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const COMMON_DAYS = 'SunMonTueWedThuFriSat';

/** The value of the decimal digit at `i`, or -1. */
function digitAt(text: string, i: number): number {
  const c = text.charCodeAt(i) - 0x30;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The number written by the `count` digits at `i`, or -1 when one of them is not a digit. */
function digitsAt(text: string, i: number, count: number): number {
  let n = 0;
  for (let k = 0; k < count; k++) {
    const d = digitAt(text, i + k);
    if (d < 0) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The index (0-based) of the three-letter name at `i` in `names` (case as written), or -1. */
function nameAt(text: string, i: number, names: string): number {
  const at = names.indexOf(text.slice(i, i + 3));
  return at >= 0 && at % 3 === 0 ? at / 3 : -1;
}

/**
 * `[day-name ", "] day " " month " " year " " hh ":" mm [":" ss] " " ("+" / "-") hhmm`, exactly: one or two day
 * digits, four year digits, two digits elsewhere, single spaces.
 */
export function parseCommonForm(value: string): DateTime | undefined {
  const length = value.length;
  let i = 0;
  let dayName = -1;
  if (length > 5 && value.charCodeAt(3) === 0x2c) {
    dayName = nameAt(value, 0, COMMON_DAYS);
    if (dayName < 0 || value.charCodeAt(4) !== 0x20) return;
    i = 5;
  }
  let day = digitAt(value, i);
  if (day < 0) return;
  i++;
  const second = digitAt(value, i);
  if (second >= 0) {
    day = day * 10 + second;
    i++;
  }
  if (value.charCodeAt(i) !== 0x20) return;
  const monthIndex = nameAt(value, i + 1, COMMON_MONTHS);
  if (monthIndex < 0 || value.charCodeAt(i + 4) !== 0x20) return;
  const year = digitsAt(value, i + 5, 4);
  if (year < 0 || value.charCodeAt(i + 9) !== 0x20) return;
  const hour = digitsAt(value, i + 10, 2);
  if (hour < 0 || value.charCodeAt(i + 12) !== 0x3a) return;
  const minute = digitsAt(value, i + 13, 2);
  if (minute < 0) return;
  i += 15;
  let seconds = 0;
  if (value.charCodeAt(i) === 0x3a) {
    seconds = digitsAt(value, i + 1, 2);
    if (seconds < 0) return;
    i += 3;
  }
  const sign = value.charCodeAt(i + 1);
  if (value.charCodeAt(i) !== 0x20 || (sign !== 0x2b && sign !== 0x2d) || i + 6 !== length) return;
  const offsetHours = digitsAt(value, i + 2, 2);
  const offsetMins = digitsAt(value, i + 4, 2);
  if (offsetHours < 0 || offsetMins < 0) return;
  const month = monthIndex + 1;
  if (year < 1900 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || seconds > 60) return;
  if (offsetMins > 59) return;
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(seconds, 59));
  let dayOfWeek: number | undefined;
  if (dayName >= 0) {
    dayOfWeek = dayName;
    // Days since 1970-01-01, a Thursday (4), give the weekday without a Date object.
    const days = Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
    if ((((days + 4) % 7) + 7) % 7 !== dayOfWeek) return;
  }
  const zone = value.slice(i + 1);
  // §3.3: "-0000" says the local zone is unknown.
  const offsetMinutes = zone === '-0000' ? undefined : (sign === 0x2d ? -1 : 1) * (offsetHours * 60 + offsetMins);
  const instant = new Date(utc - (offsetMinutes ?? 0) * 60_000);
  // The general parser's key order (dayOfWeek only when written).
  return dayOfWeek === undefined
    ? { year, month, day, hour, minute, second: seconds, offsetMinutes, zone, instant, obsolete: false }
    : { year, month, day, hour, minute, second: seconds, offsetMinutes, zone, dayOfWeek, instant, obsolete: false };
}

function digitsText(min: number, max: number): string {
  return min === max ? `${min} digits` : `${min} to ${max} digits`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Parses a Date field value (RFC 5322 §3.3 `date-time`, obsolete forms of §4.3). The day must exist in its month,
 * the time be in range, and a day-of-week, when given, must be the one the date falls on (§3.3). Pure; a failure
 * carries the code `headers.date-invalid` and a `reason`.
 */
export function parseDateTime(value: string): DateParseResult {
  if (value.length > MAX_DATE_LENGTH) {
    return {
      ok: false,
      reason: 'too-long',
      error: { code: 'headers.date-invalid', message: `the value is longer than ${MAX_DATE_LENGTH} characters` },
    };
  }
  const common = parseCommonForm(value);
  if (common) return { ok: true, value: common };
  try {
    const tokens = tokenize(value);
    if (tokens.length === 0) throw new DateSyntaxError('the value is empty', 0);
    const parser = new DateParser(tokens, value.length);
    const parsed = parser.parse();
    const utc = Date.UTC(
      parsed.year,
      parsed.month - 1,
      parsed.day,
      parsed.hour,
      parsed.minute,
      Math.min(parsed.second, 59),
    );
    const instant = new Date(utc - (parsed.offsetMinutes ?? 0) * 60_000);
    // Date.UTC maps years 0–99 to 1900–1999; the years here are ≥ 1900, so no correction is needed.
    return { ok: true, value: dateTime(parsed, instant, parser.obsolete) };
  } catch (error) {
    if (error instanceof DateSyntaxError) {
      return {
        ok: false,
        reason: error.reason,
        error: { code: 'headers.date-invalid', message: error.message, offset: error.offset },
      };
    }
    throw error;
  }
}
