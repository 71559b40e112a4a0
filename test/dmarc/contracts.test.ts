/**
 * The structural inputs of DMARC and Authentication-Results accept the real SPF, DKIM and DMARC result types as
 * they are (compile-time checks, plus one runtime check that the wiring works on concrete values).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  ArcAuthResInput,
  DkimAuthResInput,
  DmarcAuthResInput,
  SpfAuthResInput,
} from '../../src/core/authres/index.js';
import { authResEntries } from '../../src/core/authres/index.js';
import type { DkimResult } from '../../src/core/dkim/result.js';
import type { DmarcDkimInput, DmarcResult, DmarcSpfInput } from '../../src/core/dmarc/index.js';
import type { SpfResult } from '../../src/core/spf/types.js';

type Assignable<From, To> = [From] extends [To] ? true : false;
const checks: [
  Assignable<SpfResult, DmarcSpfInput>,
  Assignable<DkimResult, DmarcDkimInput>,
  Assignable<SpfResult, SpfAuthResInput>,
  Assignable<DkimResult, DkimAuthResInput>,
  Assignable<DmarcResult, DmarcAuthResInput>,
  Assignable<{ result: 'pass'; instances: number }, ArcAuthResInput>,
] = [true, true, true, true, true, true];

test('SPF, DKIM and DMARC results feed DMARC and Authentication-Results without adapters', () => {
  assert.ok(checks.every(Boolean));
  const spf: SpfResult = {
    result: 'pass',
    domain: 'example.com',
    identity: 'mailfrom',
    lookups: 1,
    voidLookups: 0,
    trace: [],
  };
  const dkim: DkimResult = {
    result: 'pass',
    domain: 'example.com',
    selector: 's1',
    algorithm: 'rsa-sha256',
    headerB: 'AbCdEfGhIj',
  };
  const entries = authResEntries({ spf, dkim: [dkim] });
  assert.deepEqual(
    entries.map(
      (e) => `${e.method}=${e.result} ${e.properties.map((p) => `${p.ptype}.${p.property}=${p.value}`).join(' ')}`,
    ),
    [
      'spf=pass smtp.mailfrom=example.com',
      'dkim=pass header.d=example.com header.s=s1 header.a=rsa-sha256 header.b=AbCdEfGh',
    ],
  );
});
