/** The trust verdict (docs/trust-model.md): results → trusted | low | untrusted with reasons and remedies. Pure. */
export { FINDINGS } from './catalogue.js';
export type { ReasonDetail, ReasonFacts } from './catalogue.js';
export { decideVerdict } from './decide.js';
export type { Reason, Verdict } from './decide.js';
export type { HeaderFindingDetail, HeadersView, HeloView, IprevView, VerdictInput } from './input.js';
export { senderRelations } from './sender-relations.js';
export type { SenderRelationFinding, SenderRelationsInput } from './sender-relations.js';
