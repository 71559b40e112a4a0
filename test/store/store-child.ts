/**
 * A separate process that uses the store, for the tests that need more than one process or a SIGKILL:
 *
 *   node store-child.js write URL       saves messages, 8 at a time, printing `saved <id>` after each resolves
 *   node store-child.js open URL        opens the store (running the migrations if due), prints its log lines
 *                                       and `opened`
 *   node store-child.js claim URL NAME  2 claimers drain the outbox, printing `claimed <id>` per claimed row,
 *                                       then `done`
 */
import { pino } from 'pino';
import { newId, openStore } from '../../src/store/index.js';
import { evaluations, message } from './messages-fixture.js';

const [mode, url, name = 'child'] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: store-child.js write|open|claim URL [NAME]');

switch (mode) {
  case 'write': {
    const store = await openStore(url, { pool: 8 });
    const { pass } = await evaluations();
    process.stdout.write('ready\n');
    const writer = async (): Promise<never> => {
      for (;;) {
        const id = newId();
        await store.saveMessage(message(id, pass, { localPart: 't-crash' }));
        process.stdout.write(`saved ${id}\n`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    break;
  }
  case 'open': {
    const logger = pino({ base: { child: name } }, pino.destination({ dest: 1, sync: true }));
    const store = await openStore(url, { pool: 2, logger });
    process.stdout.write(`opened ${String(await store.ping())}\n`);
    await store.close();
    break;
  }
  case 'claim': {
    const store = await openStore(url, { pool: 4 });
    const claimer = async (worker: string): Promise<void> => {
      let idle = 0;
      while (idle < 3) {
        const rows = await store.claimDeliveries(worker, Date.now(), 600_000, 20);
        if (rows.length === 0) {
          idle++;
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        idle = 0;
        for (const row of rows) {
          process.stdout.write(`claimed ${row.id}\n`);
          const own = await store.recordAttempt(
            row.id,
            worker,
            { at: Date.now(), reply: '250 ok' },
            {
              status: 'delivered',
            },
          );
          if (!own) process.stdout.write(`lost ${row.id}\n`);
        }
      }
    };
    await Promise.all([claimer(`${name}-a`), claimer(`${name}-b`)]);
    process.stdout.write('done\n');
    await store.close();
    break;
  }
  default:
    throw new Error(`unknown mode ${String(mode)}`);
}
