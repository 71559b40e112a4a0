/**
 * The RFC5322.From domain DMARC evaluates (RFC 7489 §3.1, §6.6.1).
 */
import { toAsciiDomain } from '../domain/domain-name.js';
import type { ParseResult } from '../parse-result.js';
import { parseAddressList, type Mailbox } from './from-address.js';

/** The author domain and the mailboxes it came from. */
export interface AuthorDomain {
  /** The From domain: A-labels, lower case, no trailing dot. */
  domain: string;
  mailboxes: Mailbox[];
}

/**
 * Error codes: `headers.from-missing` (no From field), `headers.from-multiple` (several From fields),
 * `headers.from-invalid` (unparsable, no mailbox, a domain literal or an invalid domain name),
 * `dmarc.multiple-author-domains` (one field naming mailboxes in different domains).
 */
export type AuthorDomainErrorCode =
  'headers.from-missing' | 'headers.from-multiple' | 'headers.from-invalid' | 'dmarc.multiple-author-domains';

function failure(code: AuthorDomainErrorCode, message: string, offset?: number): ParseResult<AuthorDomain> {
  return { ok: false, error: offset === undefined ? { code, message } : { code, message, offset } };
}

/**
 * The author domain of a message from the values of its From fields (RFC 7489 §6.6.1). DMARC needs exactly one
 * From field; several fields, an unparsable field, or mailboxes in different domains are a `permerror` for
 * DMARC (the RFC lets receivers reject such messages). Several mailboxes in one domain share one author domain
 * (§6.6.1 allows evaluating it once).
 */
export function authorDomain(fromHeaderValues: readonly string[]): ParseResult<AuthorDomain> {
  if (fromHeaderValues.length === 0) return failure('headers.from-missing', 'the message has no From field');
  if (fromHeaderValues.length > 1) {
    return failure(
      'headers.from-multiple',
      `the message has ${fromHeaderValues.length} From fields (RFC 5322 §3.6 allows one)`,
    );
  }
  const parsed = parseAddressList(fromHeaderValues[0] ?? '');
  if (!parsed.ok) return failure('headers.from-invalid', `From: ${parsed.error.message}`, parsed.error.offset);
  const mailboxes = parsed.value;
  if (mailboxes.length === 0) return failure('headers.from-invalid', 'From names no mailbox');
  const domains = new Set<string>();
  for (const mailbox of mailboxes) {
    if (mailbox.domainLiteral) {
      return failure(
        'headers.from-invalid',
        `From has a domain literal [${mailbox.domain}]; DMARC needs a domain name`,
      );
    }
    const domain = toAsciiDomain(mailbox.domain);
    if (domain === undefined)
      return failure('headers.from-invalid', `From has an invalid domain ${JSON.stringify(mailbox.domain)}`);
    domains.add(domain);
  }
  if (domains.size > 1) {
    return failure(
      'dmarc.multiple-author-domains',
      `From names mailboxes in ${domains.size} domains: ${[...domains].slice(0, 5).join(', ')}`,
    );
  }
  const [domain] = domains;
  return { ok: true, value: { domain: domain ?? '', mailboxes } };
}
