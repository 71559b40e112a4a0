/**
 * The reverse-path of MAIL FROM (RFC 5321 §4.1.2: `Reverse-path = Path / "<>"`, `Path = "<" Mailbox ">"`), as
 * callers pass it: with or without the angle brackets, with spaces around. One place removes them.
 */

/** The mailbox of a reverse-path, or `''` for the null sender `<>`: spaces and one pair of `<…>` removed. */
export function stripReversePath(text: string): string {
  const path = text.trim();
  return path.startsWith('<') && path.endsWith('>') ? path.slice(1, -1).trim() : path;
}
