/** Runs the built `mailtrust` executable as a user would: a child process, its exit code, stdout and stderr. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, CommandEnv, OptionValues } from '../../src/cli/command.js';

export const cliPath = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runMailtrust(
  args: string[],
  options: { stdin?: string | Uint8Array; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** What a command object did when run in this process: its exit code and what it wrote. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command object in this process, as the executable's frame (src/cli/run.ts) would, with output captured
 * and no standard input.
 */
export async function runCommand(
  command: Command,
  values: OptionValues,
  positionals: string[],
  env: Omit<CommandEnv, 'io'> & { interactive?: boolean },
): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const { interactive, ...rest } = env;
  const code = await command.run(values, positionals, {
    ...rest,
    io: {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readStdin: async () => new Uint8Array(),
      interactive: interactive ?? false,
    },
  });
  return { code, stdout, stderr };
}
