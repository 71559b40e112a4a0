/**
 * The message-level scenario fixtures of test/fixtures/evaluate/ (docs/fixtures.md): one scenario per file —
 * a zone, an envelope, a message, how to sign and change it, and what the evaluation must say.
 *
 * `parseFixture` reads the text (pure); `buildMessage` signs and mutates the message with the committed test keys;
 * `zoneRecords` expands the key placeholders and parses the zone; `checkExpectations` compares an evaluation (the
 * library's object or the CLI's JSON) with the `--- expect` section and lists every mismatch.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { prependArcSet, sealArc } from '../../src/core/arc/index.js';
import { prependHeader, signDkim, type DkimSigningAlgorithm } from '../../src/core/dkim/index.js';
import type { Resolver, ZoneRecord } from '../../src/core/dns/index.js';
import { parseZoneFile } from '../../src/core/dns/zonefile.js';
import { evaluate, type Envelope } from '../../src/core/evaluation/index.js';
import type { Rule } from '../support/dns-server.js';

/** test/fixtures/evaluate/, from dist/test/evaluation/ (compiled) — the fixture files are not copied to dist. */
export const fixturesDir = new URL('../../../test/fixtures/evaluate/', import.meta.url);
export const keysDir = new URL('keys/', fixturesDir);

/** The evaluation clock when a fixture has no `--- now` section. */
export const defaultNow = new Date('2026-01-15T12:00:00Z');

export interface DkimSignStep {
  line: number;
  domain: string;
  selector: string;
  key: string;
  headers?: string[];
  algorithm?: DkimSigningAlgorithm;
  canonicalization?: `${'simple' | 'relaxed'}/${'simple' | 'relaxed'}`;
  identity?: string;
  /** Signing time; default: five minutes before the fixture's `now`. */
  signedAt?: Date;
  expiresInSeconds?: number;
}

export type Mutation =
  | { line: number; kind: 'append-body'; text: string }
  | { line: number; kind: 'replace'; from: string; to: string }
  | { line: number; kind: 'prepend-header'; field: string }
  | { line: number; kind: 'delete-header'; name: string }
  | {
      line: number;
      kind: 'arc-seal';
      domain: string;
      selector: string;
      key: string;
      authserv: string;
      /** The AAR payload given verbatim (`results=` to the end of the line). */
      results?: string;
      /** Else: the envelope the forwarder received the message with; its own evaluation becomes the AAR. */
      envelope?: Envelope;
    };

export interface Expectation {
  line: number;
  key: string;
  /** `=` equals (the default), `~` the text contains, `!~` the text does not contain. */
  op: '=' | '~' | '!~';
  value: string;
}

export interface ScenarioFixture {
  /** File name without `.fixture`. */
  name: string;
  /** The text before the first section: what the scenario shows. */
  description: string;
  zone: string;
  rules: Rule[];
  envelope: Envelope;
  /** The policy file's text (JSON), when the fixture has one. */
  policy?: string;
  now: Date;
  /** As written (LF line ends). */
  message: string;
  sign: DkimSignStep[];
  then: Mutation[];
  expect: Expectation[];
}

const SECTIONS = new Set(['zone', 'dns-rules', 'envelope', 'policy', 'now', 'message', 'sign', 'then', 'expect']);
const RULE_ACTIONS = new Set(['timeout', 'servfail', 'refused', 'truncate', 'garbage']);

class FixtureError extends Error {
  override name = 'FixtureError';
}

/** `key=value` words of a step line; `results=` (ARC) takes the rest of the line. */
function words(text: string, where: string): Map<string, string> {
  const out = new Map<string, string>();
  let rest = text.trim();
  while (rest !== '') {
    const m = /^([a-z-]+)=/.exec(rest);
    if (!m) throw new FixtureError(`${where}: expected key=value, got "${rest}"`);
    const key = m[1]!;
    rest = rest.slice(m[0].length);
    if (key === 'results') {
      out.set(key, rest.trim());
      break;
    }
    const end = rest.search(/\s/);
    out.set(key, end < 0 ? rest : rest.slice(0, end));
    rest = end < 0 ? '' : rest.slice(end).trimStart();
  }
  return out;
}

function required(map: Map<string, string>, key: string, where: string): string {
  const value = map.get(key);
  if (value === undefined || value === '') throw new FixtureError(`${where}: ${key}= is required`);
  return value;
}

