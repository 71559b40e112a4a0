/** Test helpers for the DKIM suites: conformance files and small message builders. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The conformance data in the repository (test/conformance), found from dist/test/dkim/. */
export const conformanceDir = join(dirname(fileURLToPath(import.meta.url)), '../../../test/conformance');

/** Converts bare LF to CRLF. */
export function toCrlf(bytes: Uint8Array): Uint8Array {
  return Buffer.from(Buffer.from(bytes).toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** Reads the Stalwart format: `<name> <TXT value>` lines, a blank line, then the message. */
export function readDnsAndMessage(raw: Uint8Array): { dns: [string, string][]; message: Uint8Array } {
  const text = Buffer.from(raw).toString('latin1');
  const split = text.indexOf('\n\n');
  const dns: [string, string][] = [];
  for (const line of text.slice(0, split).split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) dns.push([line.slice(0, space), line.slice(space + 1)]);
  }
  return { dns, message: Buffer.from(text.slice(split + 2), 'latin1') };
}
