import { readFile } from 'node:fs/promises';
import type { CommandIO } from './command.js';
import { DataError, NoInputError } from './errors.js';

/** Reads a file named on the command line, or standard input for `-` (or no name). Missing → exit 66. */
export async function readInputFile(path: string | undefined, io: CommandIO): Promise<Uint8Array> {
  if (path === undefined || path === '-') {
    // Waiting silently on a terminal looks like a hang.
    if (io.stdinIsTerminal === true)
      io.stderr('mailtrust: reading the message from standard input: paste it, then press Ctrl-D (or give a FILE)\n');
    return io.readStdin();
  }
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new NoInputError(`${path}: ${why} (give the path of a readable file, or - for standard input)`);
  }
}

/** An mbox `From ` separator line (RFC 4155 §2) after a blank line: the start of another message in the file. */
const MBOX_SEPARATOR = /\r?\n\r?\nFrom [^\r\n]*\r?\n/g;
/** How much of the input is searched for separators. */
const MBOX_SCAN = 64 * 1024 * 1024;

/**
 * Refuses a mailbox file with more than one message (exit 65): judging its first message alone, silently, would
 * look like a verdict on the file. One message with a leading `From ` line is fine.
 */
export function refuseMbox(raw: Uint8Array, name: string): void {
  // 0x46 0x72 0x6f 0x6d 0x20: "From " at the very start marks an mbox file.
  if (!(raw[0] === 0x46 && raw[1] === 0x72 && raw[2] === 0x6f && raw[3] === 0x6d && raw[4] === 0x20)) return;
  const text = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, MBOX_SCAN)).toString('latin1');
  const more = text.match(MBOX_SEPARATOR)?.length ?? 0;
  if (more > 0)
    throw new DataError(
      `${name}: a mailbox with ${more + 1} messages; give one message at a time (split it first, e.g. with formail -s or git mailsplit)`,
    );
}
