#!/usr/bin/env node
/** The `mailtrust` executable. */
import type { CommandIO } from './command.js';
import { runCli } from './run.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const io: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stdoutBytes: (bytes) => process.stdout.write(bytes),
  stderr: (text) => process.stderr.write(text),
  readStdin,
  stdinIsTerminal: process.stdin.isTTY === true,
  interactive: process.stderr.isTTY === true,
  color: process.stdout.isTTY === true && !process.env['NO_COLOR'],
};

process.exitCode = await runCli(process.argv.slice(2), io);
