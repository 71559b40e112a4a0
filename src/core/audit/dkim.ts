/**
 * Recommendation 4 (DKIM signatures and a DMARC policy) (DKIM): a key record at `selector._domainkey.domain` for each selector (RFC 6376 §3.6.2.1)
 * that parses (§3.6.1), is not revoked, is not in testing mode (`t=y`), allows sha256 (RFC 8301 §3.1), and is an
 * RSA key of at least 1024 bits — 2048 recommended (RFC 8301 §3.2) — or Ed25519 (RFC 8463).
 */
import type { CheckContext } from '../context.js';
import { importPublicKey, parseDkimKey, type DkimKey } from '../dkim/key.js';
import { makeCheck, isTemporary, temporaryFailureCheck } from './check.js';
import type { AuditCheck, AuditStatus } from './types.js';

const RULE_KEY =
  'Recommendation 4 (DKIM signatures and a DMARC policy); RFC 6376 §3.6.2.1: the public key is published at selector._domainkey.domain';
const RULE_SYNTAX = 'RFC 6376 §3.6.1: key record syntax';
const RULE_REVOKED = 'RFC 6376 §3.6.1: an empty p= means the key was revoked';
const RULE_SIZE = 'RFC 8301 §3.2: RSA keys of at least 1024 bits (2048 recommended); Ed25519 per RFC 8463';
const RULE_TESTING = 'RFC 6376 §3.6.1: t=y asks receivers to treat signed mail like unsigned mail';
const RULE_SHA1 = 'RFC 8301 §3.1: rsa-sha1 must not be used; h= must allow sha256';

/**
 * The key-size check (RFC 8301 §3.2): an RSA key under 1024 bits fails (receivers ignore its signatures), one under
 * 2048 is a warning; Ed25519 keys (`bits` undefined) pass.
 */
function keySize(
  bits: number | undefined,
  name: string,
): { status: AuditStatus; text: { message: string; remedy?: string; rule: string }; value: string } {
  if (bits === undefined)
    return { status: 'pass', text: { message: 'Ed25519 key', rule: RULE_SIZE }, value: 'ed25519' };
  const value = `rsa ${bits}`;
  if (bits < 1024)
    return {
      status: 'fail',
      text: {
        message: `the RSA key at ${name} has ${bits} bits; receivers ignore signatures with keys under 1024 bits`,
        remedy: 'generate a 2048-bit key (see the suggested DKIM record) and sign with it',
        rule: RULE_SIZE,
      },
      value,
    };
  if (bits < 2048)
    return {
      status: 'warn',
      text: {
        message: `the RSA key at ${name} has ${bits} bits; 2048 is recommended`,
        remedy: 'rotate to a 2048-bit key under a new selector (see the suggested DKIM record)',
        rule: RULE_SIZE,
      },
      value,
    };
  return { status: 'pass', text: { message: `RSA key of ${bits} bits`, rule: RULE_SIZE }, value };
}

/** The result of auditing one selector. */
export interface SelectorAudit {
  selector: string;
  /** A key record is published (revoked or not). */
  found: boolean;
  checks: AuditCheck[];
  /** The key is missing, revoked, too short or unusable: a new key is needed. */
  needsNewKey: boolean;
}

