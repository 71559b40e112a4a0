/** The HTTP face of `mailtrust serve`: the Hono app (API, forms, pages) on a node:http server at `http.listen`. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createHttpApp } from '../http/app.js';
import type { HttpDeps } from '../http/deps.js';
import { formatAddress, type Face } from './face.js';
import { listenOn } from './listen.js';

export async function startHttpFace(deps: HttpDeps): Promise<Face> {
  const app = createHttpApp(deps);
  // A request without Host (HTTP/1.0 allows that) gets this name in the URL the app sees.
  const listener = getRequestListener(app.fetch, { hostname: 'localhost' });
  // The listener answers every request itself, errors included (500 through the app's error handler). Node's own
  // Host check would also refuse HTTP/1.0 requests without Host, such as rspamd's documented `/checkv2` request;
  // RFC 9112 §3.2 requires Host of HTTP/1.1 requests only, so that check is made here.
  const server: Server = createServer({ requireHostHeader: false }, (request, response) => {
    if (request.httpVersion !== '1.0' && request.headers.host === undefined) {
      response.writeHead(400, { connection: 'close' }).end();
      return;
    }
    void listener(request, response);
  });
  // Bounded: a client gets 60 s to send its headers and 5 min for the whole request (RFC 9110 has no limit;
  // these keep slow clients from holding sockets forever).
  server.headersTimeout = 60_000;
  server.requestTimeout = 300_000;
  const { host, port } = deps.config.http.listen;
  await listenOn(server, host, port, 'http.listen');
  const bound = server.address() as AddressInfo;
  return {
    name: 'http',
    address: formatAddress(bound.address, bound.port),
    close: (graceMs) => closeHttpServer(server, graceMs),
  };
}

/** Stops accepting, lets requests in flight finish for up to `graceMs`, then drops every connection left. */
export function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
