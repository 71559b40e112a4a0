/**
 * Reading a command's parsed flags: one place that turns node:util parseArgs values into the types the commands
 * use, so no command checks `typeof values[name]` by hand.
 */
import type { OptionValues } from './command.js';

/** The value of a single-valued string flag, or undefined when it was not given. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Every value of a repeatable string flag (`multiple: true`), in command-line order; empty when not given. */
export function stringListOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/** True when a boolean flag was given. */
export function booleanOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
