/**
 * Evaluation on worker threads: `createEvaluationPool()` runs `evaluate()` on several cores (docs/performance.md).
 *
 * Each worker thread loads this module, builds its own resolver once from `options.resolver` (a resolver cannot
 * cross threads, so each worker keeps its own cache) and evaluates the messages it is sent. Messages go to the
 * worker with the fewest evaluations in flight; evaluations come back as plain data (posted as JSON text), equal to
 * what `evaluate()` returns on the main thread.
 *
 * ```ts
 * const pool = createEvaluationPool({ size: 2, resolver: { servers: ['127.0.0.1:53'] } });
 * const evaluation = await pool.evaluate(raw, { ip, helo, mailFrom });
 * await pool.close();
 * ```
 */
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Limits } from '../context.js';
import { createResolver, type ResolverOptions } from '../dns/index.js';
import { evaluate } from './evaluator.js';
import type { Envelope, EvaluateOptions, Evaluation } from './types.js';

/** How each worker builds its resolver: `createResolver()` options that can cross a thread (no signal, no clock). */
export type WorkerResolverOptions = Omit<ResolverOptions, 'signal' | 'clock'>;

export interface EvaluationPoolOptions {
  /** Worker threads (default: the available parallelism, at least 1). */
  size?: number;
  /** Each worker's resolver (default: the system's servers, with a cache). */
  resolver?: WorkerResolverOptions;
  /** The authserv-id of the Authentication-Results header (default `mailtrust`). */
  authservId?: string;
  /** Receiving host name, for SPF's `%{r}` macro. */
  receiver?: string;
  limits?: Partial<Limits>;
}

/** Per-message options of a pooled evaluation. */
export interface PooledEvaluateOptions {
  /** The evaluation clock (default: now, read on the worker). */
  now?: Date;
  /**
   * Hand the message's bytes to the worker instead of copying them (the caller's array becomes unusable).
   * Only for a `Uint8Array` that owns its whole buffer.
   */
  transfer?: boolean;
}

/** Evaluations spread over worker threads. */
export interface EvaluationPool {
  readonly size: number;
  /** Evaluates one message on the least busy worker; resolves to what `evaluate()` would return. */
  evaluate(raw: Uint8Array | string, envelope: Envelope, options?: PooledEvaluateOptions): Promise<Evaluation>;
  /** Stops the workers; evaluations still pending reject. */
  close(): Promise<void>;
}

const WORKER_KIND = 'mailtrust-evaluation-worker';

interface WorkerSetup {
  kind: typeof WORKER_KIND;
  resolver?: WorkerResolverOptions;
  authservId?: string;
  receiver?: string;
  limits?: Partial<Limits>;
}

interface Job {
  id: number;
  raw: Uint8Array | string;
  envelope: Envelope;
  now?: Date;
}

/**
 * An evaluation travels as JSON text: its shape is the JSON of docs/cli.md (plain data only), and posting one string
 * costs about a quarter of posting the object graph (structured clone).
 */
type Reply = { id: number; ok: true; evaluation: string } | { id: number; ok: false; message: string };

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (e: Evaluation) => void; reject: (e: Error) => void }>;
  failed?: Error;
}

/** Starts `size` worker threads, each ready to evaluate messages. */
export function createEvaluationPool(options: EvaluationPoolOptions = {}): EvaluationPool {
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
  const setup: WorkerSetup = {
    kind: WORKER_KIND,
    ...(options.resolver ? { resolver: options.resolver } : {}),
    ...(options.authservId !== undefined ? { authservId: options.authservId } : {}),
    ...(options.receiver !== undefined ? { receiver: options.receiver } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  };
  let nextId = 0;
  let closed = false;
  const slots: Slot[] = [];
  for (let i = 0; i < size; i++) {
    const worker = new Worker(new URL(import.meta.url), { workerData: setup });
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    const failAll = (error: Error) => {
      slot.failed = error;
      for (const job of slot.pending.values()) job.reject(error);
      slot.pending.clear();
    };
    worker.on('message', (reply: Reply) => {
      const job = slot.pending.get(reply.id);
      if (!job) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) job.resolve(JSON.parse(reply.evaluation) as Evaluation);
      else job.reject(new Error(reply.message));
    });
    worker.on('error', (error) => failAll(error));
    worker.on('exit', (code) => failAll(new Error(`evaluation worker stopped (exit code ${code})`)));
    slots.push(slot);
  }

  return {
    size,
    evaluate(raw, envelope, evaluateOptions = {}) {
      if (closed) return Promise.reject(new Error('evaluation pool: closed'));
      let slot: Slot | undefined;
      for (const candidate of slots) {
        if (candidate.failed) continue;
        if (!slot || candidate.pending.size < slot.pending.size) slot = candidate;
      }
      if (!slot) return Promise.reject(new Error('evaluation pool: every worker has stopped'));
      const chosen = slot;
      const id = nextId++;
      const job: Job = { id, raw, envelope, ...(evaluateOptions.now ? { now: evaluateOptions.now } : {}) };
      return new Promise<Evaluation>((resolve, reject) => {
        if (chosen.pending.size === 0) chosen.worker.ref();
        chosen.pending.set(id, { resolve, reject });
        const transfer = evaluateOptions.transfer === true && typeof raw !== 'string' ? [raw.buffer] : [];
        try {
          chosen.worker.postMessage(job, transfer as ArrayBuffer[]);
        } catch (error) {
          // Some buffers cannot be handed over (Node.js marks its pooled Buffer memory untransferable, and newer
          // versions refuse it): send a copy instead, as without `transfer`.
          if (transfer.length === 0 || (error as Error).name !== 'DataCloneError') {
            chosen.pending.delete(id);
            reject(error as Error);
            return;
          }
          chosen.worker.postMessage(job);
        }
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

/** The worker side: one resolver for the thread's life, one `evaluate()` per message. */
function serve(setup: WorkerSetup): void {
  const port = parentPort;
  if (!port) return;
  const resolver = createResolver(setup.resolver ?? {});
  const options = (now: Date | undefined): EvaluateOptions => ({
    resolver,
    ...(setup.authservId !== undefined ? { authservId: setup.authservId } : {}),
    ...(setup.receiver !== undefined ? { receiver: setup.receiver } : {}),
    ...(setup.limits ? { limits: setup.limits } : {}),
    ...(now ? { now } : {}),
  });
  port.on('message', (job: Job) => {
    evaluate(job.raw, job.envelope, options(job.now)).then(
      (evaluation) =>
        port.postMessage({ id: job.id, ok: true, evaluation: JSON.stringify(evaluation) } satisfies Reply),
      (error: unknown) =>
        port.postMessage({ id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
    );
  });
}

if (!isMainThread && (workerData as Partial<WorkerSetup> | null)?.kind === WORKER_KIND) {
  serve(workerData as WorkerSetup);
}
