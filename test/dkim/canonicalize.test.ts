/**
 * Canonicalization (RFC 6376 §3.4) on bytes, against the RFC's example and a naive string reference; the
 * WebAssembly relaxed canonicalizer against the plain byte loop (relaxed-body-loop.ts), its reference.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BodyHasher, hashBody, type BodyHashResult, type RelaxedEngine } from '../../src/core/dkim/body-hash.js';
import {
  INPUT_SIZE,
  MAX_BLANKS,
  OUTPUT_BASE,
  relaxedKernelAvailable,
  SWIZZLE_TABLE,
} from '../../src/core/dkim/relaxed-kernel.js';
import { RELAXED_BODY_WASM } from '../../src/core/dkim/relaxed-body-wasm.js';
import { seededRandom } from '../support/random.js';
import { ByteWriter, selectSignedFields, writeCanonicalField } from '../../src/core/dkim/header-hash.js';
import type { Canonicalization } from '../../src/core/dkim/signature.js';
import { parseMessage } from '../../src/core/message/message.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const sha256 = (s: string) => createHash('sha256').update(latin1(s)).digest('base64');

/** The RFC 6376 §3.4 rules written the obvious (slow, string) way, as the reference. */
function referenceBody(body: string, canonicalization: Canonicalization): string {
  // In the order §3.4.4 lists the steps: the missing final CRLF is added last.
  let t = body.replace(/\r?\n/g, '\r\n');
  if (canonicalization === 'relaxed') t = t.replace(/[ \t]+\r\n/g, '\r\n').replace(/[ \t]+/g, ' ');
  t = t.replace(/(\r\n)+$/, '\r\n');
  if (t === '\r\n') t = '';
  if (t !== '' && !t.endsWith('\r\n')) t += '\r\n';
  if (t === '' && canonicalization === 'simple') t = '\r\n';
  return t;
}

/** The relaxed body hash of the byte loop (relaxed-body-loop.ts): the reference the WebAssembly module must equal. */
const loopHash = (bytes: Uint8Array): BodyHashResult => hashBody(bytes, 'relaxed', 'sha256', undefined, 'js');

/** Asserts that the WebAssembly module's relaxed hash of `bytes` equals the byte loop's, and returns it. */
function assertModuleEqualsLoop(bytes: Uint8Array, label: string): BodyHashResult {
  const loop = loopHash(bytes);
  const module = hashBody(bytes, 'relaxed', 'sha256', undefined, 'wasm');
  assert.equal(module.hash.toString('base64'), loop.hash.toString('base64'), `module ≠ loop: ${label}`);
  assert.equal(module.canonicalLength, loop.canonicalLength, `module ≠ loop (length): ${label}`);
  return loop;
}

/** Every canonicalizer: simple, and relaxed on the WebAssembly module and the byte loop. */
const VARIANTS: ReadonlyArray<readonly [Canonicalization, RelaxedEngine]> = [
  ['simple', 'js'],
  ['relaxed', 'wasm'],
  ['relaxed', 'js'],
];

function headerCanon(raw: string, c: Canonicalization): string {
  const out = new ByteWriter(4);
  const bytes = latin1(raw);
  writeCanonicalField(out, bytes, raw.indexOf(':'), c);
  return text(out.view());
}

describe('header canonicalization', () => {
  test('RFC 6376 §3.4.6 example', () => {
    assert.equal(headerCanon('A: X', 'relaxed') + headerCanon('B : Y\t\r\n\tZ  ', 'relaxed'), 'a:X\r\nb:Y Z\r\n');
    assert.equal(
      headerCanon('A: X', 'simple') + headerCanon('B : Y\t\r\n\tZ  ', 'simple'),
      'A: X\r\nB : Y\t\r\n\tZ  \r\n',
    );
  });
  test('relaxed: empty value, WSP only value, lone CR kept, name case', () => {
    assert.equal(headerCanon('X-Empty:', 'relaxed'), 'x-empty:\r\n');
    assert.equal(headerCanon('X-Empty: \t \r\n  ', 'relaxed'), 'x-empty:\r\n');
    assert.equal(headerCanon('SuBJect:a\rb', 'relaxed'), 'subject:a\rb\r\n');
    assert.equal(headerCanon('Subject:\r\n a \r\n\t b', 'relaxed'), 'subject:a b\r\n');
  });
  test('selection is bottom-up, over-signed names contribute nothing', () => {
    const parsed = parseMessage('From: 1\r\nTo: a\r\nFrom: 2\r\nSubject: s\r\n\r\n');
    assert.ok(parsed.ok);
    const picked = selectSignedFields(parsed.value.fields, ['from', 'from', 'from', 'subject', 'x-none', 'to']);
    assert.deepEqual(
      picked.map((f) => text(f.raw)),
      ['From: 2', 'From: 1', 'Subject: s', 'To: a'],
    );
  });
});

