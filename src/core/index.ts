/**
 * mailtrust — the library. One entry point with named exports (DESIGN §4.1).
 */
export { createResolver, DnsClient, QueryTrace, checkQueryName, reverseName, formatRecordData } from './dns/index.js';
export type {
  DnsAnswer,
  DnsFailureKind,
  MxRecord,
  QueryOutcome,
  QuerySource,
  QueryType,
  RecordData,
  Resolver,
  ResolverOptions,
  TraceEntry,
  ZoneRecord,
} from './dns/index.js';
export { parseZoneFile } from './dns/zonefile.js';
export { defaultLimits } from './context.js';
export type { CheckContext, Limits } from './context.js';
export type { ParseError, ParseResult } from './parse-result.js';
