import { readFile } from 'node:fs/promises';
import type { CommandIO } from './command.js';
import { NoInputError } from './errors.js';

/** Reads a file named on the command line, or standard input for `-` (or no name). Missing → exit 66. */
export async function readInputFile(path: string | undefined, io: CommandIO): Promise<Uint8Array> {
  if (path === undefined || path === '-') return io.readStdin();
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
