/**
 * `mailtrust serve` in a child process for the crash tests: reads a config document (JSON) from the path in argv[2],
 * opens its store, starts the service, prints `READY <http address>` and stops on SIGTERM. A SIGKILL ends it with
 * nothing flushed or released, as a crash would.
 */
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../../src/server/config.js';
import { startService } from '../../../src/server/service.js';
import { openStore } from '../../../src/store/index.js';

const result = validateConfig(JSON.parse(readFileSync(process.argv[2] as string, 'utf8')));
if (!result.ok) {
  console.error(result.message);
  process.exit(64);
}
const store = await openStore(result.config.database);
const service = await startService(result.config, { store });
process.stdout.write(`READY ${service.face('http')?.address}\n`);
process.on('SIGTERM', () => {
  void service
    .close(2_000)
    .then(() => store.close())
    .then(() => process.exit(0));
});
