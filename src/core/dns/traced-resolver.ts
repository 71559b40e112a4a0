/**
 * The query trace for any `Resolver`: a caller's own resolver (a shared one, a test double, one over another DNS
 * library) is wrapped so that each answer it gives is recorded, as a `DnsClient` records its own. What such a
 * resolver did inside is not known, so each entry says `source: 'network'` and the time the call took.
 */
import type { QueryTrace } from './client.js';
import { reverseName } from './reverse-name.js';
import type { AnswerRecord, DnsAnswer, QueryType, RecordKind, Resolver } from './types.js';

const QUERY_TYPE: { [K in RecordKind]: QueryType } = { txt: 'TXT', a: 'A', aaaa: 'AAAA', mx: 'MX', ptr: 'PTR' };

/** Text of one typed record, as `formatRecordData` writes the wire form. */
function recordText<K extends RecordKind>(kind: K, record: AnswerRecord[K]): string {
  if (kind === 'mx') {
    const mx = record as AnswerRecord['mx'];
    return `${mx.priority} ${mx.exchange}`;
  }
  return kind === 'txt' ? JSON.stringify(record) : String(record);
}

/** Wraps `resolver` so that every answer it gives is recorded in `trace`. */
export function traceResolver(resolver: Resolver, trace: QueryTrace): Resolver {
  const record = <K extends RecordKind>(kind: K, name: string, answer: DnsAnswer<AnswerRecord[K]>, ms: number) => {
    const question = kind === 'ptr' ? (reverseName(name) ?? name) : name;
    trace.recordEntry({
      name: question,
      type: QUERY_TYPE[kind],
      outcome: answer.ok ? 'ok' : answer.kind,
      records: answer.ok ? answer.records.map((r) => recordText(kind, r)) : [],
      ttl: answer.ok ? answer.ttl : 0,
      ms: Math.round(ms * 100) / 100,
      source: 'network',
    });
    return answer;
  };
  const asked =
    <K extends RecordKind>(kind: K) =>
    async (name: string): Promise<DnsAnswer<AnswerRecord[K]>> => {
      const started = performance.now();
      const method = resolver[kind] as (name: string) => Promise<DnsAnswer<AnswerRecord[K]>>;
      const answer = await method.call(resolver, name);
      return record(kind, name, answer, performance.now() - started);
    };
  const traced: Resolver = {
    txt: asked('txt'),
    a: asked('a'),
    aaaa: asked('aaaa'),
    mx: asked('mx'),
    ptr: asked('ptr'),
  };
  const known = resolver.known;
  if (known) {
    traced.known = <K extends RecordKind>(kind: K, name: string) => {
      const answer = known.call(resolver, kind, name) as DnsAnswer<AnswerRecord[K]> | undefined;
      return answer === undefined ? undefined : record(kind, name, answer, 0);
    };
  }
  return traced;
}
