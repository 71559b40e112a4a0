import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fieldValue,
  fieldValueLatin1,
  findHeaderEnd,
  getFields,
  parseHeaderBlock,
  toCrlf,
  utf8Text,
} from '../../src/core/message/header.js';
import { parseMessage } from '../../src/core/message/message.js';
import { MessageSplitter } from '../../src/core/message/splitter.js';
import type { ParseResult } from '../../src/core/parse-result.js';
import type { ParsedHeader } from '../../src/core/message/header.js';
import { seededRandom } from '../support/random.js';

const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

const sample =
  'Received: from a\r\n\tby b\r\nFrom: Joe <joe@example.com>\r\nSubject: one\r\n  two\r\nsubject : dup\r\n\r\nBody\r\n';

describe('parseMessage', () => {
  test('fields keep order, duplicates, raw bytes with folding, lower-case names', () => {
    const parsed = parseMessage(sample);
    assert.ok(parsed.ok);
    const m = parsed.value;
    assert.deepEqual(
      m.fields.map((f) => f.name),
      ['received', 'from', 'subject', 'subject'],
    );
    assert.equal(text(m.fields[0]!.raw), 'Received: from a\r\n\tby b');
    assert.equal(text(m.fields[2]!.raw), 'Subject: one\r\n  two');
    assert.equal(m.fields[3]!.valueOffset, 'subject :'.length);
    assert.equal(fieldValue(m.fields[2]!), 'one  two');
    assert.equal(fieldValueLatin1(m.fields[2]!), ' one\r\n  two');
    assert.deepEqual(
      getFields(m, 'SUBJECT').map((f) => fieldValue(f)),
      ['one  two', 'dup'],
    );
    assert.equal(text(m.body), 'Body\r\n');
    assert.equal(m.bareLf, false);
    // offsets point into the header block
    for (const f of m.fields) assert.equal(text(m.header.subarray(f.start, f.start + f.raw.length)), text(f.raw));
  });

  test('bare LF is read as CRLF in the header; the body is left as it is', () => {
    const parsed = parseMessage(sample.replace(/\r\n/g, '\n'));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.bareLf, true);
    assert.equal(text(parsed.value.fields[2]!.raw), 'Subject: one\r\n  two');
    assert.equal(text(parsed.value.body), 'Body\n');
  });

  test('a message without an empty line is all header; an empty header is an error', () => {
    const parsed = parseMessage('From: a@b\r\nTo: c@d\r\n');
    assert.ok(parsed.ok);
    assert.equal(parsed.value.body.length, 0);
    assert.equal(parsed.value.bodyMissing, true);
    const none = parseMessage('\r\nbody');
    assert.ok(!none.ok);
    assert.equal(none.error.code, 'message.no-header');
    assert.ok(!parseMessage('').ok);
  });

  test('a leading mbox "From " line is skipped and reported', () => {
    const parsed = parseMessage('From joe@example.com Thu Jan  1 00:00:00 2026\nFrom: joe@example.com\n\nbody\n');
    assert.ok(parsed.ok);
    assert.equal(parsed.value.headerOffset, 46);
    assert.deepEqual(
      parsed.value.fields.map((f) => f.name),
      ['from'],
    );
    const plain = parseMessage('From: joe@example.com\n\nbody\n');
    assert.ok(plain.ok);
    assert.equal(plain.value.headerOffset, 0);
  });

  test('a header line that is not a field is a syntax error with its line', () => {
    const parsed = parseMessage('From: a@b\r\nnot a field\r\n\r\nx');
    assert.ok(!parsed.ok);
    assert.equal(parsed.error.code, 'message.header-syntax');
    assert.equal(parsed.error.line, 2);
    const leading = parseMessage(' continued\r\nFrom: a\r\n\r\n');
    assert.ok(!leading.ok);
  });

  test('limits bound the field count and header size', () => {
    const many = 'X-A: 1\r\n'.repeat(50) + '\r\n';
    const r = parseHeaderBlock(enc(many), { maxFields: 10, maxHeaderBytes: 1 << 20 });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'message.too-many-fields');
    const big = parseHeaderBlock(enc(many), { maxFields: 100, maxHeaderBytes: 20 });
    assert.ok(!big.ok);
    assert.equal(big.error.code, 'message.too-large');
  });

  test('findHeaderEnd handles CRLF, LF and mixed empty lines', () => {
    assert.deepEqual(findHeaderEnd(enc('A: 1\r\n\r\nB')), { headerEnd: 6, bodyStart: 8 });
    assert.deepEqual(findHeaderEnd(enc('A: 1\n\nB')), { headerEnd: 5, bodyStart: 6 });
    assert.deepEqual(findHeaderEnd(enc('A: 1\r\n\nB')), { headerEnd: 6, bodyStart: 7 });
    assert.deepEqual(findHeaderEnd(enc('A: 1\r\nB: 2')), { headerEnd: 10, bodyStart: 10 });
  });

  test('toCrlf converts only bare LF and returns the input when nothing changes', () => {
    const crlf = enc('a\r\nb\r\n');
    assert.equal(toCrlf(crlf).bytes, crlf);
    assert.equal(text(toCrlf(enc('a\nb\r\nc\n\n')).bytes), 'a\r\nb\r\nc\r\n\r\n');
  });
});

