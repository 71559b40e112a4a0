/**
 * The milter in a process of its own, for the test that kills it with SIGKILL while Postfix is sending.
 * Usage: node milter-process.js HOST PORT DNS_SERVER NOW_ISO. Prints `ready PORT` once listening.
 */
import { createResolver } from '../../src/core/index.js';
import { startMilter } from '../../src/milter/index.js';

const [host = '127.0.0.1', port = '0', dns = '127.0.0.1:53', now = new Date().toISOString()] = process.argv.slice(2);
const milter = await startMilter({
  milter: { listen: { host, port: Number(port) } },
  hostname: 'mx.test',
  evaluate: { resolver: createResolver({ servers: [dns], timeoutMs: 10_000, retries: 0, cache: false }) },
  clock: () => new Date(now),
});
process.stdout.write(`ready ${milter.address.port}\n`);
process.on('SIGTERM', () => void milter.close(1000).then(() => process.exit(0)));
