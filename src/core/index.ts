/**
 * mailtrust — the library. One entry point with named exports (docs/architecture.md).
 */
export {
  createResolver,
  DnsClient,
  QueryTrace,
  checkQueryName,
  reverseName,
  formatRecordData,
  traceResolver,
  parseServerAddress,
  isTemporaryDnsFailure,
  isVoidDnsFailure,
} from './dns/index.js';
export type {
  DnsAnswer,
  DnsFailureKind,
  TemporaryDnsFailure,
  VoidDnsFailure,
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
export { findBrokenCnameChain } from './dns/zone-index.js';
export { defaultLimits } from './context.js';
export { createEngineCaches, defaultEngineCaches } from './caches.js';
export type { EngineCaches } from './caches.js';
export { BoundedMemo } from './bounded-memo.js';
export type { MemoLimits } from './bounded-memo.js';
export type { CheckContext, Limits } from './context.js';
export type { ParseError, ParseResult } from './parse-result.js';
export { organizationalDomain, toAsciiDomain } from './domain/index.js';
export {
  authorDomain,
  discoverDmarcRecord,
  evaluateDmarc,
  isAligned,
  isDmarcRecord,
  parseAddressList,
  parseDmarcRecord,
  sampledPolicy,
} from './dmarc/index.js';
export type {
  AlignmentMode,
  AuthorDomain,
  DmarcDkimInput,
  DmarcError,
  DmarcInput,
  DmarcPolicy,
  DmarcRecord,
  DmarcRecordWarning,
  DmarcReportUri,
  DmarcResult,
  DmarcResultValue,
  DmarcSpfInput,
  IdentifierAlignment,
  Mailbox,
} from './dmarc/index.js';
export {
  authResEntries,
  formatArcAuthenticationResults,
  formatAuthenticationResults,
  parseArcAuthenticationResults,
  parseAuthenticationResults,
} from './authres/index.js';
export type {
  ArcAuthenticationResults,
  AuthenticationResults,
  AuthResEntry,
  AuthResFormatOptions,
  AuthResInput,
  AuthResProperty,
} from './authres/index.js';
export { checkIprev, genericNameReason } from './iprev/index.js';
export type { IprevFinding, IprevResult, IprevResultCode } from './iprev/index.js';
export { checkHelo, classifyHelo } from './helo/index.js';
export type { HeloFinding, HeloResult, HeloSyntax } from './helo/index.js';
export {
  consolidateAuthResults,
  createArcVerifier,
  defaultArcAlgorithms,
  parseArcSets,
  parseArcSeal,
  parseArcMessageSignature,
  parseArcAuthResultsField,
  prependArcSet,
  sealArc,
  verifyArc,
} from './arc/index.js';
export type {
  ArcAlgorithm,
  ArcErrorCode,
  ArcInstanceSummary,
  ArcResult,
  ArcResultValue,
  ArcSealFields,
  ArcSealOptions,
  ArcVerifier,
  ArcVerifyOptions,
  ArcSet,
  ArcChain,
  ChainValidationStatus,
} from './arc/index.js';
export {
  checkSpf,
  checkSpfHelo,
  checkHost,
  parseSpfRecord,
  isSpfRecord,
  formatReceivedSpf,
  lintSpf,
} from './spf/index.js';
export type {
  SpfResult,
  SpfResultCode,
  SpfIdentity,
  SpfError,
  SpfErrorCode,
  SpfRecord,
  SpfMechanism,
  SpfModifier,
  SpfQualifier,
  SpfTraceEntry,
  CheckHostInput,
  SpfEnvelope,
  ReceivedSpfContext,
  SpfLintReport,
  SpfLintFinding,
  SpfLintNode,
} from './spf/index.js';
export {
  parseMessage,
  MessageSplitter,
  getFields,
  fieldValue,
  fieldValueBytes,
  unfold,
  stripReversePath,
} from './message/index.js';
export type { ParsedMessage, ParsedHeader, HeaderField } from './message/index.js';
export {
  verifyDkim,
  createDkimVerifier,
  signDkim,
  prependHeader,
  generateDkimKey,
  parseDkimSignature,
  parseDkimKey,
  DkimKeyCache,
  BodyHasher,
} from './dkim/index.js';
export type {
  DkimResult,
  DkimResultValue,
  DkimErrorCode,
  DkimSignature,
  DkimKey,
  DkimSignOptions,
  SignError,
  SignResult,
  DkimSigningAlgorithm,
  DkimKeyPair,
  DkimVerifier,
  DkimVerifyOptions,
} from './dkim/index.js';
export { createEvaluator, evaluate, checkEnvelope, InvalidEnvelopeError } from './evaluation/index.js';
export type {
  Envelope,
  EvaluateOptions,
  Evaluation,
  Evaluator,
  CheckedEnvelope,
  EnvelopeCheck,
  EnvelopeError,
  EnvelopeErrorCode,
} from './evaluation/index.js';
export { inferEnvelope, parseReceivedFrom, parseReturnPath } from './envelope/index.js';
export type {
  InferOptions,
  InferredEnvelope,
  ReceivedFieldRef,
  ReceivedFrom,
  ReceivedInference,
  ReceivedProblem,
} from './envelope/index.js';
export {
  checkHeaders,
  checkHeaderFields,
  checkHeaderDomains,
  classifyMailDomain,
  fromDomain,
  fromMailboxes,
  replyToMailboxes,
  parseDateTime,
  parseMessageId,
  DEFAULT_MAX_HEADER_DOMAINS,
  HEADER_FINDINGS,
  SINGLE_FIELDS,
} from './headers/index.js';
export type {
  HeadersResult,
  HeaderFieldReport,
  HeaderDetail,
  HeaderFinding,
  HeaderReason,
  HeaderDomain,
  HeaderDomainCheck,
  HeaderDomainStatus,
  HeaderDomainsResult,
  HeaderDomainsOptions,
  AddressField,
  DateTime,
  MessageId,
  MailDomain,
} from './headers/index.js';
export { decideVerdict, senderRelations, FINDINGS } from './verdict/index.js';
export type {
  Reason,
  Verdict,
  VerdictInput,
  HeadersView,
  HeloView,
  IprevView,
  SenderRelationFinding,
  SenderRelationsInput,
} from './verdict/index.js';
export { defaultPolicy, parsePolicy, FINDING_IDS, isFindingId } from './policy/index.js';
export type { Policy, FindingLevel, FindingId, PolicyErrorCode } from './policy/index.js';
export { detectForwarding, forwardingHintsFromHeader } from './forwarding/index.js';
export type { ForwardingResult, ForwardingSignal, ForwardingHint, ForwardingFinding } from './forwarding/index.js';
export { auditDomain, auditReportJson, canonicalAddress, COMMON_DKIM_SELECTORS } from './audit/index.js';
export type {
  AuditArea,
  AuditCheck,
  AuditDnsStats,
  AuditInput,
  AuditReport,
  AuditResult,
  AuditStatus,
  AuditedAddresses,
  AuditedSelectors,
  SuggestedRecord,
} from './audit/index.js';
export { parseIpAddress, formatIpAddress, canonicalIpText, unmapIPv4 } from './ip/address.js';
export type { IpAddress } from './ip/address.js';
export { inNetwork, parseNetwork, inAnyNetwork } from './ip/network.js';
export type { IpNetwork } from './ip/network.js';
export { createEvaluationPool } from './evaluation/workers.js';
export type {
  EvaluationPool,
  EvaluationPoolOptions,
  PooledEvaluateOptions,
  WorkerResolverOptions,
} from './evaluation/workers.js';
