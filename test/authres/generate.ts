/** Seeded random Authentication-Results entries for the round-trip property test and the cross-check. */
import type { AuthResEntry } from '../../src/core/authres/index.js';

import { seededRandom as prng } from '../support/random.js';

export { prng };

const KEYWORD_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const VALUE_CHARS = [
  'a',
  'Z',
  '0',
  '.',
  '-',
  '_',
  '@',
  '+',
  '/',
  '=',
  ';',
  '(',
  ')',
  '"',
  '\\',
  ' ',
  '\t',
  ',',
  ':',
  '?',
  '[',
  ']',
  'é',
  '中',
  '!',
  '#',
  '~',
];

export function generator(seed: number) {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const keyword = (): string => {
    const length = 1 + int(8);
    let text = '';
    for (let i = 0; i < length; i++)
      text += i > 0 && i < length - 1 && random() < 0.15 ? '-' : pick([...KEYWORD_CHARS]);
    return text;
  };
  const value = (): string => {
    switch (int(4)) {
      case 0:
        return pick(['example.com', 'user@example.com', '@example.com', '192.0.2.1', 'AbC/dE+f', 'pass', '']);
      case 1:
        return keyword();
      default: {
        const length = int(24);
        let text = '';
        for (let i = 0; i < length; i++) text += pick(VALUE_CHARS);
        return text;
      }
    }
  };
  const entry = (): AuthResEntry => {
    const built: AuthResEntry = { method: keyword(), result: keyword(), properties: [] };
    if (random() < 0.2) built.methodVersion = int(5);
    if (random() < 0.3) built.reason = value();
    const count = int(5);
    for (let i = 0; i < count; i++) {
      const ptype = random() < 0.1 ? '' : keyword();
      let property = keyword();
      if (ptype === '' && property === 'reason') property = 'x-reason';
      built.properties.push({ ptype, property, value: value() });
    }
    return built;
  };
  return { int, random, pick, keyword, value, entry };
}
