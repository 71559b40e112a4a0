export { checkHelo } from './check.js';
export type { HeloFinding, HeloResult } from './check.js';
export { classifyHelo, SPECIAL_USE_SUFFIXES } from './name.js';
export type { HeloSyntax } from './name.js';
