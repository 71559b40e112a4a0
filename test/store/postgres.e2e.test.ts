/**
 * The store suite on PostgreSQL: a new database per test on the server of `test/support/postgres.ts`. Without a
 * server it skips with the printed reason (and fails under CI=true).
 */
import { after, test } from 'node:test';
import { databasesFrom, postgresForTests } from '../support/postgres.js';
import { storeSuite } from './suite.js';

const probe = await postgresForTests();
if (!probe.ok) {
  test('store on postgres', { skip: probe.skip }, () => {});
} else {
  const databases = databasesFrom(probe.database);
  after(() => databases.dropAll());
  storeSuite({
    name: 'postgres',
    options: { pool: 4 },
    freshUrl: databases.freshUrl,
  });
}
