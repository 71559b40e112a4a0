export { createEvaluator, evaluate } from './evaluator.js';
export type { Evaluator } from './evaluator.js';
export type { Envelope, EvaluateOptions, Evaluation, EvaluationSpf } from './types.js';
