import type { Command } from '../command.js';
import { auditCommand } from './audit.js';
import { checkCommand } from './check.js';
import { dkimCommand } from './dkim.js';
import { dnsCommand } from './dns.js';
import { serveCommand } from './serve.js';
import { spfCommand } from './spf.js';

/** Every subcommand, in the order `mailtrust --help` lists them. */
export const commands: readonly Command[] = [
  checkCommand,
  auditCommand,
  spfCommand,
  dkimCommand,
  dnsCommand,
  serveCommand,
];
