/**
 * Text from a message or from DNS, made safe to print on a terminal. A value such as a DKIM `s=` tag, a HELO name
 * read from a Received field or an SPF record is written by whoever sent the message or runs the domain; printed
 * raw, its ESC, BEL or NUL bytes are terminal controls (ECMA-48) that can move the cursor and repaint the verdict
 * line. Every such value goes through {@link terminalSafe} before it reaches stdout or stderr, spelled the way
 * JSON spells it (`\u001b`), so what is shown is exactly what was received.
 */

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
/** C0 controls other than TAB and LF, DEL, the C1 controls, and the bidirectional overrides and isolates. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A value for one line of output: every control character (tab and line breaks too) as `\uXXXX`. */
export function terminalSafe(value: string): string {
  return value.replace(UNSAFE_ONE_LINE, escapeChar);
}

/** The SGR colour sequences (ECMA-48 §8.3.117) the reports themselves write: reset, bold, dim, red, green, yellow. */
// eslint-disable-next-line no-control-regex
const OWN_COLOURS = /(\u001b\[(?:0|1|2|31|32|33)m)/;

/**
 * A block of report text: control characters escaped, tabs and line breaks kept (the report's own layout). With
 * `keepColours`, the report's own colour sequences stay; a report that colours escapes each value it prints with
 * {@link terminalSafe} first, so no sequence from the input reaches this point whole.
 */
export function terminalSafeBlock(text: string, keepColours = false): string {
  if (!keepColours) return text.replace(UNSAFE, escapeChar);
  return text
    .split(OWN_COLOURS)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(UNSAFE, escapeChar)))
    .join('');
}