function keyChecks(
  key: DkimKey,
  record: string,
  name: string,
  given: boolean,
): { checks: AuditCheck[]; needsNewKey: boolean } {
  const details = { subject: name, record };
  if (key.publicKey.length === 0)
    return {
      checks: [
        makeCheck(
          'dkim',
          'dkim.key-revoked',
          given ? 'fail' : 'info',
          {
            message: `the key at ${name} is revoked (empty p=)`,
            remedy: given ? 'sign with a current key: generate one (see the suggested DKIM record) and publish it' : '',
            rule: RULE_REVOKED,
          },
          details,
        ),
      ],
      needsNewKey: given,
    };
  const imported = importPublicKey(key.type, key.publicKey);
  if (!imported.ok)
    return {
      checks: [
        makeCheck(
          'dkim',
          'dkim.syntax',
          'fail',
          {
            message: `the key at ${name} is unusable: ${imported.message}`,
            remedy: 'publish the key again as mailtrust dkim keygen prints it',
            rule: RULE_SYNTAX,
          },
          details,
        ),
      ],
      needsNewKey: true,
    };
  const checks: AuditCheck[] = [
    makeCheck(
      'dkim',
      'dkim.key-missing',
      'pass',
      { message: `${name} publishes ${key.type === 'rsa' ? 'an RSA' : 'an Ed25519'} key`, rule: RULE_KEY },
      { ...details, value: key.type },
    ),
  ];
  const size = keySize(key.type === 'rsa' ? imported.bits : undefined, name);
  checks.push(makeCheck('dkim', 'dkim.key-too-short', size.status, size.text, { ...details, value: size.value }));
  let needsNewKey = size.status === 'fail';
  checks.push(
    key.testing
      ? makeCheck(
          'dkim',
          'dkim.testing',
          'warn',
          {
            message: `the key at ${name} is in testing mode (t=y)`,
            remedy: 'remove t=y once signing works, so receivers count the signatures',
            rule: RULE_TESTING,
          },
          { ...details, value: 't=y' },
        )
      : makeCheck('dkim', 'dkim.testing', 'pass', { message: 'not in testing mode', rule: RULE_TESTING }, details),
  );
  if (key.hashAlgorithms !== undefined && !key.hashAlgorithms.includes('sha256')) {
    needsNewKey = true;
    checks.push(
      makeCheck(
        'dkim',
        'dkim.rsa-sha1',
        'fail',
        {
          message: `the key at ${name} allows only h=${key.hashAlgorithms.join(':')}; sha1 signatures are not accepted`,
          remedy: 'remove h= from the key record (or set h=sha256) and sign with rsa-sha256',
          rule: RULE_SHA1,
        },
        { ...details, value: `h=${key.hashAlgorithms.join(':')}` },
      ),
    );
  } else {
    checks.push(makeCheck('dkim', 'dkim.rsa-sha1', 'pass', { message: 'sha256 allowed', rule: RULE_SHA1 }, details));
  }
  return { checks, needsNewKey };
}

/** Audits one selector's key record. `given`: named with --selector (a missing key is then a failure). */
export async function auditSelector(
  ctx: CheckContext,
  domain: string,
  selector: string,
  given: boolean,
): Promise<SelectorAudit> {
  const name = `${selector}._domainkey.${domain}`;
  const answer = await ctx.resolver.txt(name);
  if (!answer.ok) {
    if (isTemporary(answer.kind))
      return {
        selector,
        found: false,
        checks: [temporaryFailureCheck('dkim', `the DKIM key at ${name}`, answer.kind, name)],
        needsNewKey: false,
      };
    return {
      selector,
      found: false,
      checks: given
        ? [
            makeCheck(
              'dkim',
              'dkim.key-missing',
              'fail',
              {
                message: `no DKIM key at ${name} (${answer.kind})`,
                remedy: 'publish the key record (see the suggested DKIM record), or check the selector name',
                rule: RULE_KEY,
              },
              { subject: name, value: answer.kind },
            ),
          ]
        : [],
      needsNewKey: given,
    };
  }
  let firstError: string | undefined;
  for (const record of answer.records.slice(0, 10)) {
    const parsed = parseDkimKey(record);
    if (!parsed.ok) {
      firstError ??= parsed.error.message;
      continue;
    }
    return { selector, found: true, ...keyChecks(parsed.value, record, name, given) };
  }
  return {
    selector,
    found: true,
    checks: [
      makeCheck(
        'dkim',
        'dkim.syntax',
        'fail',
        {
          message: `the record at ${name} is not a DKIM key: ${firstError ?? 'no key record'}`,
          remedy: 'publish the key again as mailtrust dkim keygen prints it (v=DKIM1; k=rsa; p=…)',
          rule: RULE_SYNTAX,
        },
        { subject: name, record: answer.records[0] },
      ),
    ],
    needsNewKey: true,
  };
}

/** `dkim.none` when no common selector has a key: DNS cannot list selectors, so this is a warning. */
export function noKeyFoundCheck(domain: string, tried: readonly string[]): AuditCheck {
  return makeCheck(
    'dkim',
    'dkim.none',
    'warn',
    {
      message: `no DKIM key found at any of ${tried.length} common selectors of ${domain} (${tried.join(', ')}); DNS cannot list selectors, so a key under another name is not seen`,
      remedy: 'pass --selector S for the selector you sign with, or publish a key (see the suggested DKIM record)',
      rule: RULE_KEY,
    },
    { subject: domain },
  );
}
