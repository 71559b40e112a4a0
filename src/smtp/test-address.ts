/**
 * The test address rule: every local part at `smtp.testDomain` is a mailbox (a sender picks any, or asks the
 * API for an unguessable one); every other recipient is refused with 550 5.7.1, so the service is never an open
 * relay (RFC 5321 §3.6.2, §7.1).
 */

/** The lower-cased local part when `address` is at `testDomain`; undefined for any other recipient. */
export function testLocalPart(address: string, testDomain: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const domain = address
    .slice(at + 1)
    .replace(/\.$/, '')
    .toLowerCase();
  if (domain !== testDomain.replace(/\.$/, '').toLowerCase()) return undefined;
  const localPart = address.slice(0, at);
  // Quoted local parts and anything outside a plain dot-atom (RFC 5321 §4.1.2) are not test mailboxes: the local
  // part becomes a URL path segment and a database key.
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/.test(localPart)) return undefined;
  return localPart.toLowerCase();
}
