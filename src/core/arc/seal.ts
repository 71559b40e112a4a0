/**
 * ARC sealing, RFC 8617 §5.1: the ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal a forwarder adds
 * (rsa-sha256, relaxed/relaxed), with cv= from the chain as received.
 */
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import {
  defaultOverSignedHeaders,
  defaultSignedHeaders,
  hashBody,
  normalizeDomain,
  parseTagList,
  readPrivateKey,
  selectSignedFields,
  signedData,
} from '../dkim/index.js';
import { fieldValue, readMessage, type HeaderField, type ParsedMessage } from '../message/index.js';
import type { ParseResult } from '../parse-result.js';
import { parseAuthenticationResults } from '../authres/index.js';
import { maxAarLength } from './aar.js';
import type { ArcResult, ChainValidationStatus } from './result.js';
import { maxArcInstances, parseArcSets } from './sets.js';

/** Options for `sealArc`. */
export interface ArcSealOptions {
  /** d= of the AMS and AS: the sealing domain. */
  domain: string;
  /** s= */
  selector: string;
  /** RSA private key (PKCS#8 or PKCS#1 PEM, or a KeyObject), at least 1024 bits (RFC 8301 §3.2). */
  privateKey: KeyObject | string;
  /** The authserv-id of this ADMD (RFC 8601 §2.5), first in the AAR. */
  authservId: string;
  /**
   * The AAR payload after the authserv-id: the results this hop recorded (RFC 8601 `resinfo` list, e.g.
   * `spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example; arc=pass`), or `none`. Line breaks are allowed
   * only as folding (CRLF or LF followed by a space or tab). `consolidateAuthResults` builds it from the message's
   * own Authentication-Results fields.
   */
  authResults: string;
  /** Sealing time (t=). */
  now: Date;
  /** AMS h=, in order (must include From). Default: the DKIM default list as present, From over-signed. */
  headers?: readonly string[];
  /**
   * The chain as received: a `verifyArc` result or its cv. Without it, cv comes from the `arc=` result in
   * `authResults`, else `none` when the message has no ARC set. `temperror` cannot be sealed (retry later).
   */
  chainValidation?: ArcResult | ChainValidationStatus;
  /**
   * Fold the fields to lines of at most 78 characters (default true). `false` writes the one-line standardized
   * form of the ValiMail suite (tags sorted, one space after each `;`); both verify the same.
   */
  fold?: boolean;
}

/** The ARC set to put on top of the message. */
export interface ArcSealFields {
  /** i= of the new set. */
  instance: number;
  /** cv= the new seal records. */
  cv: ChainValidationStatus;
  /** `ARC-Seal: …` ending in CRLF. */
  seal: string;
  /** `ARC-Message-Signature: …` ending in CRLF. */
  messageSignature: string;
  /** `ARC-Authentication-Results: …` ending in CRLF. */
  authenticationResults: string;
  /** The three fields in the order to prepend (AS, AMS, AAR), ready for `prependHeader`. */
  header: string;
}

const MAX_LINE = 78;

function err(code: string, message: string): ParseResult<never> {
  return { ok: false, error: { code, message } };
}

/** A header field built here, as the message parser would hold it (UTF-8, RFC 6532, for the AAR's payload). */
function field(name: string, value: string): HeaderField {
  const raw = Buffer.from(`${name}:${value}`, 'utf8');
  return { name: name.toLowerCase(), raw, start: 0, valueOffset: name.length + 1 };
}

/** Joins `tag=value` pieces with `; `, folding before a piece when the line would pass 78 characters. */
function layout(name: string, pieces: readonly string[], fold: boolean): string {
  if (!fold) return ` ${pieces.join('; ')}`;
  let out = '';
  let line = name.length + 1;
  pieces.forEach((piece, index) => {
    const text = index < pieces.length - 1 ? `${piece};` : piece;
    if (index > 0 && line + 1 + text.length > MAX_LINE) {
      out += `\r\n\t${text}`;
      line = 1 + text.length;
    } else {
      out += ` ${text}`;
      line += 1 + text.length;
    }
  });
  return out;
}