function parseRule(text: string, where: string): Rule {
  const [action, name, type, ...extra] = text.trim().split(/\s+/);
  if (!action || !RULE_ACTIONS.has(action) || !name || extra.length > 0) {
    throw new FixtureError(`${where}: a DNS rule is "ACTION NAME [TYPE]" with ACTION one of ${[...RULE_ACTIONS]}`);
  }
  return { name, action: action as Rule['action'], ...(type ? { type: type.toUpperCase() } : {}) };
}

function parseEnvelope(lines: { text: string; line: number }[], file: string): Envelope {
  let ip: string | undefined;
  let helo: string | undefined;
  let mailFrom: string | undefined;
  const rcptTo: string[] = [];
  for (const { text, line } of lines) {
    const m = /^(ip|helo|mail-from|rcpt):?(?:\s+(.*))?$/.exec(text.trim());
    if (!m) throw new FixtureError(`${file}:${line}: envelope lines are "ip|helo|mail-from|rcpt VALUE"`);
    const value = (m[2] ?? '').trim();
    if (m[1] === 'ip') ip = value;
    else if (m[1] === 'helo') helo = value;
    else if (m[1] === 'mail-from') mailFrom = value;
    else rcptTo.push(value);
  }
  if (!ip) throw new FixtureError(`${file}: the envelope needs an ip line`);
  return {
    ip,
    ...(helo !== undefined ? { helo } : {}),
    ...(mailFrom !== undefined ? { mailFrom } : {}),
    ...(rcptTo.length > 0 ? { rcptTo } : {}),
  };
}

function parseSign(text: string, where: string): DkimSignStep {
  const m = /^dkim\s+(.*)$/.exec(text.trim());
  if (!m) throw new FixtureError(`${where}: sign lines are "dkim d=… s=… key=… [headers=a:b] [a=…] [x=SECONDS]"`);
  const w = words(m[1]!, where);
  const step: DkimSignStep = {
    line: 0,
    domain: required(w, 'd', where),
    selector: required(w, 's', where),
    key: required(w, 'key', where),
  };
  const headers = w.get('headers');
  if (headers) step.headers = headers.split(':');
  const a = w.get('a');
  if (a) step.algorithm = a as DkimSigningAlgorithm;
  const c = w.get('c');
  if (c) step.canonicalization = c as NonNullable<DkimSignStep['canonicalization']>;
  const i = w.get('i');
  if (i) step.identity = i;
  const t = w.get('t');
  if (t) step.signedAt = new Date(t);
  const x = w.get('x');
  if (x) step.expiresInSeconds = Number(x);
  for (const key of w.keys()) {
    if (!['d', 's', 'key', 'headers', 'a', 'c', 'i', 't', 'x'].includes(key)) {
      throw new FixtureError(`${where}: unknown sign option ${key}=`);
    }
  }
  return step;
}

function parseMutation(text: string, line: number, where: string): Mutation {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  const verb = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? '' : trimmed.slice(space + 1);
  switch (verb) {
    case 'append-body':
      return { line, kind: 'append-body', text: rest };
    case 'replace': {
      const at = rest.indexOf(' => ');
      if (at < 0) throw new FixtureError(`${where}: replace takes "OLD => NEW"`);
      return { line, kind: 'replace', from: rest.slice(0, at), to: rest.slice(at + 4) };
    }
    case 'prepend-header':
      return { line, kind: 'prepend-header', field: rest };
    case 'delete-header':
      return { line, kind: 'delete-header', name: rest.trim() };
    case 'arc-seal': {
      const w = words(rest, where);
      const results = w.get('results');
      const ip = w.get('ip');
      if (results === undefined && ip === undefined) {
        throw new FixtureError(`${where}: arc-seal needs ip= (… helo= mail-from=) or results=`);
      }
      const helo = w.get('helo');
      const mailFrom = w.get('mail-from');
      return {
        line,
        kind: 'arc-seal',
        domain: required(w, 'd', where),
        selector: required(w, 's', where),
        key: required(w, 'key', where),
        authserv: w.get('authserv') ?? required(w, 'd', where),
        ...(results !== undefined ? { results } : {}),
        ...(ip !== undefined
          ? {
              envelope: {
                ip,
                ...(helo !== undefined ? { helo } : {}),
                ...(mailFrom !== undefined ? { mailFrom: mailFrom === '<>' ? '' : mailFrom } : {}),
              },
            }
          : {}),
      };
    }
    default:
      throw new FixtureError(
        `${where}: unknown step "${verb}" (append-body, replace, prepend-header, delete-header, arc-seal)`,
      );
  }
}

