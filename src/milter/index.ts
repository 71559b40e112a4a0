/**
 * The milter listener: a TCP server speaking the milter protocol (version 6) to Postfix or Sendmail, one
 * `MilterSession` per MTA connection. Each message is evaluated while it streams in; at its end the verdict
 * headers are written and the `[actions]` setting applied. See docs/milter.md.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { createResolver, type EvaluateOptions } from '../core/index.js';
import type { Store } from '../store/types.js';
import { defaultActions, type MilterActions } from './actions.js';
import { historyWriter } from './history.js';
import { DEFAULT_MAX_PACKET_BYTES } from './codec.js';
import { MilterConnection } from './connection.js';
import type { MessageOutcome, SessionSettings } from './session.js';

export { chooseAction, defaultActions, type MilterActions } from './actions.js';
export { MilterSession, type MessageOutcome, type SessionSettings } from './session.js';

/** The `[milter]` section. */
export interface MilterSettings {
  listen: { host: string; port: number };
  /** The evaluation's time budget in milliseconds (default 20 s, under Postfix's 300 s content timeout). */
  timeBudget?: number;
  /** Store every evaluation in the history (default true). */
  history?: boolean;
}

export interface MilterOptions {
  milter: MilterSettings;
  actions?: MilterActions;
  /** The authserv-id of `Authentication-Results` (the `hostname` setting). */
  hostname: string;
  /** The engine's options: the shared resolver, the policy, limits. */
  evaluate?: Omit<EvaluateOptions, 'signal' | 'authservId'>;
  /** Where the history goes (`saveMessage`, source `milter`), after each reply. */
  store?: Store;
  logger?: Logger;
  /** Where `mailtrust_milter_messages_total{action}` is registered. */
  registry?: Registry;
  /** SMFIR_PROGRESS interval while an evaluation runs (default 10 s). */
  progressIntervalMs?: number;
  /** A connection silent this long is closed (default 15 min, above Postfix's 300 s content timeout). */
  idleTimeoutMs?: number;
  /** Packets above this size end the connection (default 1 MiB). */
  maxPacketBytes?: number;
  /** At most this many MTA connections at once; more are closed at once (the MTA applies its default action). */
  maxConnections?: number;
  /** The evaluation clock (tests); default: the time each message ends. */
  clock?: () => Date;
  /** Hooks for the service's shared metrics. */
  events?: MilterEvents;
}

/** What the milter reports as it works. */
export interface MilterEvents {
  sessionOpened?(): void;
  sessionClosed?(): void;
  /** One message done (evaluated or not), after its reply. */
  messageDone?(outcome: MessageOutcome): void;
}

export interface MilterHandle {
  /** The address bound (the port is the real one when 0 was asked for). */
  address: { host: string; port: number };
  /** Open MTA connections. */
  readonly connections: number;
  /** Stops accepting; waits up to `graceMs` for sessions in flight, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Messages by action, registered on the service's registry (sessions are counted through `events`). */
function actionCounter(registry: Registry | undefined): Counter<'action'> | undefined {
  if (!registry) return undefined;
  const name = 'mailtrust_milter_messages_total';
  return (
    (registry.getSingleMetric(name) as Counter<'action'> | undefined) ??
    new Counter({
      name,
      help: 'Messages the milter handled, by action (accept, tag, quarantine, reject, tempfail)',
      labelNames: ['action'],
      registers: [registry],
    })
  );
}

/** Starts the milter listener. Rejects when the address cannot be bound. */
export async function startMilter(options: MilterOptions): Promise<MilterHandle> {
  const logger = options.logger;
  const byAction = actionCounter(options.registry);
  const history = options.milter.history ?? true;
  const store = options.store;
  const { resolver: _shared, ...evaluateOptions } = options.evaluate ?? {};
  const writer = history && store ? historyWriter(store, { logger, registry: options.registry }) : undefined;
  const settings: SessionSettings = {
    authservId: options.hostname,
    actions: options.actions ?? defaultActions,
    resolver: options.evaluate?.resolver ?? createResolver(),
    evaluateOptions: evaluateOptions,
    timeBudgetMs: options.milter.timeBudget ?? 20_000,
    progressIntervalMs: options.progressIntervalMs ?? 10_000,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(writer ? { saveMessage: (row) => writer.save(row) } : {}),
    onMessage: (outcome: MessageOutcome) => {
      byAction?.inc({ action: outcome.action });
      options.events?.messageDone?.(outcome);
      const evaluation = outcome.evaluation;
      logger?.info(
        {
          event: 'milter.message',
          queueId: outcome.queueId,
          action: outcome.action,
          verdict: evaluation?.verdict,
          retryable: evaluation?.retryable,
          reasons: evaluation?.reasons.map((r) => r.id),
          ip: evaluation?.envelope.ip,
          mailFrom: evaluation?.envelope.mailFrom,
          ms: outcome.ms,
        },
        evaluation ? 'message evaluated' : 'message not evaluated within the time budget',
      );
    },
  };
  const idleTimeoutMs = options.idleTimeoutMs ?? 15 * 60_000;
  const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  const maxConnections = options.maxConnections ?? 1_000;
  const sockets = new Set<Socket>();
  const idle = new Set<Socket>();
  let closing = false;

  // TCP_NODELAY set as each connection is accepted: a reply goes out at once, never held back for more.
  const server = createServer({ noDelay: true }, (socket) => {
    if (closing || sockets.size >= maxConnections) {
      logger?.warn({ event: 'milter.refused', open: sockets.size }, 'milter connection refused: too many open');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    options.events?.sessionOpened?.();
    serveConnection(socket);
  });

  function serveConnection(socket: Socket): void {
    socket.setTimeout(idleTimeoutMs, () => {
      logger?.info({ event: 'milter.idle' }, 'milter connection idle too long; closed');
      socket.destroy();
    });
    const connection: MilterConnection = new MilterConnection(
      settings,
      {
        get writable() {
          return !socket.destroyed && socket.writable;
        },
        write: (bytes) => socket.write(bytes),
        close: (how) => (how === 'end' ? socket.end() : socket.destroy()),
      },
      {
        maxPacketBytes,
        logger,
        afterStep: (inMessage) => {
          if (inMessage) idle.delete(socket);
          else idle.add(socket);
          if (closing && !inMessage) connection.end('close');
        },
      },
    );
    idle.add(socket);
    socket.on('data', (bytes: Buffer) => connection.receive(bytes));
    socket.on('error', () => {
      // A reset by the MTA (its timeout, or it went away): the close handler drops the state.
    });
    socket.on('close', () => {
      connection.closed();
      sockets.delete(socket);
      idle.delete(socket);
      options.events?.sessionClosed?.();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.milter.listen.port, options.milter.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger?.error({ event: 'milter.listener', err: error }, 'milter listener error'));
  const bound = server.address() as AddressInfo;
  logger?.info({ event: 'milter.listening', host: bound.address, port: bound.port }, 'milter listening');

  return {
    address: { host: bound.address, port: bound.port },
    get connections() {
      return sockets.size;
    },
    async close(graceMs = 10_000) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Sessions between messages end now; those in a message end after their reply.
      for (const socket of idle) socket.end();
      const deadline = Date.now() + graceMs;
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const socket of sockets) socket.destroy();
      await stopped;
      // The history rows of messages already answered are written before the store may be closed.
      await writer?.settled();
    },
  };
}
