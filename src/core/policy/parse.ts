/**
 * The policy file (docs/trust-model.md, `--policy FILE`): a JSON object with the keys `trustedForwarders`, `relayDomains`
 * and `levels`, all optional. Anything else — an unknown key, a value of the wrong type, a name that is not a
 * domain, a public suffix, an unknown finding id, an unknown level — is an error naming the key, never ignored.
 */
import { organizationalDomain, toAsciiDomain } from '../domain/index.js';
import type { ParseResult } from '../parse-result.js';
import { isFindingId, type FindingId } from './finding-ids.js';
import type { FindingLevel, Policy } from './policy.js';

/** Error codes of {@link parsePolicy}. */
export type PolicyErrorCode = 'policy.syntax' | 'policy.unknown-key' | 'policy.bad-value' | 'policy.unknown-finding';

const KEYS = ['trustedForwarders', 'relayDomains', 'levels'] as const;
const LEVELS: readonly FindingLevel[] = ['untrusted', 'low', 'info'];
/** Entries per domain list; far more than any operator needs, so a hostile file cannot grow work unboundedly. */
const MAX_LIST_ENTRIES = 10_000;

type Failure = { ok: false; error: { code: PolicyErrorCode; message: string } };

function failure(code: PolicyErrorCode, message: string): Failure {
  return { ok: false, error: { code, message } };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseDomainList(key: string, value: unknown): ParseResult<string[]> | Failure {
  if (!Array.isArray(value))
    return failure('policy.bad-value', `policy: "${key}" must be an array of domain names, not ${describe(value)}`);
  if (value.length > MAX_LIST_ENTRIES)
    return failure('policy.bad-value', `policy: "${key}" has ${value.length} entries, more than ${MAX_LIST_ENTRIES}`);
  const domains: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    const path = `${key}[${i}]`;
    if (typeof entry !== 'string')
      return failure('policy.bad-value', `policy: "${path}" must be a domain name, not ${describe(entry)}`);
    const domain = toAsciiDomain(entry.trim());
    if (domain === undefined)
      return failure('policy.bad-value', `policy: "${path}" is ${describe(entry)}, which is not a domain name`);
    if (organizationalDomain(domain) === undefined)
      return failure(
        'policy.bad-value',
        `policy: "${path}" is ${describe(entry)}, a public suffix; name a domain one organization controls`,
      );
    if (!domains.includes(domain)) domains.push(domain);
  }
  return { ok: true, value: domains };
}

function parseLevels(value: unknown): ParseResult<Partial<Record<FindingId, FindingLevel>>> | Failure {
  if (!isPlainObject(value))
    return failure(
      'policy.bad-value',
      `policy: "levels" must be an object of finding id to level, not ${describe(value)}`,
    );
  const levels: Partial<Record<FindingId, FindingLevel>> = {};
  for (const [id, level] of Object.entries(value)) {
    if (!isFindingId(id))
      return failure(
        'policy.unknown-finding',
        `policy: "levels.${id}" names no finding id (ids are written area.name, e.g. helo.not-mx; see docs/trust-model.md)`,
      );
    if (typeof level !== 'string' || !(LEVELS as readonly string[]).includes(level))
      return failure(
        'policy.bad-value',
        `policy: "levels.${id}" is ${describe(level)}; use one of ${LEVELS.map((l) => `"${l}"`).join(', ')}`,
      );
    levels[id] = level as FindingLevel;
  }
  return { ok: true, value: levels };
}

/**
 * Parses a policy file's text (JSON, docs/trust-model.md). Domains come back lower case, as A-labels, without a trailing
 * dot, each once. Pure; never throws.
 */
export function parsePolicy(text: string): ParseResult<Policy> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return failure('policy.syntax', `policy: not valid JSON (${detail})`);
  }
  if (!isPlainObject(document))
    return failure('policy.syntax', `policy: the file must hold a JSON object, not ${describe(document)}`);
  for (const key of Object.keys(document)) {
    if (!(KEYS as readonly string[]).includes(key))
      return failure(
        'policy.unknown-key',
        `policy: unknown key "${key}" (the keys are ${KEYS.map((k) => `"${k}"`).join(', ')})`,
      );
  }
  let trustedForwarders: string[] = [];
  let relayDomains: string[] = [];
  let levels: Partial<Record<FindingId, FindingLevel>> = {};
  if (document.trustedForwarders !== undefined) {
    const parsed = parseDomainList('trustedForwarders', document.trustedForwarders);
    if (!parsed.ok) return parsed;
    trustedForwarders = parsed.value;
  }
  if (document.relayDomains !== undefined) {
    const parsed = parseDomainList('relayDomains', document.relayDomains);
    if (!parsed.ok) return parsed;
    relayDomains = parsed.value;
  }
  if (document.levels !== undefined) {
    const parsed = parseLevels(document.levels);
    if (!parsed.ok) return parsed;
    levels = parsed.value;
  }
  return { ok: true, value: { trustedForwarders, relayDomains, levels } };
}
