/**
 * A CNAME chain that loops or runs past 8 hops is a server failure (`servfail`, so checks say `temperror`), as
 * common recursive resolvers answer it — whether the loop comes in one reply from a server (NOERROR with the
 * CNAME records) or is found in a zone file. A reply that cannot be decoded is `servfail` too: the server
 * answered, unusably (docs/dns.md).
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import { createResolver } from '../../src/core/index.js';
import { zoneRecords } from '../support/dns-server.js';

/** A server that answers every question with the given CNAME records (NOERROR), the way an authority would. */
async function cnameServer(chain: [string, string][]): Promise<{ socket: Socket; address: string }> {
  const socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: query.questions,
      answers: chain.map(([name, target]) => ({ name, type: 'CNAME', ttl: 60, class: 'IN', data: target })),
    });
    socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { socket, address: `127.0.0.1:${socket.address().port}` };
}

describe('CNAME loops', () => {
  const sockets: Socket[] = [];
  let loop: string;
  let long: string;
  let short: string;
  before(async () => {
    const a = await cnameServer([
      ['a.example.com', 'b.example.com'],
      ['b.example.com', 'a.example.com'],
    ]);
    const hops = Array.from(
      { length: 12 },
      (_, i) => [`h${i}.example.com`, `h${i + 1}.example.com`] as [string, string],
    );
    const b = await cnameServer(hops);
    const c = await cnameServer(hops.slice(0, 3));
    sockets.push(a.socket, b.socket, c.socket);
    loop = a.address;
    long = b.address;
    short = c.address;
  });
  after(() => {
    for (const socket of sockets) socket.close();
  });

  const resolver = (address: string) =>
    createResolver({ servers: [address], timeoutMs: 5000, retries: 0, cache: false });

  test('a loop in a reply is servfail', async () => {
    assert.deepEqual(await resolver(loop).txt('a.example.com'), { ok: false, kind: 'servfail' });
  });

  test('a chain longer than 8 hops in a reply is servfail', async () => {
    assert.deepEqual(await resolver(long).a('h0.example.com'), { ok: false, kind: 'servfail' });
  });

  test('a short chain that ends without the type asked is still nodata', async () => {
    assert.deepEqual(await resolver(short).a('h0.example.com'), { ok: false, kind: 'nodata' });
  });

  test('a loop in a zone file is servfail', async () => {
    const zone = zoneRecords({
      'a.example.com': { CNAME: 'b.example.com' },
      'b.example.com': { CNAME: 'a.example.com' },
    });
    assert.deepEqual(await createResolver({ zone }).txt('a.example.com'), { ok: false, kind: 'servfail' });
  });
});