/** Splits a long value at `at` characters into folded lines (inside b= and h=, where FWS is allowed). */
function foldValue(value: string, fold: boolean, breakAfter?: string): string {
  if (!fold || value.length <= MAX_LINE - 8) return value;
  const room = MAX_LINE - 8;
  if (breakAfter === undefined) {
    const lines: string[] = [];
    for (let i = 0; i < value.length; i += room) lines.push(value.slice(i, i + room));
    return lines.join('\r\n\t');
  }
  let out = '';
  let line = 0;
  for (const part of value.split(breakAfter)) {
    const text = out === '' ? part : `${breakAfter}${part}`;
    if (line > 0 && line + text.length > room) {
      out += `${breakAfter}\r\n\t${part}`;
      line = 1 + part.length;
    } else {
      out += text;
      line += text.length;
    }
  }
  return out;
}

/** Normalizes folding in a caller's AAR payload to CRLF; undefined when it holds a line break that is not folding. */
function normalizeFolding(text: string): string | undefined {
  if (/\r(?!\n)|(?:\r?\n)(?![ \t])/.test(text.replace(/(?:\r?\n)+$/, ''))) return undefined;
  return text.replace(/(?:\r?\n)+$/, '').replace(/\r?\n/g, '\r\n');
}

/** The cv the new seal records, or why it cannot be told. */
function chainStatus(
  options: ArcSealOptions,
  existing: number,
  recorded: ChainValidationStatus | undefined,
): ParseResult<ChainValidationStatus> {
  let cv: ChainValidationStatus | undefined;
  const given = options.chainValidation;
  if (given !== undefined) {
    const value = typeof given === 'string' ? given : given.result;
    switch (value) {
      case 'pass':
      case 'fail':
      case 'none':
        cv = value;
        break;
      case 'temperror':
        return err('arc.temperror', 'the chain could not be validated for now (temperror): seal after a retry');
      default: {
        const never: never = value;
        return err('arc.syntax', `unknown chain status ${String(never)}`);
      }
    }
    if (recorded !== undefined && recorded !== cv)
      return err('arc.cv-mismatch', `authResults records arc=${recorded} but the chain status given is ${cv}`);
  } else cv = recorded;
  if (cv === undefined) {
    if (existing > 0)
      return err(
        'arc.cv-unknown',
        `the message has ${existing} ARC set(s): pass chainValidation (a verifyArc result) or an arc= result`,
      );
    cv = 'none';
  }
  if (existing === 0 && cv !== 'none')
    return err('arc.cv-invalid', `the message has no ARC set, so the first seal says cv=none, not cv=${cv}`);
  if (existing > 0 && cv === 'none')
    return err('arc.cv-invalid', `the message has ${existing} ARC set(s), so cv=none is not possible (pass or fail)`);
  return { ok: true, value: cv };
}

/**
 * Seals a message (RFC 8617 §5.1): builds ARC set i=N+1 — the AAR from `authResults`, an AMS over the body and
 * the `headers`, and an AS over every ARC set (all of them when cv is pass, only the new one when cv is fail, as
 * dkimpy and the ValiMail suite do). Refuses, with a reason, when the chain already says cv=fail (nothing may
 * extend it), when it has 50 sets, when the existing chain cannot be parsed, or when cv cannot be told.
 */