/** Parses one fixture file's text. Throws a FixtureError naming file and line for anything it does not understand. */
export function parseFixture(name: string, text: string): ScenarioFixture {
  const file = `${name}.fixture`;
  const sections = new Map<string, { text: string; line: number }[]>();
  const description: string[] = [];
  let current: { text: string; line: number }[] | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const header = /^--- ([a-z-]+)\s*$/.exec(line);
    if (header) {
      const section = header[1]!;
      if (!SECTIONS.has(section)) throw new FixtureError(`${file}:${index + 1}: unknown section "${section}"`);
      if (sections.has(section)) throw new FixtureError(`${file}:${index + 1}: section "${section}" twice`);
      current = [];
      sections.set(section, current);
      return;
    }
    if (current) current.push({ text: line, line: index + 1 });
    else description.push(line);
  });
  const lines = (section: string) => sections.get(section) ?? [];
  /** Content lines: no blank lines, no `#` comments. */
  const content = (section: string) => lines(section).filter((l) => l.text.trim() !== '' && !/^\s*#/.test(l.text));
  for (const section of ['zone', 'envelope', 'message', 'expect']) {
    if (!sections.has(section)) throw new FixtureError(`${file}: no "--- ${section}" section`);
  }

  const zone = lines('zone')
    .map((l) => l.text)
    .join('\n');
  const rules: Rule[] = [];
  for (const l of lines('zone')) {
    const m = /^\s*;\s*@rule\s+(.*)$/.exec(l.text);
    if (m) rules.push(parseRule(m[1]!, `${file}:${l.line}`));
  }
  for (const l of content('dns-rules')) rules.push(parseRule(l.text, `${file}:${l.line}`));

  // The message: everything up to the next section, less the blank lines that end the section.
  const messageLines = lines('message').map((l) => l.text);
  while (messageLines.length > 0 && messageLines[messageLines.length - 1] === '') messageLines.pop();
  const message = `${messageLines.join('\n')}\n`;

  const nowLines = content('now');
  const now = nowLines.length > 0 ? new Date(nowLines[0]!.text.trim()) : defaultNow;
  if (Number.isNaN(now.getTime())) throw new FixtureError(`${file}: --- now is not an ISO-8601 time`);

  const policyText = lines('policy')
    .map((l) => l.text)
    .join('\n')
    .trim();
  if (sections.has('policy')) JSON.parse(policyText); // a fixture's policy must at least be JSON

  return {
    name,
    description: description.join('\n').trim(),
    zone,
    rules,
    envelope: parseEnvelope(content('envelope'), file),
    ...(sections.has('policy') ? { policy: policyText } : {}),
    now,
    message,
    sign: content('sign').map((l) => ({ ...parseSign(l.text, `${file}:${l.line}`), line: l.line })),
    then: content('then').map((l) => parseMutation(l.text, l.line, `${file}:${l.line}`)),
    expect: content('expect').map((l) => {
      const m = /^([A-Za-z0-9_.[\]-]+?)(!?~)?:\s*(.*)$/.exec(l.text.trim());
      if (!m)
        throw new FixtureError(`${file}:${l.line}: expectations are "KEY: VALUE" (or "PATH~: TEXT", "PATH!~: TEXT")`);
      return { line: l.line, key: m[1]!, op: (m[2] ?? '=') as Expectation['op'], value: m[3]!.trim() };
    }),
  };
}

/** Reads `NAME.fixture` from test/fixtures/evaluate/. */
export function loadFixture(name: string): ScenarioFixture {
  return parseFixture(name, readFileSync(new URL(`${name}.fixture`, fixturesDir), 'utf8'));
}

const pemCache = new Map<string, string>();

/** The PEM private key `keys/NAME.pem` (test-only keys, committed). */
export function testKey(name: string): string {
  let pem = pemCache.get(name);
  if (pem === undefined) {
    if (!/^[a-z0-9.-]+$/.test(name)) throw new FixtureError(`bad key name "${name}"`);
    pem = readFileSync(new URL(`${name}.pem`, keysDir), 'utf8');
    pemCache.set(name, pem);
  }
  return pem;
}

/** The DKIM key record (RFC 6376 §3.6.1; RFC 8463 §4 for ed25519) of a test key, with extra tags before p=. */
export function dkimKeyRecord(name: string, extraTags = ''): string {
  const publicKey = createPublicKey(createPrivateKey(testKey(name)));
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const ed25519 = publicKey.asymmetricKeyType === 'ed25519';
  // An Ed25519 p= is the bare 32-byte public key, the last 32 bytes of its SubjectPublicKeyInfo.
  const p = (ed25519 ? der.subarray(der.length - 32) : der).toString('base64');
  const extra = extraTags.trim() === '' ? '' : `${extraTags.trim().replace(/;\s*$/, '')}; `;
  return `v=DKIM1; k=${ed25519 ? 'ed25519' : 'rsa'}; ${extra}p=${p}`;
}

