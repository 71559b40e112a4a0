/**
 * The typed `Resolver` (docs/dns.md) over any querier (network, cache, zone, overlay), with a query trace.
 */
import { TextDecoder } from 'node:util';
import type { QueryOutcome, Querier } from './querier.js';
import { memoizeByText } from '../text-memo.js';
import { reverseName } from './reverse-name.js';
import type { AnswerRecord, DnsAnswer, MxRecord, QueryType, RecordKind, Resolver, TraceEntry } from './types.js';
import type { RecordData } from './wire.js';

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Reverse names by address: the same client addresses connect again and again. */
const reverseNameOf = memoizeByText(reverseName, { maxEntries: 4096, maxKeyLength: 64 });

/** Text of one record, as the trace and `mailtrust dns` show it. */
export function formatRecordData(data: RecordData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'TXT':
      return data.strings.map((s) => JSON.stringify(utf8.decode(s))).join(' ');
    case 'MX':
      return `${data.priority} ${data.exchange}`;
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return data.target;
    case 'SOA': {
      const s = data.soa;
      return `${s.mname} ${s.rname} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
    }
  }
}

/** Keeps the trace of queries one evaluation made. */
export class QueryTrace {
  private readonly recorded: TraceEntry[] = [];
  /** Records of `recorded[i]` not yet formatted (formatting waits until someone reads the trace). */
  private readonly unformatted: (RecordData[] | undefined)[] = [];
  private formattedUpTo = 0;
  /** Upper bound on recorded entries, so a hostile record cannot grow the trace without end. */
  constructor(readonly maxEntries = 1000) {}

  /** The queries so far, in the order they were answered. */
  get entries(): TraceEntry[] {
    this.format(this.recorded.length);
    return this.recorded;
  }

  /** How many queries have been recorded. */
  get size(): number {
    return this.recorded.length;
  }

  /** A copy of the first `count` entries (the trace as it was when `size` was `count`). */
  firstEntries(count: number): TraceEntry[] {
    this.format(count);
    return this.recorded.slice(0, count);
  }

  record(name: string, type: QueryType, outcome: QueryOutcome): void {
    if (this.recorded.length >= this.maxEntries) return;
    this.recorded.push({
      name,
      type,
      outcome: outcome.ok ? 'ok' : outcome.kind,
      records: [],
      ttl: outcome.ttl,
      ms: Math.round(outcome.ms * 100) / 100,
      source: outcome.source,
    });
    this.unformatted.push(outcome.ok ? outcome.records : undefined);
  }

  /** Records an entry whose records are already text (the answer of a resolver other than a `DnsClient`). */
  recordEntry(entry: TraceEntry): void {
    if (this.recorded.length >= this.maxEntries) return;
    this.recorded.push(entry);
    this.unformatted.push(undefined);
  }

  /** Turns the records of the first `count` entries into text (answers' records are not changed afterwards). */
  private format(count: number): void {
    const end = Math.min(count, this.recorded.length);
    for (let i = this.formattedUpTo; i < end; i++) {
      const records = this.unformatted[i];
      const entry = this.recorded[i];
      if (records !== undefined && entry !== undefined) entry.records = formattedRecords(records).slice();
      this.unformatted[i] = undefined;
    }
    if (end > this.formattedUpTo) this.formattedUpTo = end;
  }
}

/** The text of each record list met (answers from a zone or the cache share their list): formatted once. */
const formattedLists = new WeakMap<readonly RecordData[], readonly string[]>();

function formattedRecords(records: readonly RecordData[]): readonly string[] {
  let text = formattedLists.get(records);
  if (text === undefined) {
    text = records.map(formatRecordData);
    formattedLists.set(records, text);
  }
  return text;
}

/** A `Resolver` backed by a querier; `query()` gives the untyped records (all TXT strings, SOA, CNAME…). */
export class DnsClient implements Resolver {
  constructor(
    private readonly querier: Querier,
    /** The trace of this client's queries, when one was asked for. */
    readonly trace?: QueryTrace,
  ) {}

  /** A client sharing this one's querier (and so its cache) that records its own trace. */
  withTrace(trace = new QueryTrace()): DnsClient {
    return new DnsClient(this.querier, trace);
  }

  /**
   * The outcome of a query when it is known without waiting (zone data, a live cache entry), else undefined; not
   * recorded in the trace. A view over this client (the milter's time budget) answers from memory through it, as
   * the client itself does.
   */
  peek(name: string, type: QueryType): QueryOutcome | undefined {
    return this.querier.peek?.(name, type);
  }

  async query(name: string, type: QueryType): Promise<QueryOutcome> {
    const outcome = await this.querier.query(name, type);
    this.trace?.record(name, type, outcome);
    return outcome;
  }

  /**
   * The typed answer of one query. An outcome the querier knows at once (zone data, a live cache entry) is
   * answered without waiting on the querier; the typed records of an outcome's record list are built once and
   * shared by every answer made from that list (frozen, so no caller can change another's answer).
   */
  private typed<T>(name: string, type: QueryType, build: (data: readonly RecordData[]) => T[]): Promise<DnsAnswer<T>> {
    const known = this.querier.peek?.(name, type);
    if (known) {
      this.trace?.record(name, type, known);
      return Promise.resolve(typedAnswer(known, build));
    }
    return this.query(name, type).then((outcome) => typedAnswer(outcome, build));
  }

  txt(name: string): Promise<DnsAnswer<string>> {
    return this.typed(name, 'TXT', txtStrings);
  }

  known<K extends RecordKind>(kind: K, name: string): DnsAnswer<AnswerRecord[K]> | undefined {
    const question = kind === 'ptr' ? reverseNameOf(name) : name;
    if (question === undefined) return { ok: false, kind: 'nxdomain' };
    const { type, build } = TYPED[kind];
    const known = this.querier.peek?.(question, type);
    if (!known) return undefined;
    this.trace?.record(question, type, known);
    return typedAnswer(known, build) as DnsAnswer<AnswerRecord[K]>;
  }

  a(name: string): Promise<DnsAnswer<string>> {
    return this.typed(name, 'A', aRecords);
  }

  aaaa(name: string): Promise<DnsAnswer<string>> {
    return this.typed(name, 'AAAA', aaaaRecords);
  }

  mx(name: string): Promise<DnsAnswer<MxRecord>> {
    return this.typed(name, 'MX', mxRecords);
  }

  /** PTR names for an address; a string that is not an IP address gets `nxdomain`. */
  ptr(ip: string): Promise<DnsAnswer<string>> {
    const name = reverseNameOf(ip);
    if (name === undefined) return Promise.resolve({ ok: false, kind: 'nxdomain' });
    return this.typed(name, 'PTR', ptrTargets);
  }
}

/** Typed records per record list of an outcome (outcomes from a cache or a zone share their list). */
const typedRecords = new WeakMap<readonly RecordData[], readonly unknown[]>();

/**
 * The answer made from each outcome (zone outcomes are kept and met again on every message): frozen, so that one
 * answer object can be handed to every caller.
 */
const typedAnswers = new WeakMap<QueryOutcome, DnsAnswer<unknown>>();

function typedAnswer<T>(outcome: QueryOutcome, build: (data: readonly RecordData[]) => T[]): DnsAnswer<T> {
  const made = typedAnswers.get(outcome);
  if (made !== undefined) return made as DnsAnswer<T>;
  let answer: DnsAnswer<T>;
  if (!outcome.ok) answer = { ok: false, kind: outcome.kind };
  else {
    let records = typedRecords.get(outcome.records) as T[] | undefined;
    if (!records) {
      records = Object.freeze(build(outcome.records)) as T[];
      typedRecords.set(outcome.records, records);
    }
    answer = records.length > 0 ? { ok: true, records, ttl: outcome.ttl } : { ok: false, kind: 'nodata' };
  }
  typedAnswers.set(outcome, Object.freeze(answer));
  return answer;
}

/** TXT records, each one's character-strings joined (RFC 7208 §3.3, RFC 6376 §3.6.2.2) and read as UTF-8. */
function txtStrings(data: readonly RecordData[]): string[] {
  const out: string[] = [];
  for (const d of data) {
    if (d.type !== 'TXT') continue;
    if (d.strings.length === 1) {
      out.push(utf8.decode(d.strings[0]));
      continue;
    }
    let length = 0;
    for (const s of d.strings) length += s.length;
    const joined = new Uint8Array(length);
    let offset = 0;
    for (const s of d.strings) {
      joined.set(s, offset);
      offset += s.length;
    }
    out.push(utf8.decode(joined));
  }
  return out;
}

function addressesOf(type: 'A' | 'AAAA'): (data: readonly RecordData[]) => string[] {
  return (data) => {
    const out: string[] = [];
    for (const d of data) if (d.type === type) out.push(d.address);
    return out;
  };
}

/** MX records by preference, lowest first (RFC 5321 §5.1); each record frozen like the list. */
function mxRecords(data: readonly RecordData[]): MxRecord[] {
  const out: MxRecord[] = [];
  for (const d of data) if (d.type === 'MX') out.push(Object.freeze({ priority: d.priority, exchange: d.exchange }));
  return out.sort((x, y) => x.priority - y.priority);
}

const aRecords = addressesOf('A');
const aaaaRecords = addressesOf('AAAA');

function ptrTargets(data: readonly RecordData[]): string[] {
  const out: string[] = [];
  for (const d of data) if (d.type === 'PTR') out.push(d.target);
  return out;
}

/** The query type and record builder of each `Resolver` lookup. */
const TYPED: { [K in RecordKind]: { type: QueryType; build: (data: readonly RecordData[]) => AnswerRecord[K][] } } = {
  txt: { type: 'TXT', build: txtStrings },
  a: { type: 'A', build: aRecords },
  aaaa: { type: 'AAAA', build: aaaaRecords },
  mx: { type: 'MX', build: mxRecords },
  ptr: { type: 'PTR', build: ptrTargets },
};
