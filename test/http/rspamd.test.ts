/**
 * `POST /checkv2` against rspamd's protocol as others recorded it (test/fixtures/rspamd/SOURCES.md): the request of
 * rspamd's protocol document, sent byte for byte over a socket (HTTP/1.0, its header spelling), with a real message
 * from Haraka's rspamd plugin as the body; the reply checked against the reply rspamd printed in that document and
 * against what Haraka's rspamd plugin (index.js: parse_response, get_clean, decide_action, do_milter_headers,
 * add_headers) reads from it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { startHarness, type Harness } from '../smtp/harness.js';

const fixtures = new URL('../../../test/fixtures/rspamd/', import.meta.url);
const NOW = Date.parse('2025-01-26T16:30:00Z');

type Json = Record<string, unknown>;

/** rspamd's action strings (protocol document, "Rspamd HTTP reply"). */
const RSPAMD_ACTIONS = ['no action', 'greylist', 'add header', 'rewrite subject', 'soft reject', 'reject'];
/** Keys the document says every reply has, and the keys it says a reply may add. */
const ALWAYS = ['is_skipped', 'score', 'required_score', 'action', 'symbols'];
const MAY_ADD = ['subject', 'urls', 'emails', 'message-id', 'messages', 'milter'];

function jsonType(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** Sends `head` (LF-separated lines, as printed) with CRLF line ends, then `body`; resolves with the raw reply. */
function exchange(port: number, head: string, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.setTimeout(20_000, () => socket.destroy(new Error('no reply within 20 s')));
    socket.write(`${head.trimEnd().split('\n').join('\r\n')}\r\n\r\n`);
    socket.write(body);
  });
}

interface HttpReply {
  status: number;
  headers: Map<string, string>;
  body: string;
}

function parseReply(raw: string): HttpReply {
  const split = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
  const separator = raw.startsWith('\r\n', split) ? 4 : 2;
  const [statusLine, ...lines] = raw.slice(0, split).split(/\r?\n/);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]),
    headers,
    body: raw.slice(split + separator),
  };
}