describe('body canonicalization', () => {
  test('RFC 6376 §3.4.6 example body', () => {
    const body = latin1(' C \r\nD \t E\r\n\r\n\r\n');
    assert.equal(hashBody(body, 'relaxed').hash.toString('base64'), sha256(' C\r\nD E\r\n'));
    assert.equal(hashBody(body, 'simple').hash.toString('base64'), sha256(' C \r\nD \t E\r\n'));
  });

  const edgeCases: [string, string, string, string][] = [
    // body, simple output, relaxed output, name
    ['', '\r\n', '', 'empty body'],
    ['\r\n\r\n\r\n', '\r\n', '', 'only CRLFs'],
    ['\n\n', '\r\n', '', 'only bare LFs'],
    ['a  \t\r\n', 'a  \t\r\n', 'a\r\n', 'trailing WSP'],
    ['  \r\n\t\r\nx\r\n', '  \r\n\t\r\nx\r\n', '\r\n\r\nx\r\n', 'WSP-only lines before content'],
    ['x\r\n \t \r\n', 'x\r\n \t \r\n', 'x\r\n', 'WSP-only line at the end'],
    ['a\rb \r\n', 'a\rb \r\n', 'a\rb\r\n', 'lone CR is a byte'],
    ['abc', 'abc\r\n', 'abc\r\n', 'no final CRLF'],
    ['abc  ', 'abc  \r\n', 'abc \r\n', 'no final CRLF, trailing WSP (reduced, not removed: CRLF is added last)'],
    ['x\r\n\r\n  ', 'x\r\n\r\n  \r\n', 'x\r\n\r\n \r\n', 'no final CRLF, WSP only last line'],
    ['\t', '\t\r\n', ' \r\n', 'body of one tab'],
    ['abc\r', 'abc\r\r\n', 'abc\r\r\n', 'ends in a lone CR'],
    ['\tx\ty  z\n', '\tx\ty  z\r\n', ' x y z\r\n', 'tabs and runs, bare LF'],
  ];
  for (const [body, simple, relaxed, name] of edgeCases) {
    test(name, () => {
      assert.equal(hashBody(latin1(body), 'simple').hash.toString('base64'), sha256(simple), 'simple');
      assert.equal(hashBody(latin1(body), 'relaxed').hash.toString('base64'), sha256(relaxed), 'relaxed');
      assert.equal(referenceBody(body, 'simple'), simple, 'reference simple');
      assert.equal(referenceBody(body, 'relaxed'), relaxed, 'reference relaxed');
    });
  }

  test('l= hashes only the first l canonical bytes and reports the whole length', () => {
    const body = latin1('line one\r\nline two\r\n');
    const result = new BodyHasher('simple', 'sha256', 5).update(body).digest();
    assert.equal(result.hash.toString('base64'), sha256('line '));
    assert.equal(result.canonicalLength, body.length);
    assert.equal(new BodyHasher('relaxed', 'sha256', 0).update(body).digest().hash.toString('base64'), sha256(''));
  });

  test('update after digest is refused', () => {
    const hasher = new BodyHasher('simple');
    hasher.digest();
    assert.throws(() => hasher.update(latin1('x')));
  });
});

