/**
 * The last step of the verdict (docs/trust-model.md): the areas' findings become reasons with their level (the
 * policy's, else the table's), wording and order, and the worst level decides `trusted | low | untrusted`. Pure.
 */
import { isFindingId, policyLevel, type FindingLevel, type Policy } from '../policy/index.js';
import type { AreaFindings } from './area-findings.js';
import { FINDINGS, FINDING_ORDER, type ReasonDetail, type ReasonFacts } from './catalogue.js';

/** One reason of the verdict (docs/cli.md `reasons`). */
export interface Reason {
  id: string;
  level: FindingLevel;
  message: string;
  remedy: string;
}

/** The verdict (docs/cli.md `verdict`, `retryable`, `reasons`). */
export interface Verdict {
  verdict: 'trusted' | 'low' | 'untrusted';
  /** True when a DNS temperror kept the verdict from `trusted`: a retry may decide otherwise. */
  retryable: boolean;
  /** untrusted first, then low, then info; within a level in the order of the finding table. */
  reasons: Reason[];
}

const LEVEL_RANK: Readonly<Record<FindingLevel, number>> = { untrusted: 0, low: 1, info: 2 };

/**
 * Turns the findings of every area (collected in order into `areas`) into the verdict: adds `dns.temperror` naming
 * every temporary failure, and words, levels and orders the reasons under `policy`. `retryable` when a temporary
 * failure kept the verdict from `trusted`.
 */
export function combineFindings(areas: AreaFindings, facts: ReasonFacts, policy: Policy): Verdict {
  const { found, temporary } = areas;
  const all: ReadonlyMap<string, ReasonDetail> =
    temporary.length > 0 && !found.has('dns.temperror')
      ? new Map([...found, ['dns.temperror', { names: temporary }]])
      : found;

  const reasons: Reason[] = [];
  let worst: FindingLevel = 'info';
  for (const [id, detail] of all) {
    const wording = isFindingId(id) ? FINDINGS[id] : undefined;
    const level = policyLevel(policy, id) ?? wording?.level ?? 'info';
    if (LEVEL_RANK[level] < LEVEL_RANK[worst]) worst = level;
    reasons.push({
      id,
      level,
      message: wording ? wording.message(facts, detail) : `The check reported ${id}.`,
      remedy: wording ? wording.remedy(facts, detail) : 'See docs/trust-model.md for what this finding means.',
    });
  }
  reasons.sort(
    (a, b) =>
      LEVEL_RANK[a.level] - LEVEL_RANK[b.level] ||
      (FINDING_ORDER.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (FINDING_ORDER.get(b.id) ?? Number.MAX_SAFE_INTEGER) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const verdict = worst === 'untrusted' ? 'untrusted' : worst === 'low' ? 'low' : 'trusted';
  return { verdict, retryable: temporary.length > 0 && verdict !== 'trusted', reasons };
}
