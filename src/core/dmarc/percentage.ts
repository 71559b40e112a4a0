/**
 * The `pct` sampling of RFC 7489 §6.3 and §6.6.4, kept out of evaluation so that evaluation stays deterministic:
 * the caller brings the random number.
 */
import type { DmarcPolicy } from './record.js';

/**
 * The policy to act on for one failing message: `policy` when `roll` (a number in [0, 100), e.g.
 * `Math.random() * 100`) falls under `pct`, otherwise the next less strict one — `reject` → `quarantine`,
 * `quarantine` → `none` (RFC 7489 §6.3 `pct`).
 */
export function sampledPolicy(policy: DmarcPolicy, pct: number, roll: number): DmarcPolicy {
  if (roll < pct) return policy;
  switch (policy) {
    case 'reject':
      return 'quarantine';
    case 'quarantine':
    case 'none':
      return 'none';
    default: {
      const unreachable: never = policy;
      return unreachable;
    }
  }
}