export function sealArc(
  message: ParsedMessage | Uint8Array | string,
  options: ArcSealOptions,
): ParseResult<ArcSealFields> {
  const result = readMessage(message);
  if (!result.ok) return result;
  const parsed = result.value;
  const fold = options.fold ?? true;
  const domain = normalizeDomain(options.domain);
  if (!domain) return err('arc.syntax', `"${options.domain}" is not a domain name`);
  const selector = normalizeDomain(options.selector);
  if (!selector) return err('arc.syntax', `"${options.selector}" is not a valid selector`);
  if (!/^[\x21-\x3a\x3c-\x7e]+$/.test(options.authservId))
    return err('arc.syntax', `"${options.authservId}" is not an authserv-id (a token without spaces or ";")`);

  const read = readPrivateKey(options.privateKey);
  if (!read.ok) return err('arc.key-syntax', read.message);
  const key = read.key;
  if (key.asymmetricKeyType !== 'rsa')
    return err(
      'arc.key-type',
      `ARC seals with rsa-sha256 (RFC 8617); a ${key.asymmetricKeyType ?? 'unknown'} key cannot`,
    );
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024)
    return err('arc.key-too-short', 'RSA keys must have at least 1024 bits (RFC 8301 §3.2)');

  const chain = parseArcSets(parsed);
  if (!chain.ok) return err(chain.error.code, `the existing ARC chain cannot be extended: ${chain.error.message}`);
  const sets = chain.value.sets;
  const newest = sets[sets.length - 1];
  if (newest?.seal.cv === 'fail')
    return err(
      'arc.cv-fail',
      `ARC-Seal i=${newest.instance} says cv=fail: a failed chain is not extended (RFC 8617 §5.1)`,
    );
  const instance = sets.length + 1;
  if (instance > maxArcInstances)
    return err(
      'arc.too-many-instances',
      `the message already has ${sets.length} ARC sets, the most RFC 8617 §4.2.1 allows`,
    );

  const payloadText = normalizeFolding(options.authResults);
  if (payloadText === undefined)
    return err('arc.syntax', 'authResults holds a line break that is not folding (CRLF followed by a space or tab)');
  if (payloadText.length > maxAarLength) return err('arc.syntax', `authResults is over ${maxAarLength} characters`);
  const payload = parseAuthenticationResults(
    `${options.authservId}; ${payloadText.trim() === '' ? 'none' : payloadText}`,
  );
  if (!payload.ok) return err('arc.syntax', `authResults: ${payload.error.message}`);
  const arcResults = payload.value.results.filter((r) => r.method === 'arc');
  if (arcResults.length > 1) return err('arc.syntax', 'authResults holds more than one arc= result');
  const recordedText = arcResults[0]?.result;
  let recorded: ChainValidationStatus | undefined;
  if (recordedText !== undefined) {
    if (recordedText !== 'pass' && recordedText !== 'fail' && recordedText !== 'none')
      return err('arc.syntax', `authResults records arc=${recordedText}; a seal needs pass, fail or none`);
    recorded = recordedText;
  }
  const status = chainStatus(options, sets.length, recorded);
  if (!status.ok) return status;
  const cv = status.value;

  // AMS h=
  const present = new Map<string, number>();
  for (const f of parsed.fields) present.set(f.name, (present.get(f.name) ?? 0) + 1);
  let headers: string[];
  if (options.headers) {
    headers = options.headers.map((h) => h.trim().toLowerCase());
    if (headers.some((h) => !/^[\x21-\x39\x3b-\x7e]+$/.test(h)))
      return err('arc.syntax', 'invalid header name in headers');
    if (!headers.includes('from')) return err('arc.syntax', 'the signed header list must include From');
    if (headers.includes('arc-seal'))
      return err('arc.syntax', 'an ARC-Message-Signature must not sign ARC-Seal (RFC 8617 §4.1.2)');
  } else {
    if (!present.has('from')) return err('arc.syntax', 'the message has no From field to sign');
    headers = [];
    for (const name of [...defaultSignedHeaders, 'dkim-signature']) {
      const count = (present.get(name) ?? 0) + (defaultOverSignedHeaders.includes(name) ? 1 : 0);
      for (let n = 0; n < count; n++) headers.push(name);
    }
  }

  const t = String(Math.floor(options.now.getTime() / 1000));
  const resinfo = payloadText.trim() === '' ? 'none' : payloadText.trim();
  const aarValue =
    fold && !/[\r\n]/.test(resinfo)
      ? layout(
          'ARC-Authentication-Results',
          [`i=${instance}`, options.authservId, ...splitResults(resinfo).map((r) => r.trim())],
          true,
        )
      : ` i=${instance}; ${options.authservId}; ${resinfo}`;
  const aar = field('ARC-Authentication-Results', aarValue);

  // Tag order: one-line output sorts tags alphabetically (the ValiMail suite's standardized form); folded output
  // uses the order of deployed sealers, i= first and b= last. dkimpy finds the AMS by the text " i=N;", so i= must
  // never start a folded line.
  const order = (tags: [string, string][]): string[] =>
    (fold ? tags : [...tags].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))).map(([tag, value]) => `${tag}=${value}`);

  const body = hashBody(parsed.body, 'relaxed', 'sha256');
  const amsPieces = (b: string): string[] =>
    order([
      ['i', String(instance)],
      ['a', 'rsa-sha256'],
      ['c', 'relaxed/relaxed'],
      ['d', domain],
      ['s', selector],
      ['t', t],
      ['h', foldValue(headers.join(':'), fold, ':')],
      ['bh', body.hash.toString('base64')],
      ['b', b],
    ]);
  const amsTemplate = field('ARC-Message-Signature', layout('ARC-Message-Signature', amsPieces(''), fold));
  const amsData = signedData(
    selectSignedFields([aar, ...parsed.fields], headers),
    amsTemplate.raw,
    amsTemplate.valueOffset - 1,
    bOffsets(amsTemplate),
    'relaxed',
  );
  const amsSignature = cryptoSign('sha256', amsData, key).toString('base64');
  const ams = field(
    'ARC-Message-Signature',
    layout('ARC-Message-Signature', amsPieces(foldValue(amsSignature, fold)), fold),
  );

  // ARC-Seal over the chain (RFC 8617 §5.1.1): every set when cv=pass, only the new one when cv=fail.
  const covered: HeaderField[] = [];
  if (cv !== 'fail')
    for (const set of sets) covered.push(set.authResultsField, set.messageSignatureField, set.sealField);
  covered.push(aar, ams);
  const asPieces = (b: string): string[] =>
    order([
      ['i', String(instance)],
      ['a', 'rsa-sha256'],
      ['cv', cv],
      ['d', domain],
      ['s', selector],
      ['t', t],
      ['b', b],
    ]);
  const asTemplate = field('ARC-Seal', layout('ARC-Seal', asPieces(''), fold));
  const asData = signedData(covered, asTemplate.raw, asTemplate.valueOffset - 1, bOffsets(asTemplate), 'relaxed');
  const asSignature = cryptoSign('sha256', asData, key).toString('base64');
  const seal = `ARC-Seal:${layout('ARC-Seal', asPieces(foldValue(asSignature, fold)), fold)}\r\n`;
  const messageSignature = `${Buffer.from(ams.raw).toString('utf8')}\r\n`;
  const authenticationResults = `ARC-Authentication-Results:${aarValue}\r\n`;
  return {
    ok: true,
    value: {
      instance,
      cv,
      seal,
      messageSignature,
      authenticationResults,
      header: seal + messageSignature + authenticationResults,
    },
  };
}

