export { createEvaluator, evaluate } from './evaluator.js';
export type { Evaluator } from './evaluator.js';
export type { Envelope, EvaluateOptions, Evaluation, EvaluationSpf } from './types.js';
export { checkEnvelope, InvalidEnvelopeError } from './envelope-check.js';
export type { CheckedEnvelope, EnvelopeCheck, EnvelopeError, EnvelopeErrorCode } from './envelope-check.js';
