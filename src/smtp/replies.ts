/**
 * The replies the SMTP session gives besides smtp-server's own, each with its RFC 3463 enhanced status code in
 * front of the text (RFC 2034 §3). The listener keeps these codes as written (see listener.ts).
 */

/** An SMTP reply handed to smtp-server as an error: `responseCode` and a text that starts with the enhanced code. */
export interface SmtpReplyError extends Error {
  responseCode: number;
}

export function smtpReply(code: number, enhanced: string, text: string): SmtpReplyError {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code });
}

/** True for a reply text that already carries its enhanced status code. */
export function hasEnhancedCode(text: string): boolean {
  return /^[245]\.\d{1,3}\.\d{1,3} /.test(text);
}

export const replies = {
  /** RFC 5321 §3.6.2: no relaying; RFC 3463 5.7.1 delivery not authorized. */
  notTestDomain: (testDomain: string) =>
    smtpReply(550, '5.7.1', `relay access denied: only addresses at ${testDomain} receive mail here`),
  /** RFC 5321 §4.5.3.1.8: too many recipients (RFC 3463 4.5.3). */
  tooManyRecipients: (max: number) => smtpReply(452, '4.5.3', `too many recipients (at most ${max} per message)`),
  /** RFC 1870 §6.3 / RFC 3463 5.3.4: message too big for system. */
  tooBig: (max: number) => smtpReply(552, '5.3.4', `message exceeds the maximum size of ${max} bytes`),
  /** RFC 3463 4.3.0: the store did not commit the message, so it is not accepted; the client retries later. */
  storeUnavailable: () =>
    smtpReply(451, '4.3.0', 'temporary local problem: the message could not be stored, try again later'),
  /** The client's message could not be read to its end. */
  readFailed: () => smtpReply(451, '4.3.0', 'the message could not be read, try again later'),
} as const;