/** The zone text with `{{dkim:NAME [TAGS]}}` replaced by the key record as quoted strings of at most 255 bytes. */
export function expandZone(zone: string): string {
  return zone.replace(/\{\{dkim:([a-z0-9.-]+)((?:\s+[^}]*)?)\}\}/g, (_all, name: string, tags: string) => {
    const record = dkimKeyRecord(name, tags);
    const strings: string[] = [];
    for (let i = 0; i < record.length; i += 255) strings.push(`"${record.slice(i, i + 255)}"`);
    return `( ${strings.join(' ')} )`;
  });
}

/** The fixture's zone as records for the test DNS server. */
export function zoneRecords(fixture: ScenarioFixture): ZoneRecord[] {
  const parsed = parseZoneFile(expandZone(fixture.zone), { defaultTtl: 300 });
  if (!parsed.ok) throw new FixtureError(`${fixture.name}.fixture zone: ${parsed.error.message}`);
  return parsed.value;
}

function headerEnd(text: string): number {
  const at = text.indexOf('\n\n');
  return at < 0 ? text.length : at + 1;
}

function bytes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

function applyMutation(text: string, step: Exclude<Mutation, { kind: 'arc-seal' }>, where: string): string {
  switch (step.kind) {
    case 'append-body':
      return `${text}${step.text}\n`;
    case 'replace': {
      const at = text.indexOf(step.from);
      if (at < 0) throw new FixtureError(`${where}: "${step.from}" not found in the message`);
      return text.slice(0, at) + step.to + text.slice(at + step.from.length);
    }
    case 'prepend-header':
      return `${step.field}\n${text}`;
    case 'delete-header': {
      const end = headerEnd(text);
      const head = text.slice(0, end);
      // A field and its folded continuation lines.
      const pattern = new RegExp(`^${step.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:.*\\n(?:[ \\t].*\\n)*`, 'im');
      if (!pattern.test(head)) throw new FixtureError(`${where}: no ${step.name} header to delete`);
      return head.replace(pattern, '') + text.slice(end);
    }
  }
}

/**
 * The message as the receiver gets it: the `--- message` text, DKIM-signed per `--- sign` (each signature on top of
 * the previous), then changed per `--- then`. An `arc-seal` step seals the message as it stands, with an AAR
 * recording what the forwarder saw when it received the message: the message as it stood before the `then` steps
 * since the previous seal (a forwarder authenticates, then adds its footer, then seals), evaluated with the
 * envelope given on the step — or the `results=` given verbatim.
 */
export async function buildMessage(fixture: ScenarioFixture, resolver: Resolver): Promise<Uint8Array> {
  let message = fixture.message;
  const file = `${fixture.name}.fixture`;
  for (const step of fixture.sign) {
    const signed = signDkim(bytes(message), {
      domain: step.domain,
      selector: step.selector,
      privateKey: testKey(step.key),
      now: step.signedAt ?? new Date(fixture.now.getTime() - 300_000),
      ...(step.headers ? { headers: step.headers } : {}),
      ...(step.algorithm ? { algorithm: step.algorithm } : {}),
      ...(step.canonicalization ? { canonicalization: step.canonicalization } : {}),
      ...(step.identity ? { identity: step.identity } : {}),
      ...(step.expiresInSeconds !== undefined ? { expiresInSeconds: step.expiresInSeconds } : {}),
    });
    if (!signed.ok) throw new FixtureError(`${file}:${step.line}: signing failed: ${signed.error.message}`);
    message = Buffer.from(prependHeader(bytes(message), signed.field)).toString('utf8');
  }
  let received = message;
  for (const step of fixture.then) {
    const where = `${file}:${step.line}`;
    if (step.kind !== 'arc-seal') {
      message = applyMutation(message, step, where);
      continue;
    }
    let results = step.results;
    let chainValidation: Parameters<typeof sealArc>[1]['chainValidation'];
    if (results === undefined) {
      const seen = await evaluate(bytes(received), step.envelope!, {
        resolver,
        now: fixture.now,
        authservId: step.authserv,
      });
      // "Authentication-Results: AUTHSERV; a=b …; …" → the resinfo list after the authserv-id.
      results = seen.authenticationResults.replace(/^Authentication-Results:\s*[^;]*;\s*/i, '');
      chainValidation = seen.arc;
    }
    const sealed = sealArc(bytes(message), {
      domain: step.domain,
      selector: step.selector,
      privateKey: testKey(step.key),
      authservId: step.authserv,
      authResults: results,
      now: new Date(fixture.now.getTime() - 60_000),
      ...(chainValidation ? { chainValidation } : {}),
    });
    if (!sealed.ok) throw new FixtureError(`${where}: ARC sealing failed: ${sealed.error.message}`);
    message = Buffer.from(prependArcSet(bytes(message), sealed.value)).toString('utf8');
    received = message;
  }
  return bytes(message);
}

