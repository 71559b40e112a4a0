/**
 * The HTTP app of `mailtrust serve` (Hono): the JSON API, the form endpoints and the pages. Each area mounts its
 * routes from its own module; this file only puts them together, in order, behind the plumbing every route uses:
 * a body size limit (413) and JSON errors for unknown routes (404) and failures (500).
 */
import { Hono } from 'hono';
import type { HttpDeps } from './deps.js';
import { apiRoutes } from './api.js';
import { installErrorHandlers, limitBody } from './errors.js';
import { formRoutes } from './forms.js';
import { pageRoutes } from './pages.js';
import { relayApiRoutes } from './relay-api.js';

export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  installErrorHandlers(app, deps.logger);
  app.use('*', limitBody(deps.config.http.maxBodyBytes));
  apiRoutes(app, deps);
  relayApiRoutes(app, deps);
  formRoutes(app, deps);
  pageRoutes(app, deps);
  return app;
}
