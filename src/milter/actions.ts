/**
 * What the milter does with an evaluated message, per the `[actions]` settings: a retryable evaluation (DNS
 * trouble kept it from `trusted`) takes the `temperror` action first, so a temporary failure never becomes a
 * permanent refusal; otherwise the verdict's own action.
 */
import type { Evaluation } from '../core/index.js';
import type { MessageAction } from '../store/types.js';

/** The `[actions]` section: what to do per outcome. */
export interface MilterActions {
  untrusted: 'reject' | 'quarantine' | 'tag';
  low: 'tag' | 'quarantine';
  temperror: 'tempfail' | 'tag';
}

export const defaultActions: MilterActions = { untrusted: 'reject', low: 'tag', temperror: 'tempfail' };

/** The action for one evaluation. `accept` is a trusted message: headers added, nothing else. */
export function chooseAction(
  evaluation: Pick<Evaluation, 'verdict' | 'retryable'>,
  actions: MilterActions,
): MessageAction {
  if (evaluation.retryable && actions.temperror === 'tempfail') return 'tempfail';
  switch (evaluation.verdict) {
    case 'trusted':
      return 'accept';
    case 'low':
      return actions.low;
    case 'untrusted':
      // A retryable evaluation is never refused for good: tagged instead (temperror = "tag").
      return evaluation.retryable && actions.untrusted === 'reject' ? 'tag' : actions.untrusted;
    default: {
      const unreachable: never = evaluation.verdict;
      throw new Error(`unknown verdict ${String(unreachable)}`);
    }
  }
}