function randomBody(random: () => number): string {
  const pieces = ['a', 'b', 'xyz', ' ', '  ', '\t', '\r\n', '\r\n', '\n', '\r', '\u00e9', '.'];
  let out = '';
  const n = Math.floor(random() * 120);
  for (let i = 0; i < n; i++) out += pieces[Math.floor(random() * pieces.length)];
  return out;
}

describe('property: chunking and the reference agree', () => {
  test('600 random bodies: both canonicalizations equal the reference for random chunkings and l=', () => {
    const random = seededRandom(6376);
    for (let round = 0; round < 600; round++) {
      const body = randomBody(random);
      const bytes = latin1(body);
      assertModuleEqualsLoop(bytes, JSON.stringify(body));
      for (const [c, engine] of VARIANTS) {
        const expected = referenceBody(body, c);
        const whole = hashBody(bytes, c, 'sha256', undefined, engine);
        assert.equal(whole.hash.toString('base64'), sha256(expected), `${c}/${engine} ${JSON.stringify(body)}`);
        assert.equal(whole.canonicalLength, expected.length);
        // random chunking
        const hasher = new BodyHasher(c, 'sha256', undefined, engine);
        for (let pos = 0; pos < bytes.length;) {
          const size = 1 + Math.floor(random() * 9);
          hasher.update(bytes.subarray(pos, pos + size));
          pos += size;
        }
        assert.equal(hasher.digest().hash.toString('base64'), whole.hash.toString('base64'), `${c} chunked`);
        // l= cut
        const l = Math.floor(random() * (expected.length + 1));
        const cut = new BodyHasher(c, 'sha256', l, engine).update(bytes).digest();
        assert.equal(cut.hash.toString('base64'), sha256(expected.slice(0, l)), `${c}/${engine} l=${l}`);
      }
    }
  });

  test('relaxed: a WSP-only last line is an empty line, at every offset in a 16- or 64-byte block', () => {
    // The line's WSP ends a block of the WebAssembly module's fast paths at some offset: it must still count as
    // an empty line at the body's end (dropped), not as content.
    for (let n = 0; n < 140; n++)
      for (const wsp of [' ', '\t', ' \t', '  ', '\t \t ', ' '.repeat(12), '\t'.repeat(70), ' '.repeat(130)])
        for (const tail of ['\r\n', '\r\n\r\n', '\r\nend\r\n', '']) {
          const body = 'x'.repeat(n) + '\r\n' + wsp + tail;
          assertModuleEqualsLoop(latin1(body), `${JSON.stringify(body.slice(n))} after ${n} bytes`);
          for (const engine of ['wasm', 'js'] as const)
            assert.equal(
              hashBody(latin1(body), 'relaxed', 'sha256', undefined, engine).hash.toString('base64'),
              sha256(referenceBody(body, 'relaxed')),
              `${engine} ${JSON.stringify(body.slice(n))} after ${n} bytes`,
            );
        }
  });

  test('relaxed: 4,000 WSP- and line-dense bodies at random alignments: the module equals the loop', () => {
    // Dense in what the module's 64-byte path must get right: WSP runs (shortened, HTAB as SP, dropped before a
    // line end, longer than its fill), empty lines with and without content after them, bare CR and LF.
    const random = seededRandom(8463);
    const pieces = [
      'a',
      'bc',
      ' ',
      ' ',
      '  ',
      '\t',
      ' \t ',
      '         ',
      '\r\n',
      '\r\n',
      '\r\n\r\n',
      '\n',
      '\r',
      '\u0001',
    ];
    for (let round = 0; round < 4000; round++) {
      let body = 'w'.repeat(Math.floor(random() * 64));
      const n = 20 + Math.floor(random() * 160);
      for (let i = 0; i < n; i++) body += pieces[Math.floor(random() * pieces.length)];
      const loop = assertModuleEqualsLoop(latin1(body), JSON.stringify(body));
      assert.equal(loop.hash.toString('base64'), sha256(referenceBody(body, 'relaxed')), JSON.stringify(body));
    }
  });

  test('every single split point of a tricky body gives the same hash', () => {
    const body = latin1(' lead\t \r\n\r\n  \r\nmid  dle\r\n\n\r\r\nx \t\r\n\r\n\r\ntail  \r\n\r\n  \n');
    for (const [c, engine] of VARIANTS) {
      const whole = hashBody(body, c, 'sha256', undefined, engine).hash.toString('base64');
      assert.equal(whole, sha256(referenceBody(text(body), c)));
      for (let split = 0; split <= body.length; split++)
        for (const second of [split, Math.min(body.length, split + 1), Math.min(body.length, split + 3)]) {
          const hasher = new BodyHasher(c, 'sha256', undefined, engine);
          hasher.update(body.subarray(0, split));
          hasher.update(body.subarray(split, second));
          hasher.update(body.subarray(second));
          assert.equal(hasher.digest().hash.toString('base64'), whole, `${c} split ${split}/${second}`);
        }
    }
  });
});

