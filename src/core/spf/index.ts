/** SPF, RFC 7208: parse records, run check_host(), format Received-SPF, lint a domain's policy. */
export { checkHost, checkSpf, checkSpfHelo } from './check-host.js';
export type { CheckHostInput, SpfEnvelope } from './check-host.js';
export { parseSpfRecord, isSpfRecord } from './parse.js';
export { parseMacroString, expandMacroString } from './macro.js';
export type { MacroValues, MacroContext } from './macro.js';
export { formatReceivedSpf } from './received-spf.js';
export type { ReceivedSpfContext } from './received-spf.js';
export { lintSpf } from './lint.js';
export type { SpfLintFinding, SpfLintNode, SpfLintReport } from './lint.js';
export type {
  MacroLetter,
  MacroString,
  MacroToken,
  SpfError,
  SpfErrorCode,
  SpfIdentity,
  SpfMechanism,
  SpfMechanismKind,
  SpfModifier,
  SpfQualifier,
  SpfRecord,
  SpfResult,
  SpfResultCode,
  SpfTraceEntry,
  SpfQueryType,
} from './types.js';
