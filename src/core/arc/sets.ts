/**
 * ARC sets (RFC 8617 §4.1, §4.2): the ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal fields of a
 * message grouped by instance, with the structure checks of §4.2.1 and §5.2 step 3.
 */
import { latin1Text, utf8Text, type HeaderField } from '../message/index.js';
import type { ParseError } from '../parse-result.js';
import { parseArcAuthResultsField, type ArcAuthResultsField } from './aar.js';
import { parseArcMessageSignature, parseArcSeal, type ArcMessageSignature, type ArcSeal } from './fields.js';

/** RFC 8617 §4.2.1: i= ranges from 1 to 50. */
export const maxArcInstances = 50;

/** One ARC set: the three fields of one instance, parsed, with their raw fields (for hashing). */
export interface ArcSet {
  instance: number;
  authResults: ArcAuthResultsField;
  authResultsField: HeaderField;
  messageSignature: ArcMessageSignature;
  messageSignatureField: HeaderField;
  seal: ArcSeal;
  sealField: HeaderField;
}

/** The ARC sets of a message, i=1 first. Empty when the message carries no ARC field. */
export interface ArcChain {
  sets: ArcSet[];
}

/** A parse failure of the chain; `instance` names the set when it is known. */
export interface ArcParseError extends ParseError {
  code: 'arc.syntax' | 'arc.structure' | 'arc.too-many-instances' | 'arc.algorithm';
  instance?: number;
}

export type ArcChainParseResult = { ok: true; value: ArcChain } | { ok: false; error: ArcParseError };

const arcFieldNames = new Set(['arc-seal', 'arc-message-signature', 'arc-authentication-results']);

/** True for the names of the three ARC header fields (lower case). */
export function isArcFieldName(name: string): boolean {
  return arcFieldNames.has(name);
}

interface Slot {
  aar?: { parsed: ArcAuthResultsField; field: HeaderField };
  ams?: { parsed: ArcMessageSignature; field: HeaderField };
  as?: { parsed: ArcSeal; field: HeaderField };
}

function fail(code: ArcParseError['code'], message: string, instance?: number): ArcChainParseResult {
  const error: ArcParseError = { code, message };
  if (instance !== undefined) error.instance = instance;
  return { ok: false, error };
}

function codeOf(error: ParseError): ArcParseError['code'] {
  return error.code === 'arc.algorithm' ? 'arc.algorithm' : 'arc.syntax';
}

/** Best-effort i= of a field that does not parse, to say where the trouble is. */
function guessInstance(value: string): number | undefined {
  const match = /(?:^|;)[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*([0-9]{1,6})/.exec(value.slice(0, 4096));
  return match ? Number(match[1]) : undefined;
}

/**
 * Groups the ARC fields of a header into sets (RFC 8617 §4.1, §4.2.1) and checks the structure: every field
 * parses, instances run 1..N without gaps, N ≤ 50, and each instance has exactly one field of each kind. Pure;
 * no signature is checked here. Work is bounded: more than 3 × 50 ARC fields fail before any is parsed.
 */
export function parseArcSets(message: { fields: readonly HeaderField[] }): ArcChainParseResult {
  const fields = message.fields.filter((f) => arcFieldNames.has(f.name));
  if (fields.length === 0) return { ok: true, value: { sets: [] } };
  if (fields.length > 3 * maxArcInstances)
    return fail(
      'arc.too-many-instances',
      `${fields.length} ARC header fields: more than ${maxArcInstances} ARC sets (RFC 8617 §4.2.1)`,
    );
  const slots = new Map<number, Slot>();
  /** The slot of an instance, or the failure that the instance or the kind already there causes. */
  const slotFor = (instance: number, kind: keyof Slot, label: string): Slot | ArcChainParseResult => {
    if (instance > maxArcInstances)
      return fail(
        'arc.too-many-instances',
        `${label} has i=${instance}; at most ${maxArcInstances} ARC sets are allowed (RFC 8617 §4.2.1)`,
        instance,
      );
    let slot = slots.get(instance);
    if (!slot) {
      slot = {};
      slots.set(instance, slot);
    }
    if (slot[kind]) return fail('arc.structure', `two ${label} fields with i=${instance}`, instance);
    return slot;
  };
  for (const field of fields) {
    const bytes = field.raw.subarray(field.valueOffset);
    switch (field.name) {
      case 'arc-authentication-results': {
        const value = utf8Text(bytes);
        const result = parseArcAuthResultsField(value);
        if (!result.ok) return fail('arc.syntax', result.error.message, guessInstance(value));
        const slot = slotFor(result.value.instance, 'aar', 'ARC-Authentication-Results');
        if ('ok' in slot) return slot;
        slot.aar = { parsed: result.value, field };
        break;
      }
      case 'arc-message-signature': {
        const value = latin1Text(bytes);
        const result = parseArcMessageSignature(value);
        if (!result.ok) return fail(codeOf(result.error), result.error.message, guessInstance(value));
        const slot = slotFor(result.value.instance, 'ams', 'ARC-Message-Signature');
        if ('ok' in slot) return slot;
        slot.ams = { parsed: result.value, field };
        break;
      }
      default: {
        const value = latin1Text(bytes);
        const result = parseArcSeal(value);
        if (!result.ok) return fail(codeOf(result.error), result.error.message, guessInstance(value));
        const slot = slotFor(result.value.instance, 'as', 'ARC-Seal');
        if ('ok' in slot) return slot;
        slot.as = { parsed: result.value, field };
        break;
      }
    }
  }
  const highest = Math.max(...slots.keys());
  const sets: ArcSet[] = [];
  for (let instance = 1; instance <= highest; instance++) {
    const slot = slots.get(instance);
    if (!slot) return fail('arc.structure', `ARC set i=${instance} is missing (sets must run 1..${highest})`, instance);
    const missing = [
      slot.aar ? '' : 'ARC-Authentication-Results',
      slot.ams ? '' : 'ARC-Message-Signature',
      slot.as ? '' : 'ARC-Seal',
    ].filter((name) => name !== '');
    if (!slot.aar || !slot.ams || !slot.as)
      return fail('arc.structure', `ARC set i=${instance} has no ${missing.join(' and no ')}`, instance);
    sets.push({
      instance,
      authResults: slot.aar.parsed,
      authResultsField: slot.aar.field,
      messageSignature: slot.ams.parsed,
      messageSignatureField: slot.ams.field,
      seal: slot.as.parsed,
      sealField: slot.as.field,
    });
  }
  return { ok: true, value: { sets } };
}