describe('POST /checkv2 with the recorded rspamd request', () => {
  let h: Harness;
  let recorded: Json;
  let ours: Json;
  let reply: HttpReply;
  before(async () => {
    h = await startHarness({ now: () => NOW });
    const head = readFileSync(new URL('checkv2-request.head', fixtures), 'utf8');
    const message = readFileSync(new URL('haraka-spam.eml', fixtures));
    // The recorded head as it is, with the length of the body actually sent (SOURCES.md).
    const sent = head.replace(/^Content-Length: \d+$/m, `Content-Length: ${message.length}`);
    assert.notEqual(sent, head, 'the recorded request names its Content-Length');
    reply = parseReply((await exchange(Number(new URL(h.httpBase).port), sent, message)).toString('utf8'));
    recorded = JSON.parse(parseReply(readFileSync(new URL('checkv2-reply.http', fixtures), 'utf8')).body) as Json;
    ours = JSON.parse(reply.body) as Json;
  });
  after(async () => {
    await h.close();
  });

  test('the request is accepted: 200 with a JSON body, as rspamd answers', () => {
    assert.equal(reply.status, 200, reply.body);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    // The recorded reply's own headers say the same.
    const theirs = parseReply(readFileSync(new URL('checkv2-reply.http', fixtures), 'utf8'));
    assert.equal(theirs.status, 200);
    assert.equal(theirs.headers.get('content-type'), 'application/json');
  });

  test('the envelope headers of the request were read (Ip, From)', () => {
    const authResults = ((ours['milter'] as Json)['add_headers'] as Record<string, Json>)['Authentication-Results'];
    const value = String(authResults?.['value']);
    assert.match(value, /smtp\.mailfrom=smtp@example\.com/);
    assert.match(value, /policy\.iprev=95\.211\.146\.161/);
  });

  test('the reply has the top-level keys of the recorded reply, with the same JSON types', () => {
    for (const key of ALWAYS) {
      assert.ok(key in recorded, `the recorded reply has ${key}`);
      assert.ok(key in ours, `our reply has ${key}`);
      assert.equal(jsonType(ours[key]), jsonType(recorded[key]), key);
    }
    for (const key of Object.keys(recorded)) {
      assert.ok(ALWAYS.includes(key) || MAY_ADD.includes(key), `the document names the recorded key ${key}`);
      if (key in ours) assert.equal(jsonType(ours[key]), jsonType(recorded[key]), key);
    }
    // Our one addition is the verdict object; every other key is one rspamd sends.
    const extra = Object.keys(ours).filter((key) => !ALWAYS.includes(key) && !MAY_ADD.includes(key));
    assert.deepEqual(extra, ['mailtrust']);
    assert.equal(jsonType(ours['mailtrust']), 'object');
    assert.equal(ours['message-id'], 'CAJBCmuKNq1nEPH-h8BhEBTusVOmr504M4kiHjnW+98PMikUDaA@mail.gmail.com');
    assert.equal(jsonType(ours['messages']), 'object');
  });

  test('action is one of rspamd’s action strings', () => {
    assert.ok(RSPAMD_ACTIONS.includes(recorded['action'] as string));
    assert.ok(RSPAMD_ACTIONS.includes(ours['action'] as string), String(ours['action']));
  });

  test('symbols are indexed by name and hold name, score and options as recorded (description as rspamd 3 adds)', () => {
    const symbolKeys = new Set<string>();
    for (const [key, symbol] of Object.entries(recorded['symbols'] as Record<string, Json>)) {
      assert.equal(symbol['name'], key);
      for (const field of Object.keys(symbol)) symbolKeys.add(field);
    }
    assert.deepEqual([...symbolKeys].sort(), ['name', 'options', 'score']);
    const symbols = Object.entries(ours['symbols'] as Record<string, Json>);
    assert.ok(symbols.length > 0, 'a spam message with no DNS behind it has reasons');
    for (const [key, symbol] of symbols) {
      assert.equal(symbol['name'], key);
      assert.match(key, /^[A-Z0-9_]+$/);
      assert.equal(typeof symbol['score'], 'number');
      for (const field of Object.keys(symbol)) assert.ok([...symbolKeys, 'description'].includes(field), field);
      if ('options' in symbol) {
        assert.ok(Array.isArray(symbol['options']));
        for (const option of symbol['options'] as unknown[]) assert.equal(typeof option, 'string');
      }
      if ('description' in symbol) assert.equal(typeof symbol['description'], 'string');
    }
    const sum = symbols.reduce((total, [, symbol]) => total + (symbol['score'] as number), 0);
    assert.equal(ours['score'], sum);
  });

  test('milter.add_headers and remove_headers have the shape of rspamd’s milter block', () => {
    const example = (JSON.parse(readFileSync(new URL('milter-example.json', fixtures), 'utf8')) as Json)[
      'milter'
    ] as Record<string, Record<string, unknown>>;
    const exampleEntry = Object.values(example['add_headers']!)[0] as Json;
    const milter = ours['milter'] as Record<string, Record<string, unknown>>;
    assert.ok(Object.keys(milter['add_headers']!).length > 0);
    for (const [name, entry] of Object.entries(milter['add_headers']!)) {
      assert.match(name, /^[A-Za-z0-9-]+$/);
      assert.equal(jsonType(entry), 'object', name);
      assert.deepEqual(Object.keys(entry as Json).sort(), Object.keys(exampleEntry).sort(), name);
      assert.equal(typeof (entry as Json)['value'], typeof exampleEntry['value']);
      assert.equal(typeof (entry as Json)['order'], typeof exampleEntry['order']);
    }
    assert.equal(jsonType(milter['remove_headers']), jsonType(example['remove_headers']));
    for (const order of Object.values(milter['remove_headers']!)) assert.equal(typeof order, 'number');
  });

  test('Haraka’s rspamd plugin would take the reply: the fields its parsing reads', () => {
    // parse_response: a JSON object with keys, not a lone { error }.
    assert.ok(Object.keys(ours).length > 0);
    assert.ok(!(Object.keys(ours).length === 1 && 'error' in ours));
    // get_clean: each symbol needs a truthy name and a defined score; the scalars are boolean, number or string.
    for (const symbol of Object.values(ours['symbols'] as Record<string, Json>)) {
      assert.ok(symbol['name']);
      assert.notEqual(symbol['score'], undefined);
    }
    for (const key of ['action', 'is_skipped', 'required_score', 'score']) {
      assert.ok(['boolean', 'number', 'string'].includes(typeof ours[key]), key);
    }
    // decide_action: on reject or soft reject it answers with messages.smtp_message when there is one.
    const messages = ours['messages'] as Json;
    if (ours['action'] === 'reject' || ours['action'] === 'soft reject') {
      assert.equal(typeof messages['smtp_message'], 'string');
      assert.match(messages['smtp_message'] as string, /^[\x20-\x7e]+$/);
    }
    // do_milter_headers: it adds each add_headers entry's .value and removes each remove_headers key.
    const milter = ours['milter'] as { add_headers: Record<string, { value: unknown }> };
    for (const entry of Object.values(milter.add_headers)) assert.equal(typeof entry.value, 'string');
    // add_headers (its own X-Rspamd headers): a numeric score for the spam bar.
    assert.ok(Number.isFinite(ours['score']));
  });

  test('an HTTP/1.1 request without Host is still refused with 400 (RFC 9112 §3.2)', async () => {
    const head = readFileSync(new URL('checkv2-request.head', fixtures), 'utf8')
      .replace('HTTP/1.0', 'HTTP/1.1')
      .replace(/^Content-Length: \d+$/m, 'Content-Length: 0');
    const answer = parseReply((await exchange(Number(new URL(h.httpBase).port), head, Buffer.alloc(0))).toString());
    assert.equal(answer.status, 400);
  });
});
