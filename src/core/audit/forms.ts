/**
 * Recommendation 5, the best practices for sending mail from scripts and web forms: rules DNS cannot show, listed as
 * `info` items so that the report is a complete checklist.
 */
import { makeCheck } from './check.js';
import type { AuditCheck } from './types.js';

const RECOMMENDATION = 'Recommendation 5: best practices for scripts and web forms';

/** The checklist items, in the order of the recommendations (docs/audit.md#recommendations). */
export function formsChecklist(domain: string): AuditCheck[] {
  const item = (id: string, message: string, remedy: string, rule: string) =>
    makeCheck('forms', id, 'info', { message, remedy, rule: `${RECOMMENDATION}; ${rule}` });
  return [
    item(
      'forms.captcha',
      'web forms that send mail require authentication or a CAPTCHA (or both)',
      'protect every sending form; receivers cannot stop spam a form invites',
      'CAPTCHA or authentication',
    ),
    item(
      'forms.rfc5322-headers',
      'messages from forms and scripts are RFC 5322 messages with Subject, From, To, Date and Message-ID',
      `build messages with a mail library; From is an address in ${domain}, never the visitor's`,
      'RFC 5322 §3.6',
    ),
    item(
      'forms.reply-to',
      "the visitor's address goes in Reply-To, not in From",
      `From: forms@${domain}; Reply-To: the visitor (checked for CR/LF injection)`,
      'RFC 5322 §3.6.2',
    ),
    item(
      'forms.redundancy-copy',
      'a copy of each submission goes through an external support address, so nothing is lost',
      'forward form mail via your own support address as well as directly',
      'redundancy copy',
    ),
    item(
      'forms.retry-4xx',
      'transient failures (4xx replies, network errors) are retried later, not dropped',
      'queue submissions and retry with back-off for days',
      'RFC 5321 §4.2.1, §4.5.4.1',
    ),
    item(
      'forms.mx-lookup',
      "each delivery looks up the recipient's MX records; no relay host is hard-coded",
      'resolve MX per delivery (RFC 5321 §5.1) or hand mail to your own relay that does',
      'RFC 5321 §5.1',
    ),
  ];
}
