/**
 * DKIM selectors the audit tries when none is given. DNS cannot list the selectors of a domain (a key lives at
 * `selector._domainkey.domain`, RFC 6376 §3.6.2.1, and there is no way to enumerate names), so without
 * `--selector` the audit can only guess the names popular software and providers use. A key under any other
 * name is not found; the report says so.
 */
export const COMMON_DKIM_SELECTORS: readonly string[] = [
  'default', // cPanel, Plesk, many self-hosted setups (OpenDKIM examples)
  'dkim', // generic
  'mail', // generic
  's1', // SendGrid, generic
  's2', // SendGrid, generic
  'k1', // Mailchimp / Mandrill
  'k2', // Mailchimp
  'selector1', // Microsoft 365
  'selector2', // Microsoft 365
  'google', // Google Workspace
  'smtp', // generic
  'key1', // generic
  'dkim1', // generic
  'mx', // generic
  'mandrill', // Mandrill
  'zoho', // Zoho Mail
];