describe('property: larger bodies', () => {
  test('200 random bodies of 1-6 KB, relaxed and simple, whole and chunked, equal the reference', () => {
    const random = seededRandom(2026);
    const pieces = ['text ', 'more text', ' ', '  ', '\t', '\r\n', '\r\n\r\n', '\n', 'word.', '   x'];
    for (let round = 0; round < 200; round++) {
      let body = '';
      const size = 1000 + Math.floor(random() * 5000);
      while (body.length < size) body += pieces[Math.floor(random() * pieces.length)];
      const bytes = latin1(body);
      assertModuleEqualsLoop(bytes, `round ${round}`);
      for (const [c, engine] of VARIANTS) {
        const expected = sha256(referenceBody(body, c));
        assert.equal(
          hashBody(bytes, c, 'sha256', undefined, engine).hash.toString('base64'),
          expected,
          `${c}/${engine} round ${round}`,
        );
        const hasher = new BodyHasher(c, 'sha256', undefined, engine);
        for (let pos = 0; pos < bytes.length;) {
          const step = 1 + Math.floor(random() * 700);
          hasher.update(bytes.subarray(pos, pos + step));
          pos += step;
        }
        assert.equal(hasher.digest().hash.toString('base64'), expected, `${c}/${engine} chunked round ${round}`);
      }
    }
  });
});

