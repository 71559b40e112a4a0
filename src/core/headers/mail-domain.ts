/**
 * The domain of a mailbox as a name to look up (RFC 5321 §2.3.5, §4.1.2): A-labels (RFC 5890), lower case, host
 * name syntax (letters, digits, hyphens; no label starting or ending with a hyphen), at least two labels.
 */
import { toAsciiDomain } from '../domain/domain-name.js';
import { memoizeByText } from '../text-memo.js';
import type { Mailbox } from '../message/address.js';

/** A mailbox domain: a name DNS can be asked about, or why it cannot be one. */
export type MailDomain =
  | { kind: 'name'; name: string }
  | { kind: 'unusable'; reason: 'invalid' | 'address-literal' }
  | { kind: 'unusable'; reason: 'not-fqdn' | 'special-use'; normalized: string };

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Classifies a mailbox's domain. Domain literals (`[192.0.2.1]`) are not domain names. Single-label names are
 * not mail domains (RFC 7085; dotless domains are not delegated). `localhost`, `*.localhost` and `*.invalid`
 * never name a mail host on the Internet (RFC 6761 §6.3, §6.4), so they are refused without a query.
 */
export function classifyMailDomain(mailbox: Pick<Mailbox, 'domain' | 'domainLiteral'>): MailDomain {
  if (mailbox.domainLiteral) return { kind: 'unusable', reason: 'address-literal' };
  return classifyKnown(mailbox.domain);
}

/** Classifications already made: a pure function of the domain text, met by each address field and the DNS check. */
const classifyKnown = memoizeByText((domain) => Object.freeze(classify(domain)), {
  maxEntries: 4096,
  maxKeyLength: 1024,
});

function classify(domain: string): MailDomain {
  const name = toAsciiDomain(domain);
  // toAsciiDomain accepts a trailing dot (a DNS notation); in an addr-spec it is a syntax error (§3.4.1).
  if (name === undefined || domain.endsWith('.')) return { kind: 'unusable', reason: 'invalid' };
  const labels = name.split('.');
  if (!labels.every((label) => LDH_LABEL.test(label))) return { kind: 'unusable', reason: 'invalid' };
  const last = labels[labels.length - 1] ?? '';
  if (last === 'localhost' || last === 'invalid') return { kind: 'unusable', reason: 'special-use', normalized: name };
  if (labels.length < 2) return { kind: 'unusable', reason: 'not-fqdn', normalized: name };
  return { kind: 'name', name };
}
