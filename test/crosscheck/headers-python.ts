/**
 * Cross-check of mailtrust's Date parser (RFC 5322 §3.3, §4.3) and address-list parser (§3.4) against Python's
 * standard `email` package (`email.utils.parsedate_to_datetime`, `email._header_value_parser.get_address_list`):
 * random valid values must give the same instant and the same mailboxes in both.
 *
 *   npx tsc -p . && node dist/test/crosscheck/headers-python.js [--random N] [--verbose]
 *
 * Needs /usr/bin/python3 (3.8+; standard library only). Not part of `npm test`. Prints agreement counts and every
 * disagreement; exits 1 on any disagreement.
 *
 * Known differences, kept out of the random values: Python reads two-digit years 50–68 as 20xx (RFC 5322 §4.3:
 * 19xx); it accepts many values RFC 5322 refuses (so only valid values are compared, not rejections); it takes
 * unfolded values only (folded ones are unfolded before they are handed to it).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseDateTime } from '../../src/core/headers/date.js';
import { parseAddressList } from '../../src/core/message/address.js';
import { seededRandom as prng } from '../support/random.js';

const args = process.argv.slice(2);
const randomIndex = args.indexOf('--random');
const count = randomIndex >= 0 ? Number(args[randomIndex + 1]) : 1000;
const verbose = args.includes('--verbose');

const random = prng(5322);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const NAMED = ['GMT', 'UT', 'EST', 'EDT', 'CST', 'CDT', 'MST', 'MDT', 'PST', 'PDT'];

function randomDate(): string {
  const instant = new Date(Date.UTC(int(1970, 2099), int(0, 11), int(1, 28), int(0, 23), int(0, 59), int(0, 59)));
  const year = instant.getUTCFullYear();
  let yearText = String(year);
  if (random() < 0.2 && year < 2050) yearText = pad(year % 100);
  const day = instant.getUTCDate();
  const dayText = random() < 0.5 ? String(day) : pad(day);
  let zone: string;
  const z = random();
  if (z < 0.15) zone = pick(NAMED);
  else if (z < 0.2) zone = '-0000';
  else {
    const minutes = pick([0, 0, 0, 30, 45]);
    zone = `${random() < 0.5 ? '-' : '+'}${pad(int(0, 14))}${pad(minutes)}`;
  }
  const seconds = random() < 0.8 ? `:${pad(instant.getUTCSeconds())}` : '';
  const weekday = random() < 0.7 ? `${DAYS[instant.getUTCDay()]}, ` : '';
  const space = random() < 0.1 ? '\r\n ' : ' ';
  const comment = random() < 0.1 ? ' (local time)' : '';
  return `${weekday}${dayText}${space}${MONTHS[instant.getUTCMonth()]} ${yearText} ${pad(instant.getUTCHours())}:${pad(
    instant.getUTCMinutes(),
  )}${seconds} ${zone}${comment}`;
}

const ATEXT = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&*+-/=?^_`{|}~';
const word = (alphabet = ATEXT) => Array.from({ length: int(1, 8) }, () => pick([...alphabet])).join('');
const label = () => word('abcdefghijklmnopqrstuvwxyz0123456789');

function randomMailbox(): string {
  const local = random() < 0.15 ? `"${word()} ${word()}"` : Array.from({ length: int(1, 3) }, () => word()).join('.');
  const domain = Array.from({ length: int(2, 4) }, label).join('.');
  const addr = `${local}@${domain}`;
  const style = random();
  if (style < 0.4) return addr;
  if (style < 0.6) return `<${addr}>`;
  if (style < 0.8) return `${word('abcdefghijklmnopqrstuvwxyz')} ${word('abcdefghijklmnopqrstuvwxyz')} <${addr}>`;
  if (style < 0.9) return `"${word()}, ${word()}" <${addr}>`;
  return `${addr} (${word('abcdefghijklmnopqrstuvwxyz')})`;
}

function randomAddressList(): string {
  const parts: string[] = [];
  for (let i = int(1, 4); i > 0; i--) {
    if (random() < 0.15) {
      parts.push(
        `${word('abcdefghijklmnopqrstuvwxyz')}: ${Array.from({ length: int(1, 3) }, randomMailbox).join(', ')};`,
      );
    } else {
      parts.push(randomMailbox());
    }
  }
  return parts.join(random() < 0.2 ? ',\r\n ' : ', ');
}

/** A quoted local part compared by its content (Python's local_part is unquoted). */
function unquote(local: string): string {
  if (!local.startsWith('"')) return local;
  return local.slice(1, -1).replace(/\\(.)/g, '$1');
}

const unfold = (text: string) => text.replace(/\r\n(?=[ \t])/g, '');

const dates = Array.from({ length: count }, randomDate);
const addresses = Array.from({ length: count }, randomAddressList);
const script = fileURLToPath(new URL('../../../test/crosscheck/headers_python.py', import.meta.url));
const run = spawnSync('/usr/bin/python3', [script], {
  // Python's parsers take unfolded values (as mailtrust's checks do, RFC 5322 §2.2.3).
  input: JSON.stringify({ dates: dates.map(unfold), addresses: addresses.map(unfold) }),
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (run.status !== 0) {
  console.error(`python3 failed: ${run.stderr || run.error?.message}`);
  process.exit(2);
}
const python = JSON.parse(run.stdout) as {
  dates: Array<string | { error: string }>;
  addresses: Array<Array<[string, string]> | { error: string }>;
};

let agree = 0;
let disagree = 0;
const report = (what: string, input: string, ours: unknown, theirs: unknown) => {
  disagree++;
  console.log(
    `DISAGREE ${what} ${JSON.stringify(input)}\n  mailtrust: ${JSON.stringify(ours)}\n  python:    ${JSON.stringify(theirs)}`,
  );
};

dates.forEach((input, i) => {
  const ours = parseDateTime(input);
  const oursText = ours.ok ? ours.value.instant.toISOString().slice(0, 19) : { error: ours.error.message };
  const theirs = python.dates[i];
  if (JSON.stringify(oursText) === JSON.stringify(theirs)) {
    agree++;
    if (verbose) console.log(`agree date ${JSON.stringify(input)} -> ${JSON.stringify(oursText)}`);
  } else report('date', input, oursText, theirs);
});

addresses.forEach((input, i) => {
  const ours = parseAddressList(input);
  const oursList = ours.ok ? ours.value.map((m) => [unquote(m.localPart), m.domain]) : { error: ours.error.message };
  const theirs = python.addresses[i];
  if (JSON.stringify(oursList) === JSON.stringify(theirs)) {
    agree++;
    if (verbose) console.log(`agree addresses ${JSON.stringify(input)}`);
  } else report('addresses', input, oursList, theirs);
});

console.log(
  `headers cross-check: ${agree} agree, ${disagree} disagree (${dates.length} dates, ${addresses.length} address lists)`,
);
process.exit(disagree === 0 ? 0 : 1);
