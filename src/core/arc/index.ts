/** ARC (RFC 8617): parse ARC sets, validate the chain, seal a message. */
export { maxAarLength, parseArcAuthResultsField } from './aar.js';
export type { ArcAuthResultsField } from './aar.js';
export { defaultAmsCanonicalization, parseArcMessageSignature, parseArcSeal } from './fields.js';
export type { ArcMessageSignature, ArcSeal } from './fields.js';
export type {
  ArcAlgorithm,
  ArcErrorCode,
  ArcInstanceSummary,
  ArcResult,
  ArcResultValue,
  ChainValidationStatus,
} from './result.js';
export { isArcFieldName, maxArcInstances, parseArcSets } from './sets.js';
export type { ArcChain, ArcChainParseResult, ArcParseError, ArcSet } from './sets.js';
export { createArcVerifier, defaultArcAlgorithms, hasArcFields, verifyArc } from './verify.js';
export type { ArcVerifier, ArcVerifyOptions } from './verify.js';
export { consolidateAuthResults, prependArcSet, sealArc } from './seal.js';
export type { ArcSealFields, ArcSealOptions } from './seal.js';
