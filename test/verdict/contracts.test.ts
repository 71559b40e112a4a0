/**
 * The verdict's structural input accepts the real check results as they are (compile-time checks), so evaluate()
 * can pass its Evaluation fields without adapters.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArcResult } from '../../src/core/arc/index.js';
import type { DkimResult } from '../../src/core/dkim/result.js';
import type { DmarcResult } from '../../src/core/dmarc/index.js';
import type { Evaluation } from '../../src/core/evaluation/index.js';
import type { HeadersResult } from '../../src/core/headers/index.js';
import type { HeloResult } from '../../src/core/helo/index.js';
import type { IprevResult } from '../../src/core/iprev/index.js';
import type { SpfResult } from '../../src/core/spf/types.js';
import type { HeadersView, HeloView, IprevView, VerdictInput } from '../../src/core/verdict/index.js';
import type { ArcView, DkimView, DmarcView, SpfView } from '../../src/core/forwarding/index.js';

type Assignable<From, To> = [From] extends [To] ? true : false;
const checks: [
  Assignable<IprevResult, IprevView>,
  Assignable<HeloResult, HeloView>,
  Assignable<SpfResult, SpfView>,
  Assignable<Evaluation['spf'], SpfView>,
  Assignable<DkimResult, DkimView>,
  Assignable<DmarcResult, DmarcView>,
  Assignable<ArcResult, ArcView>,
  Assignable<HeadersResult, HeadersView>,
] = [true, true, true, true, true, true, true, true];

/** How evaluate() builds the verdict input from its results (the wiring the lead adds). */
function verdictInput(evaluation: Evaluation, senderMxHosts: string[] | undefined): VerdictInput {
  return {
    envelope: evaluation.envelope,
    fromDomain: evaluation.fromDomain,
    iprev: evaluation.iprev,
    helo: evaluation.helo,
    spf: evaluation.spf,
    dkim: evaluation.dkim,
    dmarc: evaluation.dmarc,
    arc: evaluation.arc,
    headers: evaluation.headers,
    senderMxHosts,
  };
}

test('the check results fit the verdict input without adapters', () => {
  assert.ok(checks.every(Boolean));
  assert.equal(typeof verdictInput, 'function');
});
