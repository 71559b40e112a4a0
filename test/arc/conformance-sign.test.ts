/**
 * Conformance: the ValiMail ARC signing suite (test/conformance/arc/valimail/arc-draft-sign-tests.yml, 17 tests).
 *
 * The expected AS, AMS and AAR values are printed folded in the YAML (line breaks even inside b=), so they are
 * compared with all whitespace removed: every tag, its order, every value and every signature byte must still
 * match. The one-line output of `fold: false` is also checked against the suite's standardized format (tags in
 * alphabetical order, exactly one space after each ";", no trailing ";"). Each sealed message must then validate
 * with keys served over loopback DNS.
 */
import assert from 'node:assert/strict';
import { consolidateAuthResults, prependArcSet, sealArc, verifyArc } from '../../src/core/arc/index.js';
import { describeValimailSuite, loopbackContext } from './fixtures.js';

function squash(text: unknown): string {
  return String(text ?? '').replace(/\s+/g, '');
}

/** `Name: value\r\n` → value, checked to be the one-line standardized form. */
function standardValue(fieldText: string, name: string): string {
  assert.ok(fieldText.startsWith(`${name}: `), `${name} field name`);
  assert.ok(fieldText.endsWith('\r\n'));
  return fieldText.slice(name.length + 2, -2);
}

function assertStandardized(value: string, tags: string[]): void {
  const pieces = value.split('; ');
  assert.deepEqual(
    pieces.map((p) => p.slice(0, p.indexOf('='))),
    tags,
    'tags exactly, in alphabetical order',
  );
  for (const piece of pieces) assert.doesNotMatch(piece, /[\s;]/, `no whitespace or ";" inside "${piece}"`);
}

describeValimailSuite(
  'ValiMail ARC signing suite',
  'arc-draft-sign-tests.yml',
  17,
  async ({ server, scenario, spec, message }) => {
    const srvId = String(spec['srv-id']);
    const authResults = consolidateAuthResults(message, srvId);
    const sealed =
      authResults === undefined
        ? undefined
        : sealArc(message, {
            domain: String(scenario.domain),
            selector: String(scenario.sel),
            privateKey: String(scenario.privatekey),
            authservId: srvId,
            authResults,
            now: new Date(Number(spec['t']) * 1000),
            headers: String(spec['sig-headers']).split(':'),
            fold: false,
          });
    if (squash(spec['AS']) === '') {
      // The suite expects no new set (no_additional_sig: the chain already says cv=fail).
      assert.ok(sealed === undefined || !sealed.ok, 'no ARC set is added');
      if (sealed && !sealed.ok) assert.equal(sealed.error.code, 'arc.cv-fail');
      return;
    }
    assert.ok(sealed?.ok, sealed && !sealed.ok ? sealed.error.message : 'no Authentication-Results to seal');
    const fields = sealed.value;
    const aar = fields.authenticationResults.slice('ARC-Authentication-Results: '.length);
    assert.equal(squash(aar), squash(spec['AAR']), 'AAR');
    const ams = standardValue(fields.messageSignature, 'ARC-Message-Signature');
    assert.equal(squash(ams), squash(spec['AMS']), 'AMS');
    assertStandardized(ams, ['a', 'b', 'bh', 'c', 'd', 'h', 'i', 's', 't']);
    const as = standardValue(fields.seal, 'ARC-Seal');
    assert.equal(squash(as), squash(spec['AS']), 'AS');
    assertStandardized(as, ['a', 'b', 'cv', 'd', 'i', 's', 't']);

    // The sealed message validates (a cv=fail seal ends the chain: fail by RFC 8617 §5.2 step 2).
    const result = await verifyArc(loopbackContext(server), prependArcSet(message, fields));
    assert.equal(result.result, fields.cv === 'fail' ? 'fail' : 'pass', JSON.stringify(result.error));
    assert.equal(result.instances, fields.instance);
  },
);
