/**
 * The store suite on PostgreSQL: a new database per test on the server of `test/support/postgres.ts`. Without a
 * server it skips with the printed reason (and fails under CI=true).
 */
import { after, test } from 'node:test';
import { postgresForTests, type TestDatabase } from '../support/postgres.js';
import { storeSuite } from './suite.js';

const probe = await postgresForTests();
if (!probe.ok) {
  test('store on postgres', { skip: probe.skip }, () => {});
} else {
  const databases: TestDatabase[] = [probe.database];
  after(async () => {
    for (const database of databases) await database.drop();
  });
  let first = true;
  storeSuite({
    name: 'postgres',
    options: { pool: 4 },
    async freshUrl() {
      if (first) {
        first = false;
        return probe.database.url;
      }
      const made = await postgresForTests();
      if (!made.ok) throw new Error(made.skip);
      databases.push(made.database);
      return made.database.url;
    },
  });
}