describe('the WebAssembly relaxed canonicalizer', () => {
  test('runs here (so the tests above hold it against the byte loop and the reference)', () => {
    assert.equal(relaxedKernelAvailable(), true);
  });

  test("the memory layout of relaxed-kernel.ts is the module's, and its areas do not overlap", () => {
    const module = new WebAssembly.Module(Buffer.from(RELAXED_BODY_WASM, 'base64'));
    const exports = new WebAssembly.Instance(module).exports as Record<string, WebAssembly.Global | WebAssembly.Memory>;
    const layout = { INPUT_SIZE, OUTPUT_BASE, MAX_BLANKS, SWIZZLE_TABLE };
    for (const [name, value] of Object.entries(layout))
      assert.equal((exports[name] as WebAssembly.Global).value, value, `${name} of relaxed-body.wat`);
    const memory = (exports.memory as WebAssembly.Memory).buffer.byteLength;
    // Output: twice the input plus the empty lines carried in (CRLF each), and one 64-byte store past its end.
    assert.ok(OUTPUT_BASE >= INPUT_SIZE);
    assert.ok(OUTPUT_BASE + 2 * INPUT_SIZE + 2 * MAX_BLANKS + 64 <= SWIZZLE_TABLE);
    assert.ok(SWIZZLE_TABLE + 256 * 8 <= memory);
  });

  test('its bytes are the build of relaxed-body.wat', async () => {
    const script = new URL('../../../scripts/wat.mjs', import.meta.url);
    const { compileWat, WAT_PATH } = (await import(script.href)) as {
      compileWat: (text: string) => Promise<Uint8Array>;
      WAT_PATH: string;
    };
    const built = Buffer.from(await compileWat(readFileSync(WAT_PATH, 'utf8'))).toString('base64');
    assert.equal(RELAXED_BODY_WASM, built, 'run npm run build:wasm after changing relaxed-body.wat');
  });

  test('corpus-like text in 16-byte blocks: random text bodies of 1-200 KB, whole and chunked, equal the loop', () => {
    const random = seededRandom(8617);
    const words = ['mail', 'trust', 'the', 'of', 'a', 'signature', 'x', '', '\t', 'é'];
    for (let round = 0; round < 60; round++) {
      const lines: string[] = [];
      let size = 0;
      const target = 1000 + Math.floor(random() * 200_000);
      while (size < target) {
        let line = '';
        const length = Math.floor(random() * 90);
        while (line.length < length)
          line += (random() < 0.05 ? '  ' : ' ') + words[Math.floor(random() * words.length)];
        if (random() < 0.05) line += random() < 0.5 ? ' ' : ' \t ';
        lines.push(line);
        size += line.length + 2;
      }
      const body = lines.join(random() < 0.1 ? '\n' : '\r\n') + (random() < 0.5 ? '\r\n' : '');
      const bytes = latin1(body);
      const expected = assertModuleEqualsLoop(bytes, `round ${round}`).hash.toString('base64');
      assert.equal(expected, sha256(referenceBody(body, 'relaxed')), `round ${round}: the loop ≠ the reference`);
      const hasher = new BodyHasher('relaxed');
      for (let pos = 0; pos < bytes.length;) {
        const step = 1 + Math.floor(random() * 100_000);
        hasher.update(bytes.subarray(pos, pos + step));
        pos += step;
      }
      assert.equal(hasher.digest().hash.toString('base64'), expected, `round ${round} chunked`);
    }
  });

  test('every special byte at every place of a 64-byte window and across its edges', () => {
    // The module reads 64 bytes at a time, then 16: a line end, an empty line, a WSP run or a lone CR or LF at each
    // offset around those edges, before content, before more empty lines and at the end of the body.
    const specials = ['\r\n', '\r\n\r\n', '\r\n\r\nz', '  ', ' \r\n', '\t', '\r', '\n', ' \r\n\r\n', 'q\r\n\r\n'];
    const tails = ['', '\r\n', '\r\n\r\n', 'end\r\n', ' tail'];
    for (const lead of [0, 1, 15, 16, 47, 48, 60, 61, 62, 63, 64, 65, 79, 80, 126, 127, 128, 129]) {
      for (const special of specials) {
        for (const tail of tails) {
          const body = `${'x'.repeat(lead)}${special}${'y'.repeat(70)}${tail}`;
          const edge = `${'x'.repeat(lead)}${special}${tail}`;
          for (const candidate of [body, edge]) {
            const expected = referenceBody(candidate, 'relaxed');
            const loop = assertModuleEqualsLoop(latin1(candidate), JSON.stringify(candidate));
            assert.equal(loop.hash.toString('base64'), sha256(expected), JSON.stringify(candidate));
            assert.equal(loop.canonicalLength, expected.length, JSON.stringify(candidate));
          }
        }
      }
    }
  });

  test('long runs of empty lines (more than the module writes itself), inside and at the end of the body', () => {
    for (const count of [1, 16_383, 16_384, 16_385, 40_000]) {
      for (const body of [
        `a\r\n${'\r\n'.repeat(count)}b \r\n`,
        `a${'\r\n'.repeat(count)}`,
        `${'\n'.repeat(count)}\tb`,
      ]) {
        const expected = referenceBody(body, 'relaxed');
        for (const engine of ['wasm', 'js'] as const) {
          const whole = hashBody(latin1(body), 'relaxed', 'sha256', undefined, engine);
          assert.equal(whole.hash.toString('base64'), sha256(expected), `${engine} ${count}`);
          assert.equal(whole.canonicalLength, expected.length, `${engine} ${count}`);
          const hasher = new BodyHasher('relaxed', 'sha256', undefined, engine);
          const bytes = latin1(body);
          for (let pos = 0; pos < bytes.length; pos += 7_001) hasher.update(bytes.subarray(pos, pos + 7_001));
          assert.equal(hasher.digest().hash.toString('base64'), sha256(expected), `${engine} ${count} chunked`);
        }
      }
    }
  });
});
