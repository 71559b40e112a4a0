import type { Command } from '../command.js';
import { dnsCommand } from './dns.js';

/** Every subcommand, in the order `mailtrust --help` lists them. */
export const commands: readonly Command[] = [dnsCommand];
