/** sealArc (RFC 8617 §5.1): the fields it writes, how it picks cv, and what it refuses. Verified over loopback DNS. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  consolidateAuthResults,
  parseArcSets,
  prependArcSet,
  sealArc,
  verifyArc,
  type ArcSealOptions,
} from '../../src/core/arc/index.js';
import { parseMessage } from '../../src/core/message/index.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { loopbackContext, txtZone } from './fixtures.js';
import { baseMessage, makeSealer, seal } from './hops.js';

const sealer = makeSealer('fwd.example');
const options = (extra: Partial<ArcSealOptions> = {}): ArcSealOptions => ({
  domain: sealer.domain,
  selector: sealer.selector,
  privateKey: sealer.privateKey,
  authservId: 'mx.fwd.example',
  authResults: 'spf=pass smtp.mailfrom=alice@origin.example',
  now: new Date('2026-01-01T00:00:00Z'),
  ...extra,
});

function refused(result: ReturnType<typeof sealArc>): string {
  assert.equal(result.ok, false, 'refused');
  return result.ok ? '' : result.error.code;
}

describe('sealArc', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startTestDnsServer({ records: zoneRecords(txtZone({ [sealer.keyName]: sealer.record })) });
  });
  after(async () => server.close());

  test('first hop: i=1, cv=none, fields in prepend order AS, AMS, AAR', () => {
    const sealed = sealArc(baseMessage, options());
    assert.ok(sealed.ok);
    assert.equal(sealed.value.instance, 1);
    assert.equal(sealed.value.cv, 'none');
    // Folded output: i= first (dkimpy looks the AMS up by " i=N;"), b= last.
    assert.ok(sealed.value.seal.startsWith('ARC-Seal: i=1; a=rsa-sha256; cv=none; d=fwd.example; s=arc;'));
    assert.match(sealed.value.seal, /t=1767225600;\r\n\tb=[A-Za-z0-9+/]/);
    assert.ok(sealed.value.messageSignature.startsWith('ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed;'));
    assert.equal(
      sealed.value.authenticationResults,
      'ARC-Authentication-Results: i=1; mx.fwd.example;\r\n\tspf=pass smtp.mailfrom=alice@origin.example\r\n',
      'folded before the result that would pass 78 characters',
    );
    assert.equal(
      sealed.value.header,
      sealed.value.seal + sealed.value.messageSignature + sealed.value.authenticationResults,
    );
  });

  test('folded output: every line at most 78 characters, and it parses back', () => {
    const many = baseMessage.replace(
      '\r\n\r\n',
      '\r\nReply-To: a@origin.example\r\nCc: b@origin.example\r\nList-Id: <l.example>\r\nList-Unsubscribe: <mailto:u@l.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n',
    );
    const sealed = sealArc(
      many,
      options({
        authResults:
          'spf=pass smtp.mailfrom=alice@origin.example; dkim=pass header.d=origin.example header.s=sel; dmarc=pass header.from=origin.example',
      }),
    );
    assert.ok(sealed.ok);
    for (const line of sealed.value.header.split('\r\n'))
      assert.ok(line.length <= 78, `"${line}" is ${line.length} long`);
    const parsed = parseMessage(prependArcSet(Buffer.from(many), sealed.value));
    assert.ok(parsed.ok);
    const sets = parseArcSets(parsed.value);
    assert.ok(sets.ok);
    assert.equal(sets.value.sets[0]?.messageSignature.signedHeaders.includes('list-unsubscribe'), true);
    assert.equal(sets.value.sets[0]?.authResults.results.length, 3);
  });

  test('default h=: the DKIM list as present plus DKIM-Signature, From over-signed; ARC-Seal never', () => {
    const withDkim = `DKIM-Signature: v=1; a=rsa-sha256; d=origin.example; s=s; h=from; bh=AAAA; b=AAAA\r\n${baseMessage}`;
    const sealed = sealArc(withDkim, options({ fold: false }));
    assert.ok(sealed.ok);
    assert.match(sealed.value.messageSignature, /h=from:from:subject:date:message-id:to:dkim-signature;/);
    assert.equal(refused(sealArc(baseMessage, options({ headers: ['from', 'arc-seal'] }))), 'arc.syntax');
    assert.equal(refused(sealArc(baseMessage, options({ headers: ['subject'] }))), 'arc.syntax');
  });

  test('cv from a verifyArc result, and the sealed chain validates', async () => {
    const first = seal(baseMessage, sealer);
    const status = await verifyArc(loopbackContext(server), first);
    assert.equal(status.result, 'pass');
    const sealed = sealArc(first, options({ chainValidation: status }));
    assert.ok(sealed.ok);
    assert.equal(sealed.value.instance, 2);
    assert.equal(sealed.value.cv, 'pass');
    const result = await verifyArc(loopbackContext(server), prependArcSet(first, sealed.value));
    assert.equal(result.result, 'pass', JSON.stringify(result.error));
  });

  test('an h= name that holds "b=" does not confuse the signature', async () => {
    for (const fold of [true, false]) {
      const result = await verifyArc(
        loopbackContext(server),
        seal(baseMessage, sealer, { headers: ['from', 'x:b=1', 'subject'].join(':').split(':'), fold }),
      );
      assert.equal(result.result, 'pass', JSON.stringify(result.error));
    }
  });

  test('cv from the arc= result in authResults', () => {
    const first = seal(baseMessage, sealer);
    const sealed = sealArc(first, options({ authResults: 'arc=pass; spf=pass smtp.mailfrom=alice@origin.example' }));
    assert.ok(sealed.ok);
    assert.equal(sealed.value.cv, 'pass');
  });

  test('refusals, each with its reason', () => {
    const first = seal(baseMessage, sealer);
    assert.equal(refused(sealArc(first, options())), 'arc.cv-unknown', 'an existing chain needs its status');
    assert.equal(refused(sealArc(first, options({ chainValidation: 'none' }))), 'arc.cv-invalid');
    assert.equal(refused(sealArc(baseMessage, options({ chainValidation: 'pass' }))), 'arc.cv-invalid');
    assert.equal(
      refused(sealArc(first, options({ chainValidation: { result: 'temperror', instances: 1, sets: [] } }))),
      'arc.temperror',
    );
    assert.equal(
      refused(sealArc(first, options({ chainValidation: 'fail', authResults: 'arc=pass' }))),
      'arc.cv-mismatch',
    );
    assert.equal(refused(sealArc(baseMessage, options({ authResults: 'arc=pass; arc=fail' }))), 'arc.syntax');
    assert.equal(
      refused(sealArc(baseMessage, options({ authResults: 'spf=pass\r\nBcc: victim@x.example' }))),
      'arc.syntax',
    );
    assert.equal(refused(sealArc(baseMessage, options({ authResults: 'not a result' }))), 'arc.syntax');
    assert.equal(refused(sealArc(baseMessage, options({ authservId: 'two words' }))), 'arc.syntax');
    assert.equal(refused(sealArc(baseMessage, options({ domain: 'not a domain' }))), 'arc.syntax');
    assert.equal(refused(sealArc(baseMessage, options({ privateKey: 'not a key' }))), 'arc.key-syntax');
    const ed = generateKeyPairSync('ed25519').privateKey;
    assert.equal(refused(sealArc(baseMessage, options({ privateKey: ed }))), 'arc.key-type');
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey;
    assert.equal(refused(sealArc(baseMessage, options({ privateKey: small }))), 'arc.key-too-short');
    assert.equal(refused(sealArc('Subject: x\r\n\r\nbody', options())), 'arc.syntax', 'no From to sign');
  });

  test('a chain that says cv=fail is not extended', () => {
    const failed = seal(seal(baseMessage, sealer), sealer, { chainValidation: 'fail' });
    assert.equal(refused(sealArc(failed, options({ chainValidation: 'fail' }))), 'arc.cv-fail');
  });

  test('folded caller payloads keep their folding (LF or CRLF)', () => {
    const sealed = sealArc(baseMessage, options({ authResults: 'spf=pass;\n  dkim=pass header.d=origin.example' }));
    assert.ok(sealed.ok);
    assert.equal(
      sealed.value.authenticationResults,
      'ARC-Authentication-Results: i=1; mx.fwd.example; spf=pass;\r\n  dkim=pass header.d=origin.example\r\n',
    );
  });

  test("consolidateAuthResults: this ADMD's fields only, results one per line", () => {
    const message =
      'Authentication-Results: mx.fwd.example; spf=pass smtp.mailfrom=a@x.example\r\n' +
      'Authentication-Results: other.example; dkim=fail\r\n' +
      'Authentication-Results: MX.FWD.EXAMPLE; dkim=pass (a; comment) header.d=x.example; dmarc=pass\r\n' +
      'Authentication-Results: mx.fwd.example; none\r\n' +
      baseMessage;
    assert.equal(
      consolidateAuthResults(message, 'mx.fwd.example'),
      'spf=pass smtp.mailfrom=a@x.example;\r\n  dkim=pass (a; comment) header.d=x.example;\r\n  dmarc=pass',
    );
    assert.equal(consolidateAuthResults(baseMessage, 'mx.fwd.example'), undefined);
  });

  test('UTF-8 in the payload survives prepending', async () => {
    const sealed = sealArc(baseMessage, options({ authResults: 'spf=pass smtp.mailfrom=jürgen@origin.example' }));
    assert.ok(sealed.ok);
    const message = prependArcSet(Buffer.from(baseMessage), sealed.value);
    assert.ok(Buffer.from(message).toString('utf8').includes('jürgen@origin.example'));
    const result = await verifyArc(loopbackContext(server), message);
    assert.equal(result.result, 'pass', JSON.stringify(result.error));
    assert.equal(result.sets[0]?.authResults.results[0]?.properties[0]?.value, 'jürgen@origin.example');
  });
});