/**
 * Puts a sealed ARC set on top of a message (RFC 8617 §5.1: new sets go above the existing ones), encoded as
 * UTF-8 and with the message's own line ends (bare LF when its first line ends so).
 */
export function prependArcSet(message: Uint8Array, sealed: ArcSealFields): Uint8Array {
  const lf = message.indexOf(0x0a);
  const bareLf = lf >= 0 && (lf === 0 || message[lf - 1] !== 0x0d);
  const head = Buffer.from(bareLf ? sealed.header.replace(/\r\n/g, '\n') : sealed.header, 'utf8');
  const out = new Uint8Array(head.length + message.length);
  out.set(head);
  out.set(message, head.length);
  return out;
}

/** Where the (empty) b= value sits in a template field: just after `b=`, up to the `;` that follows. */
function bOffsets(template: HeaderField): { start: number; end: number } {
  const value = Buffer.from(template.raw.subarray(template.valueOffset)).toString('latin1');
  const b = parseTagList(value);
  const tag = b.ok ? b.value.get('b') : undefined;
  // The templates are built here with one empty b= tag, so it is always found.
  if (!tag) return { start: template.raw.length, end: template.raw.length };
  return { start: template.valueOffset + tag.valueStart, end: template.valueOffset + tag.valueEnd };
}

/**
 * Builds an AAR payload from the message's Authentication-Results fields of `authservId` (the ValiMail suite's
 * consolidation rule): each field's results, in order, one per line after the first. Fields of other ADMDs and
 * fields that do not parse are skipped. Undefined when there is none.
 */
export function consolidateAuthResults(
  message: ParsedMessage | Uint8Array | string,
  authservId: string,
): string | undefined {
  const result = readMessage(message);
  if (!result.ok) return undefined;
  const parsed = result.value;
  const wanted = authservId.toLowerCase();
  const results: string[] = [];
  for (const f of parsed.fields) {
    if (f.name !== 'authentication-results') continue;
    const value = fieldValue(f);
    const check = parseAuthenticationResults(value);
    if (!check.ok || check.value.authservId.toLowerCase() !== wanted) continue;
    for (const part of splitResults(value).slice(1)) {
      const text = part.trim();
      if (text !== '' && text.toLowerCase() !== 'none') results.push(text);
    }
  }
  if (results.length === 0) return undefined;
  return results.join(';\r\n  ');
}

/** Splits at `;` outside comments and quoted strings, keeping the text (comments included) as written. */
function splitResults(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    current += c;
    if (c === '\\' && (quoted || depth > 0) && i + 1 < text.length) current += text[++i] as string;
    else if (quoted) quoted = c !== '"';
    else if (c === '"' && depth === 0) quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === ';' && depth === 0) {
      parts.push(current.slice(0, -1));
      current = '';
    }
  }
  parts.push(current);
  return parts;
}