describe('MessageSplitter', () => {
  const message = enc(sample + 'more body\r\n\r\nend');
  function split(sizes: (i: number) => number): { header: ParseResult<ParsedHeader> | undefined; body: string } {
    let header: ParseResult<ParsedHeader> | undefined;
    let body = '';
    const splitter = new MessageSplitter({
      header: (h) => {
        assert.equal(header, undefined, 'header called once');
        header = h;
      },
      body: (chunk) => {
        assert.ok(header, 'body after header');
        body += text(chunk);
      },
    });
    for (let pos = 0, i = 0; pos < message.length; i++) {
      const size = Math.max(1, sizes(i));
      splitter.push(message.subarray(pos, pos + size));
      pos += size;
    }
    splitter.end();
    return { header, body };
  }

  test('every chunk size gives the same header and body as parseMessage', () => {
    const whole = parseMessage(message);
    assert.ok(whole.ok);
    for (let size = 1; size <= message.length; size++) {
      const { header, body } = split(() => size);
      assert.ok(header?.ok, `size ${size}`);
      assert.deepEqual(
        header.value.fields.map((f) => text(f.raw)),
        whole.value.fields.map((f) => text(f.raw)),
      );
      assert.equal(body, text(whole.value.body), `size ${size}`);
    }
  });

  test('random line ends (CRLF, bare LF, lone CR) in random chunks: the header and body of findHeaderEnd', () => {
    // Pieces chosen so that empty lines, CR at chunk ends and CR not followed by LF all occur often.
    const pieces = ['A: 1', 'Bb: x y', ' folded', '\r\n', '\n', '\r', '\r\n', 'z'];
    const random = seededRandom(0x5eed);
    for (let round = 0; round < 3000; round++) {
      let source = '';
      const count = 1 + Math.floor(random() * 12);
      for (let i = 0; i < count; i++) source += pieces[Math.floor(random() * pieces.length)];
      const bytes = enc(source);
      const { headerEnd, bodyStart } = findHeaderEnd(bytes);
      const expected = parseHeaderBlock(bytes.subarray(0, headerEnd));
      let header: ParseResult<ParsedHeader> | undefined;
      let body = '';
      const splitter = new MessageSplitter({ header: (h) => (header = h), body: (c) => (body += text(c)) });
      for (let pos = 0; pos < bytes.length;) {
        const size = Math.floor(random() * 4);
        splitter.push(bytes.subarray(pos, pos + size));
        pos += size;
      }
      splitter.end();
      const what = JSON.stringify(source);
      assert.ok(header, what);
      assert.equal(header.ok, expected.ok, what);
      if (header.ok && expected.ok) assert.equal(text(header.value.header), text(expected.value.header), what);
      assert.equal(body, text(bytes.subarray(bodyStart)), what);
    }
  });

  test('a header block over the limit is reported, not buffered without end', () => {
    let result: ParseResult<ParsedHeader> | undefined;
    const splitter = new MessageSplitter(
      { header: (h) => (result = h), body: () => {} },
      { maxFields: 100, maxHeaderBytes: 1000 },
    );
    for (let i = 0; i < 100; i++) splitter.push(enc('X-Long: ' + 'a'.repeat(100) + '\r\n'));
    assert.ok(result && !result.ok);
    assert.equal(result.error.code, 'message.too-large');
  });
});

describe('utf8Text', () => {
  test('equals a TextDecoder for random bytes: ASCII, valid UTF-8 and invalid sequences', () => {
    const decoder = new TextDecoder('utf-8');
    const random = seededRandom(6532);
    const pieces = [
      [0x61],
      [0x20],
      [0x7e],
      [0x00],
      [0xc3, 0xa9],
      [0xe2, 0x82, 0xac],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xff],
      [0xc3],
      [0x80],
    ];
    let ascii = 0;
    for (let round = 0; round < 2000; round++) {
      const bytes: number[] = [];
      const n = Math.floor(random() * 40);
      const asciiOnly = random() < 0.5;
      for (let i = 0; i < n; i++) bytes.push(...pieces[Math.floor(random() * (asciiOnly ? 4 : pieces.length))]!);
      const input = Uint8Array.from(bytes);
      if (bytes.every((b) => b < 0x80)) ascii++;
      assert.equal(utf8Text(input), decoder.decode(input), JSON.stringify(bytes));
    }
    assert.ok(ascii > 500, `${ascii} ASCII inputs`);
  });

  test('field values: ASCII and UTF-8 read the same way as before, folds removed', () => {
    const parsed = parseHeaderBlock(
      Buffer.from('Subject: caf\u00e9 \r\n and more\r\nX-A: plain\r\n\tfolded \r\nX-B: \xff\r\n', 'latin1'),
    );
    assert.ok(parsed.ok);
    const [subject, a, b] = parsed.value.fields;
    assert.equal(fieldValue(subject!), 'caf\ufffd  and more'); // é written as one latin1 byte is not UTF-8
    assert.equal(fieldValue(a!), 'plain\tfolded');
    assert.equal(fieldValue(b!), '\ufffd');
    const utf8Field = parseHeaderBlock(Buffer.from('Subject: caf\u00e9\r\n', 'utf8'));
    assert.ok(utf8Field.ok);
    assert.equal(fieldValue(utf8Field.value.fields[0]!), 'caf\u00e9');
  });
});
