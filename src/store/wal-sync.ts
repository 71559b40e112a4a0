/**
 * Durable SQLite commits without blocking the event loop.
 *
 * With `synchronous = FULL`, SQLite fsyncs the write-ahead log inside every COMMIT, and better-sqlite3 runs the
 * COMMIT on the event loop: every SMTP session, HTTP request and milter reply of the process waits for the disk
 * (about a third of the service's main-thread time under load). Instead, the store's write connection commits
 * with `synchronous = OFF` — SQLite writes the log's frames to the file and returns — and `WalSync` then flushes
 * the log file with `fdatasync(2)` on libuv's thread pool. A write is reported committed (and the SMTP face answers
 * 250) only after a flush that began after its COMMIT has succeeded: the frames it needs are then on disk, as with
 * `synchronous = FULL` (SQLite's "Write-Ahead Logging" page, "Durability": in WAL mode FULL means exactly that the
 * log is synced at each commit). Checkpoints, which copy the log into the database file and must sync both, run on
 * a connection of their own that keeps `synchronous = FULL` (wal-checkpointer.ts).
 *
 * Flushes coalesce: while one is running, every write that commits joins the single flush that starts when it
 * ends, so under load one flush covers many commits, and the next group commit runs while the previous one's
 * flush is still in flight.
 */
import { open, type FileHandle } from 'node:fs/promises';

export class WalSync {
  readonly #file: FileHandle;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #closed = false;

  private constructor(file: FileHandle) {
    this.#file = file;
  }

  /** Opens the write-ahead log of the database at `path` (`PATH-wal`, which exists while the database is open). */
  static async open(path: string): Promise<WalSync> {
    return new WalSync(await open(`${path}-wal`, 'r+'));
  }

  /**
   * Resolves once everything written to the log before this call is on disk; rejects when the flush fails (then
   * those writes must not be acknowledged).
   */
  sync(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('store: the log file is closed'));
    if (this.#running === undefined) return this.#start();
    // A flush is running, but it may have begun before this caller's frames were written: wait for the next one.
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        return this.sync();
      });
    return this.#next;
  }

  #start(): Promise<void> {
    const running = this.#file.datasync().finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  /** Waits for the flushes in flight, then closes the file. */
  async close(): Promise<void> {
    const pending = [this.#running, this.#next].filter((p): p is Promise<void> => p !== undefined);
    await Promise.allSettled(pending);
    // A flush queued while the last one ran is itself in `#next`, which allSettled above already waited for.
    this.#closed = true;
    await this.#file.close();
  }
}
