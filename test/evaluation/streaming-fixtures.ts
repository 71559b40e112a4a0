/**
 * Messages for the streaming and worker tests: a small deterministic corpus from bench/corpus.ts (DKIM rsa-sha256,
 * some with an ARC set) plus variants that do not pass (body altered, header altered, bare LF line ends, no body,
 * no From, nothing at all), so that equal results are not merely equal passes.
 */
import { buildCorpus, type Corpus } from '../../bench/corpus.js';
import type { Envelope, Evaluation } from '../../src/core/evaluation/index.js';

export interface Fixture {
  name: string;
  raw: Uint8Array;
  envelope: Envelope;
}

function replaceFirst(raw: Uint8Array, from: string, to: string): Uint8Array {
  const text = Buffer.from(raw).toString('latin1');
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`fixture: "${from}" not found`);
  return Buffer.from(text.slice(0, at) + to + text.slice(at + from.length), 'latin1');
}

export async function evaluationFixtures(): Promise<{ corpus: Corpus; fixtures: Fixture[] }> {
  const corpus = await buildCorpus({
    count: 6,
    seed: 42,
    sizes: [
      { share: 0.5, bytes: 700 },
      { share: 0.5, bytes: 6000 },
    ],
    arcShare: 0.5,
    bits: 1024,
  });
  const fixtures: Fixture[] = corpus.messages.map((m, i) => ({
    name: `corpus ${i} (${m.bodyBytes} body bytes${m.arc ? ', ARC' : ''})`,
    raw: m.raw,
    envelope: m.envelope,
  }));
  const plain = corpus.messages.find((m) => !m.arc)!;
  const sealed = corpus.messages.find((m) => m.arc)!;
  const text = (raw: Uint8Array) => Buffer.from(raw).toString('latin1');
  fixtures.push(
    {
      name: 'body altered',
      raw: replaceFirst(plain.raw, '\r\n\r\n', '\r\n\r\nP.S. added\r\n'),
      envelope: plain.envelope,
    },
    {
      name: 'ARC message, body altered',
      raw: replaceFirst(sealed.raw, '\r\n\r\n', '\r\n\r\nP.S. added\r\n'),
      envelope: sealed.envelope,
    },
    { name: 'Subject altered', raw: replaceFirst(plain.raw, 'Subject: Your', 'Subject: My'), envelope: plain.envelope },
    {
      name: 'bare LF line ends',
      raw: Buffer.from(text(sealed.raw).replace(/\r\n/g, '\n'), 'latin1'),
      envelope: sealed.envelope,
    },
    {
      name: 'trailing empty lines and blanks',
      raw: Buffer.concat([plain.raw, Buffer.from(' \t\r\n\r\n\r\n  \r\n')]),
      envelope: plain.envelope,
    },
    {
      name: 'header only, no empty line',
      raw: Buffer.from(text(plain.raw).slice(0, text(plain.raw).indexOf('\r\n\r\n') + 2), 'latin1'),
      envelope: plain.envelope,
    },
    {
      name: 'no From field',
      raw: Buffer.from(text(plain.raw).replace(/\r\nFrom: [^\r]*/, ''), 'latin1'),
      envelope: plain.envelope,
    },
    { name: 'empty message', raw: new Uint8Array(0), envelope: { ip: '203.0.113.9', mailFrom: '<>' } },
    {
      name: 'wrong client address',
      raw: plain.raw,
      envelope: { ...plain.envelope, ip: '203.0.113.9' },
    },
  );
  return { corpus, fixtures };
}

/**
 * The evaluation with its DNS trace made order- and timing-independent: `ms` is wall time and the order follows
 * the network's answers, so the trace is compared as a sorted list without `ms`.
 */
export function comparable(evaluation: Evaluation): unknown {
  const queries = evaluation.dns.queries.map(({ ms: _ms, ...rest }) => JSON.stringify(rest)).sort();
  return { ...evaluation, dns: { queries } };
}