const RESULT_KEYS = new Set(['iprev', 'helo', 'spf', 'dmarc', 'arc', 'headers']);

/** Reads `a.b[0].c` from a JSON-like value. */
function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function literal(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The CLI exit code a verdict maps to (docs/cli.md). */
export function exitCodeFor(verdict: string): number {
  return verdict === 'trusted' ? 0 : verdict === 'low' ? 1 : 2;
}

/**
 * Compares an evaluation with the expectations; returns one line per mismatch (empty: all hold).
 *
 * `verdict`, `retryable`; `iprev|helo|spf|dmarc|arc|headers: RESULT`; `dkim: RESULT…` (each signature in order,
 * `none` for no signature); `reasons-include: ID…`; `reasons-exclude: ID…`; `levels: ID=LEVEL…`; `cli-exit: N` and `todo: WHY`
 * (checked by the runner); any other key is a path into the evaluation (`dkim[0].error.code`, `spf.identity`)
 * compared with the value read as JSON, else as a string; `PATH~: TEXT` / `PATH!~: TEXT`: the value (as text)
 * contains / does not contain TEXT.
 */
export function checkExpectations(evaluation: unknown, expectations: Expectation[]): string[] {
  const problems: string[] = [];
  const reasons = (at(evaluation, 'reasons') ?? []) as { id: string; level: string }[];
  const ids = reasons.map((r) => r.id);
  const fail = (e: Expectation, message: string) => problems.push(`line ${e.line} ${e.key}: ${message}`);
  for (const e of expectations) {
    const list = e.value.split(/\s+/).filter((w) => w !== '');
    if (e.key === 'cli-exit' || e.key === 'todo') continue;
    if (e.op !== '=') {
      const got = at(evaluation, e.key);
      const text = typeof got === 'string' ? got : JSON.stringify(got);
      if (text === undefined) fail(e, `nothing at ${e.key}`);
      else if (e.op === '~' && !text.includes(e.value))
        fail(e, `${JSON.stringify(text)} does not contain "${e.value}"`);
      else if (e.op === '!~' && text.includes(e.value)) fail(e, `${JSON.stringify(text)} contains "${e.value}"`);
      continue;
    }
    if (e.key === 'verdict' || e.key === 'retryable') {
      const got = at(evaluation, e.key);
      if (!isDeepStrictEqual(got, literal(e.value))) fail(e, `expected ${e.value}, got ${JSON.stringify(got)}`);
    } else if (RESULT_KEYS.has(e.key)) {
      const got = at(evaluation, `${e.key}.result`);
      if (got !== e.value) fail(e, `expected ${e.value}, got ${JSON.stringify(got)}`);
    } else if (e.key === 'dkim') {
      const got = ((at(evaluation, 'dkim') ?? []) as { result: string }[]).map((d) => d.result);
      const want = e.value === 'none' ? [] : list;
      if (!isDeepStrictEqual(got, want)) fail(e, `expected [${want.join(' ')}], got [${got.join(' ')}]`);
    } else if (e.key === 'reasons-include') {
      const missing = list.filter((id) => !ids.includes(id));
      if (missing.length > 0) fail(e, `missing ${missing.join(' ')} (reasons: ${ids.join(' ') || 'none'})`);
    } else if (e.key === 'reasons-exclude') {
      const present = list.filter((id) => ids.includes(id));
      if (present.length > 0) fail(e, `unexpected ${present.join(' ')} (reasons: ${ids.join(' ')})`);
    } else if (e.key === 'levels') {
      for (const pair of list) {
        const [id, level] = pair.split('=');
        const reason = reasons.find((r) => r.id === id);
        if (!reason) fail(e, `no reason ${id} (reasons: ${ids.join(' ') || 'none'})`);
        else if (reason.level !== level) fail(e, `${id} is ${reason.level}, expected ${level}`);
      }
    } else {
      const got = at(evaluation, e.key);
      if (!isDeepStrictEqual(got, literal(e.value))) fail(e, `expected ${e.value}, got ${JSON.stringify(got)}`);
    }
  }
  return problems;
}
