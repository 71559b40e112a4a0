/**
 * The real SQLite store of `mailtrust serve`, opened in a temporary directory, behind a wrapper that can make any
 * of its methods fail the way a database that is down fails: reject with `StoreUnavailableError` (what the store
 * itself rejects with when the database cannot take the call), answer late, or never answer. The suites of the faces
 * (SMTP, HTTP, milter, relay, retention) use it to test what a face does when the store is slow or unreachable,
 * with every other call going to the real database and its real semantics (transactions, claims, leases).
 *
 * Faults are rules: `inject({ method: 'saveMessage', effect: 'unavailable' })` fails every later call of that
 * method, `nth: 2` only the second call from now, `method: '*'` every method. For `ping`, which answers rather than
 * rejects, `unavailable` is the answer false (as the store's own `ping` answers when the database is down).
 * The inspection methods (`messages`, `recipients`, `submissions`) read the database past the faults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely, Selectable } from 'kysely';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { openDatabase, openStore } from '../../src/store/open.js';
import type { Database, RecipientsTable, SubmissionsTable } from '../../src/store/schema.js';
import type { Store, StoredMessage } from '../../src/store/types.js';

/** A method of the `Store` interface. */
export type StoreMethod = Exclude<keyof Store, 'dialect'>;

/** What an injected fault does to a call. */
export type FaultEffect =
  /** Rejects with `StoreUnavailableError` without reaching the database (`ping`: answers false). */
  | 'unavailable'
  /** Never settles (a database that accepted the connection and went silent). */
  | 'hang'
  /** Reaches the database after this delay (a slow commit, a lock held elsewhere). */
  | { delayMs: number };

export interface FaultRule {
  /** The method it applies to; `*` for every method but `close`. */
  method: StoreMethod | '*';
  effect: FaultEffect;
  /** Only the Nth call of the method from now on (1-based); every call when absent. */
  nth?: number;
}

export interface FaultyStore extends Store {
  /** Adds a fault; the function it returns removes it again. */
  inject(rule: FaultRule): () => void;
  /** Removes every fault. */
  heal(): void;
  /** Calls made to `method` through the wrapper so far, faulted or not. */
  calls(method: StoreMethod): number;
  /** Every stored message, oldest first (ids sort by time), read past the faults. */
  messages(): Promise<StoredMessage[]>;
  /** The outbox's recipient rows as stored (status, lease owner and lease end). */
  recipients(): Promise<Selectable<RecipientsTable>[]>;
  /** The outbox's submissions as stored, with the exact bytes every attempt sends. */
  submissions(): Promise<Selectable<SubmissionsTable>[]>;
}

interface ActiveRule extends FaultRule {
  /** Calls of the method counted when the rule was added (for `nth`). */
  base: number;
}

/**
 * Opens a fresh SQLite store in its own temporary directory. `close()` closes it and deletes the directory.
 */
export async function openFaultyStore(): Promise<FaultyStore> {
  const directory = mkdtempSync(join(tmpdir(), 'mailtrust-store-'));
  const path = join(directory, 'db.sqlite');
  const real = await openStore(`sqlite:${path}`);
  // A second connection for the inspection methods: WAL lets it read while the store writes.
  const reader: Kysely<Database> = openDatabase({ dialect: 'sqlite', path });
  const counts = new Map<StoreMethod, number>();
  let rules: ActiveRule[] = [];
  const count = (method: StoreMethod): number => counts.get(method) ?? 0;

  /** The effect that applies to this call (the `call`-th of `method`), if any; the rule added last wins. */
  const effectFor = (method: StoreMethod, call: number): FaultEffect | undefined =>
    rules.findLast(
      (rule) =>
        (rule.method === '*' || rule.method === method) && (rule.nth === undefined || call === rule.base + rule.nth),
    )?.effect;

  const wrap =
    (method: StoreMethod) =>
    async (...args: unknown[]): Promise<unknown> => {
      const call = count(method) + 1;
      counts.set(method, call);
      const effect = method === 'close' ? undefined : effectFor(method, call);
      if (effect === 'hang') return new Promise<never>(() => undefined);
      if (effect === 'unavailable') {
        if (method === 'ping') return false;
        throw new StoreUnavailableError(`${method}: the database is unavailable (injected fault)`);
      }
      if (effect !== undefined) await new Promise((resolve) => setTimeout(resolve, effect.delayMs));
      return (real[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    };

  const controls = {
    inject(rule: FaultRule): () => void {
      if (rule.method === '*' && rule.nth !== undefined) throw new TypeError('nth needs one method, not *');
      const active: ActiveRule = { ...rule, base: rule.method === '*' ? 0 : count(rule.method) };
      rules.push(active);
      return () => {
        rules = rules.filter((r) => r !== active);
      };
    },
    heal(): void {
      rules = [];
    },
    calls: count,
    async messages(): Promise<StoredMessage[]> {
      const rows = await reader.selectFrom('messages').select('id').orderBy('id', 'asc').execute();
      const stored = await Promise.all(rows.map((row) => real.getMessage(row.id)));
      return stored.filter((m): m is StoredMessage => m !== undefined);
    },
    recipients: () => reader.selectFrom('recipients').selectAll().orderBy('id', 'asc').execute(),
    submissions: () => reader.selectFrom('submissions').selectAll().orderBy('id', 'asc').execute(),
    async close(): Promise<void> {
      counts.set('close', count('close') + 1);
      await reader.destroy();
      await real.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };

  return new Proxy(real as FaultyStore, {
    get(target, property, receiver) {
      if (Object.hasOwn(controls, property)) return controls[property as keyof typeof controls];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? wrap(property as StoreMethod) : value;
    },
  });
}
