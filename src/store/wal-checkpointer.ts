/**
 * Checkpoints of the SQLite write-ahead log on a worker thread.
 *
 * A checkpoint copies the log's pages into the database file; SQLite runs one after a COMMIT that leaves the log
 * over 1,000 pages, on the committing connection — for the store that is the event loop, with two fsyncs (log,
 * then database file) per checkpoint. The store's write connection turns that off (`wal_autocheckpoint = 0`, and
 * it commits with `synchronous = OFF`, see wal-sync.ts); this worker keeps a connection of its own with
 * `synchronous = FULL`, so every checkpoint syncs the log before copying and the database file before the log can
 * be reused (SQLite's "Write-Ahead Logging" page, "Checkpointing").
 *
 * After each group commit the store pokes the worker (`committed()`); the worker checkpoints `CHECKPOINT_DELAY_MS`
 * later in PASSIVE mode, which never blocks the writer. Under steady load a passive checkpoint rarely catches up
 * with the log's end at the moment the writer begins, and only then does SQLite start the log over; so when the
 * log holds more than `RESTART_BYTES`, the worker checkpoints in RESTART mode, which waits for the writer to be
 * between transactions, copies the rest, and makes the next write start the log from its beginning. The log file
 * thus stays near `RESTART_BYTES` however long the load lasts.
 */
import Database from 'better-sqlite3';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const WORKER_KIND = 'mailtrust-wal-checkpointer';
/** How long after a commit the checkpoint runs, so that one checkpoint covers the commits of a busy moment. */
const CHECKPOINT_DELAY_MS = 20;
/** A log holding more than this is checkpointed in RESTART mode (the default auto-checkpoint is at ~4 MB). */
export const RESTART_BYTES = 16 * 1024 * 1024;
/** RESTART waits at most this long for the writer (whose transactions last milliseconds). */
const BUSY_TIMEOUT_MS = 5_000;

interface Setup {
  kind: typeof WORKER_KIND;
  path: string;
  restartBytes: number;
}

type ToWorker = 'commit' | 'stop';
type FromWorker = { kind: 'error'; message: string };

export interface CheckpointerOptions {
  /** The log size that triggers a RESTART checkpoint (default `RESTART_BYTES`). */
  restartBytes?: number;
  /** Called with a checkpoint's error (the store logs it); checkpoints go on. */
  onError?: (message: string) => void;
}

export class WalCheckpointer {
  readonly #worker: Worker;
  #stopped: Promise<void> | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /** Starts the worker for the database at `path` (which must be in WAL mode). */
  static start(path: string, options: CheckpointerOptions = {}): WalCheckpointer {
    const setup: Setup = { kind: WORKER_KIND, path, restartBytes: options.restartBytes ?? RESTART_BYTES };
    const worker = new Worker(new URL(import.meta.url), { workerData: setup });
    worker.unref();
    worker.on('message', (message: FromWorker) => {
      options.onError?.(message.message);
    });
    worker.on('error', (error) => options.onError?.(error.message));
    return new WalCheckpointer(worker);
  }

  /** A group commit ended: a checkpoint follows shortly. */
  committed(): void {
    this.#worker.postMessage('commit' satisfies ToWorker);
  }

  /** Stops the worker (a checkpoint in progress finishes first). */
  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      this.#worker.once('exit', () => resolve());
      // Held until it has stopped (it is unreferenced while it runs, so it never keeps the process up alone).
      this.#worker.ref();
      this.#worker.postMessage('stop' satisfies ToWorker);
    });
    return this.#stopped;
  }
}

/** The worker's side: one connection, one pending checkpoint at a time. */
function runCheckpointer(setup: Setup): void {
  const port = parentPort!;
  const report = (message: FromWorker) => port.postMessage(message);
  let database: Database.Database;
  try {
    database = new Database(setup.path, { fileMustExist: true });
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('synchronous = FULL');
  } catch (error) {
    report({ kind: 'error', message: `cannot open the database for checkpoints: ${(error as Error).message}` });
    port.close();
    return;
  }
  const pageSize = database.pragma('page_size', { simple: true }) as number;
  let timer: NodeJS.Timeout | undefined;

  const checkpoint = () => {
    timer = undefined;
    try {
      const [passive] = database.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number }[];
      if (passive && passive.log * pageSize > setup.restartBytes) database.pragma('wal_checkpoint(RESTART)');
    } catch (error) {
      report({ kind: 'error', message: `checkpoint failed: ${(error as Error).message}` });
    }
  };

  port.on('message', (message: ToWorker) => {
    if (message === 'commit') {
      timer ??= setTimeout(checkpoint, CHECKPOINT_DELAY_MS);
      return;
    }
    clearTimeout(timer);
    database.close();
    port.close();
  });
}

if (!isMainThread && (workerData as Partial<Setup> | undefined)?.kind === WORKER_KIND) {
  runCheckpointer(workerData as Setup);
}
