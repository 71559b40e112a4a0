/** The store suite on SQLite: a new database file per test, in a temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { storeSuite } from './suite.js';

const directory = mkdtempSync(join(tmpdir(), 'mailtrust-store-'));
after(() => rmSync(directory, { recursive: true, force: true }));
let counter = 0;

storeSuite({
  name: 'sqlite',
  freshUrl: () => Promise.resolve(`sqlite:${join(directory, `store-${++counter}.db`)}`),
});
