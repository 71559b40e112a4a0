/**
 * The HTTP app of `mailtrust serve` (Hono): the JSON API, the form endpoints and the pages. Each area mounts its
 * routes from its own module; this file only puts them together, in order.
 */
import { Hono } from 'hono';
import type { HttpDeps } from './deps.js';
import { apiRoutes } from './api.js';
import { formRoutes } from './forms.js';
import { pageRoutes } from './pages.js';

export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  apiRoutes(app, deps);
  formRoutes(app, deps);
  pageRoutes(app, deps);
  return app;
}
