/**
 * One connection's pump without a socket: replies leave in order and before the end, bad input ends the
 * connection at once, and packets split anywhere across reads are handled as whole ones.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResolver } from '../../src/core/index.js';
import { decodeReply, encodeCommand, PacketReader, type MilterReply } from '../../src/milter/codec.js';
import { MilterConnection } from '../../src/milter/connection.js';
import type { SessionSettings } from '../../src/milter/session.js';
import { POSTFIX_OFFER } from './mta-client.js';

const settings: SessionSettings = {
  authservId: 'mx.test',
  actions: { untrusted: 'tag', low: 'tag', temperror: 'tag' },
  resolver: createResolver({ zone: [] }),
  evaluateOptions: {},
  timeBudgetMs: 1_000,
  progressIntervalMs: 1_000,
};

/** A connection over a recording transport. */
function recorded() {
  const replies: MilterReply[] = [];
  const reader = new PacketReader();
  const closes: string[] = [];
  const connection = new MilterConnection(settings, {
    writable: true,
    write: (bytes) => {
      const read = reader.push(bytes);
      assert.ok(read.ok);
      for (const packet of read.value) {
        const reply = decodeReply(packet);
        assert.ok(reply.ok);
        replies.push(reply.value);
      }
    },
    close: (how) => closes.push(how),
  });
  return { connection, replies, closes };
}

describe('MilterConnection', () => {
  test('OPTNEG and QUIT in one read: the OPTNEG reply leaves before the end', () => {
    const { connection, replies, closes } = recorded();
    connection.receive(
      Buffer.concat([encodeCommand({ kind: 'optneg', ...POSTFIX_OFFER }), encodeCommand({ kind: 'quit' })]),
    );
    assert.deepEqual(
      replies.map((r) => r.kind),
      ['optneg'],
    );
    assert.deepEqual(closes, ['end']);
  });

  test('a packet split byte by byte is handled once whole', async () => {
    const { connection, replies } = recorded();
    const packet = encodeCommand({ kind: 'optneg', ...POSTFIX_OFFER });
    for (const byte of packet) connection.receive(Buffer.of(byte));
    await new Promise((resolve) => process.nextTick(resolve));
    assert.deepEqual(
      replies.map((r) => r.kind),
      ['optneg'],
    );
  });

  test('garbage ends the connection at once, without a reply', async () => {
    const { connection, replies, closes } = recorded();
    connection.receive(Buffer.from([0, 0, 0, 1, 0x7a]));
    await new Promise((resolve) => process.nextTick(resolve));
    assert.deepEqual(replies, []);
    assert.deepEqual(closes, ['destroy']);
  });
});
