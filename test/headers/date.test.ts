/** The Date field's date-time, RFC 5322 §3.3 and the obsolete forms of §4.3. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDateTime, type DateInvalidReason } from '../../src/core/headers/index.js';
import { parseCommonForm } from '../../src/core/headers/date.js';
import { seededRandom } from '../support/random.js';

describe('valid date-times', () => {
  // value, instant (ISO), offset minutes (undefined: unknown zone), obsolete syntax used
  const cases: Array<[string, string, number | undefined, boolean]> = [
    ['Thu, 26 Nov 2026 06:59:48 +0000', '2026-11-26T06:59:48.000Z', 0, false],
    ['26 Nov 2026 06:59 -0500', '2026-11-26T11:59:00.000Z', -300, false],
    ['Thu, 26 Nov 2026 06:59:48 +0000 (Coordinated Universal Time)', '2026-11-26T06:59:48.000Z', 0, false],
    ['thu, 26 nov 2026 06:59:48 +0100', '2026-11-26T05:59:48.000Z', 60, false],
    ['Thu, 5 Nov 2026 06:59:48 +0530', '2026-11-05T01:29:48.000Z', 330, false],
    // RFC 5322 Appendix A.1.1 and A.5 (folding white space and a trailing comment)
    ['Fri, 21 Nov 1997 09:55:06 -0600', '1997-11-21T15:55:06.000Z', -360, false],
    [
      'Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)',
      '1969-02-14T03:02:00.000Z',
      -210,
      false,
    ],
    // §3.3: -0000 says the local zone is unknown
    ['Thu, 26 Nov 2026 06:59:48 -0000', '2026-11-26T06:59:48.000Z', undefined, false],
    // leap second and leap day
    ['Sat, 31 Dec 2016 23:59:60 +0000', '2016-12-31T23:59:59.000Z', 0, false],
    ['Thu, 29 Feb 2024 12:00:00 +0000', '2024-02-29T12:00:00.000Z', 0, false],
    ['Tue, 29 Feb 2000 12:00:00 +0000', '2000-02-29T12:00:00.000Z', 0, false],
    // §4.3 obsolete: two- and three-digit years, alphabetic zones, military letters, comments, no spaces
    ['21 Nov 97 09:55:06 GMT', '1997-11-21T09:55:06.000Z', 0, true],
    ['Fri, 21 Nov 97 09:55:06 GMT', '1997-11-21T09:55:06.000Z', 0, true],
    ['1 Jan 00 00:00 EST', '2000-01-01T05:00:00.000Z', -300, true],
    ['1 Jan 49 00:00 UT', '2049-01-01T00:00:00.000Z', 0, true],
    ['1 Jan 50 00:00 UT', '1950-01-01T00:00:00.000Z', 0, true],
    ['1 Jan 101 00:00 ut', '2001-01-01T00:00:00.000Z', 0, true],
    ['26 Nov 2026 06:59:48 PDT', '2026-11-26T13:59:48.000Z', -420, true],
    ['26 Nov 2026 06:59:48 CST', '2026-11-26T12:59:48.000Z', -360, true],
    ['26 Nov 2026 06:59:48 Z', '2026-11-26T06:59:48.000Z', undefined, true],
    ['26 Nov 2026 06:59:48 a', '2026-11-26T06:59:48.000Z', undefined, true],
    ['Thu, 26 Nov 2026 06 (hours) : 59 : 48 +0000', '2026-11-26T06:59:48.000Z', 0, true],
    ['(sent) Thu , 26 Nov 2026 06:59:48 +0000', '2026-11-26T06:59:48.000Z', 0, true],
    ['26Nov2026 06:59:48 +0000', '2026-11-26T06:59:48.000Z', 0, true],
    ['26 Nov 2026 06:59:48GMT', '2026-11-26T06:59:48.000Z', 0, true],
  ];
  for (const [value, instant, offset, obsolete] of cases) {
    test(JSON.stringify(value), () => {
      const parsed = parseDateTime(value);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
      assert.equal(parsed.value.instant.toISOString(), instant);
      assert.equal(parsed.value.offsetMinutes, offset);
      assert.equal(parsed.value.obsolete, obsolete);
    });
  }

  test('fields as written', () => {
    const parsed = parseDateTime('Thu, 26 Nov 2026 06:59:48 +0100');
    assert.ok(parsed.ok);
    const { instant: _instant, ...fields } = parsed.value;
    assert.deepEqual(fields, {
      year: 2026,
      month: 11,
      day: 26,
      hour: 6,
      minute: 59,
      second: 48,
      dayOfWeek: 4,
      offsetMinutes: 60,
      zone: '+0100',
      obsolete: false,
    });
  });
});

describe('invalid date-times', () => {
  const cases: Array<[string, DateInvalidReason]> = [
    ['', 'syntax'],
    ['   ', 'syntax'],
    ['yesterday', 'syntax'],
    ['2026-11-26T06:59:48Z', 'syntax'],
    ['1764140388', 'syntax'],
    ['Thursday, 26 Nov 2026 06:59:48 +0000', 'syntax'],
    ['Thu 26 Nov 2026 06:59:48 +0000', 'syntax'],
    ['Thu, 26 November 2026 06:59:48 +0000', 'syntax'],
    ['Thu, 26 Nov 2026', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 CEST', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 J', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48+0000', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 + 0000', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 +000', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 +00000', 'syntax'],
    ['Thu, 26 Nov 2026 6:59:48 +0000', 'syntax'],
    ['Thu, 26 Nov 2026 06:5:48 +0000', 'syntax'],
    ['Thu, 126 Nov 2026 06:59:48 +0000', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 +0000 extra', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 +0000 (unterminated', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 +0000; 2', 'syntax'],
    ['Thu, 26 Nov 2 06:59:48 +0000', 'syntax'],
    ['Thu, 26 Nov 2026 06.59.48 +0000', 'syntax'],
    ['Thu, 26 Nov 2026 06:59:48 \u00a0+0000', 'syntax'],
    ['Fri, 26 Nov 2026 06:59:48 +0000', 'weekday-mismatch'],
    ['Mon, 21 Nov 97 09:55:06 GMT', 'weekday-mismatch'],
    ['Sun, 29 Feb 2024 12:00:00 +0000', 'weekday-mismatch'],
    ['30 Feb 2026 10:00 +0000', 'out-of-range'],
    ['29 Feb 2026 10:00 +0000', 'out-of-range'],
    ['29 Feb 1900 10:00 +0000', 'out-of-range'],
    ['31 Apr 2026 10:00 +0000', 'out-of-range'],
    ['0 Nov 2026 10:00 +0000', 'out-of-range'],
    ['26 Nov 2026 24:00:00 +0000', 'out-of-range'],
    ['26 Nov 2026 10:60 +0000', 'out-of-range'],
    ['26 Nov 2026 10:00:61 +0000', 'out-of-range'],
    ['26 Nov 2026 10:00 +0060', 'out-of-range'],
    ['26 Nov 1899 10:00 +0000', 'out-of-range'],
    ['26 Nov 10000 10:00 +0000', 'out-of-range'],
  ];
  for (const [value, reason] of cases) {
    test(`${JSON.stringify(value)} -> ${reason}`, () => {
      const parsed = parseDateTime(value);
      assert.equal(parsed.ok, false, 'should not parse');
      if (parsed.ok) return;
      assert.equal(parsed.reason, reason, parsed.error.message);
      assert.equal(parsed.error.code, 'headers.date-invalid');
      assert.ok(parsed.error.message.length > 0);
    });
  }

  test('the weekday message names both days', () => {
    const parsed = parseDateTime('Fri, 26 Nov 2026 06:59:48 +0000');
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.error.message, /Thu.*Fri/);
  });
});

describe('bounded input', () => {
  test('a value over the cap is refused as too long', () => {
    const parsed = parseDateTime(`Thu, 26 Nov 2026 06:59:48 +0000 (${'x'.repeat(5000)})`);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.equal(parsed.reason, 'too-long');
  });
  test('comments nested 64 deep are fine, 65 deep are refused', () => {
    const nest = (depth: number) => `${'('.repeat(depth)}c${')'.repeat(depth)}`;
    assert.equal(parseDateTime(`Thu, 26 Nov 2026 06:59:48 +0000 ${nest(64)}`).ok, true);
    const deep = parseDateTime(`Thu, 26 Nov 2026 06:59:48 +0000 ${nest(65)}`);
    assert.equal(deep.ok, false);
    if (!deep.ok) assert.match(deep.error.message, /nested/);
  });
  test('1,000 unbalanced parentheses are a syntax error', () => {
    const parsed = parseDateTime(`${'('.repeat(1000)}`);
    assert.equal(parsed.ok, false);
  });
});

describe('the common form is read the same as the general syntax', () => {
  // parseDateTime reads `Thu, 26 Nov 2026 06:59:48 +0100` (single spaces) on a short path; doubling the first space
  // is still valid FWS (§3.2.2, not obsolete) and sends the value down the general tokenizer. Both must agree.
  const random = seededRandom(5322);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  test('3,000 random values, valid and out of range', () => {
    let valid = 0;
    for (let n = 0; n < 3000; n++) {
      const day = 1 + Math.floor(random() * 31);
      const year = pick([1899, 1900, 1969, 2000, 2024, 2026, 2100, 9999]);
      const time = `${two(Math.floor(random() * 25))}:${two(Math.floor(random() * 61))}${random() < 0.8 ? `:${two(Math.floor(random() * 62))}` : ''}`;
      const zone = `${pick(['+', '-'])}${two(Math.floor(random() * 15))}${two(pick([0, 30, 45, 59, 60]))}`;
      const prefix = random() < 0.7 ? `${pick(days)}, ` : '';
      const value = `${prefix}${random() < 0.5 ? day : two(day)} ${pick(months)} ${year} ${time} ${zone}`;
      const general = value.replace(' ', '  ');
      const fast = parseDateTime(value);
      const slow = parseDateTime(general);
      assert.equal(fast.ok, slow.ok, value);
      // The short path itself reads every valid value (and refuses the others, which then go the general way).
      const short = parseCommonForm(value);
      assert.equal(short !== undefined, slow.ok, value);
      if (fast.ok && slow.ok) {
        valid++;
        assert.deepEqual(short, slow.value, value);
        assert.deepEqual(fast.value, slow.value, value);
        assert.deepEqual(Object.keys(fast.value), Object.keys(slow.value), value);
      } else assert.equal(fast.reason, slow.reason, value);
    }
    assert.ok(valid > 300, `only ${valid} valid values were drawn`);
  });
});
