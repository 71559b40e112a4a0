/** The loopback DNS server the suites run against: it must start even when its first port pair is not free. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { createResolver } from '../../src/core/dns/index.js';
import { startTestDnsServer, zoneRecords } from '../support/dns-server.js';

test('TCP port of the first UDP port taken: a new pair is bound and answers over UDP and TCP', async () => {
  // Hold a TCP port, then ask the server to start its UDP socket on that same port number.
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  assert.ok(address !== null && typeof address === 'object');
  const taken = address.port;
  try {
    const server = await startTestDnsServer({
      records: zoneRecords({ 'example.com': { TXT: ['hello'] } }),
      firstPort: taken,
    });
    try {
      assert.notEqual(server.port, taken);
      const resolver = createResolver({ servers: [server.address], timeoutMs: 500, retries: 0, cache: false });
      const answer = await resolver.txt('example.com');
      assert.ok(answer.ok);
      assert.deepEqual(answer.records, ['hello']);
    } finally {
      await server.close();
    }
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});
