import type { Hono } from 'hono';
import type { HttpDeps } from './deps.js';

/** Placeholder: the routes of this area are mounted here. */
export function pageRoutes(_app: Hono, _deps: HttpDeps): void {}
