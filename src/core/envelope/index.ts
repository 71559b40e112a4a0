export { inferEnvelope } from './infer.js';
export type { InferOptions, InferredEnvelope, ReceivedFieldRef, ReceivedInference, ReceivedProblem } from './infer.js';
export { isInternalAddress, parseReceivedFrom, parseReturnPath } from './received.js';
export type { ReceivedFrom } from './received.js';
