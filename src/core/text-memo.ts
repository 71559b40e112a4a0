/**
 * Answers of a pure function of a text, kept for the next call: the same few names (domains, PTR names) recur in
 * every message, and working them out again (IDNA, the Public Suffix List) costs more than a lookup.
 */

/**
 * `compute` with its answers remembered by text. Bounded: the memo is emptied when it holds `maxEntries`; a text
 * longer than `maxKeyLength` is computed every time and not kept.
 */
export function memoizeByText<V>(
  compute: (text: string) => V,
  limits: { maxEntries: number; maxKeyLength: number },
): (text: string) => V {
  // Each answer is boxed, so that an `undefined` answer is remembered too and one lookup tells.
  const answers = new Map<string, { value: V }>();
  return (text) => {
    const known = answers.get(text);
    if (known !== undefined) return known.value;
    const value = compute(text);
    if (text.length <= limits.maxKeyLength) {
      if (answers.size >= limits.maxEntries) answers.clear();
      answers.set(text, { value });
    }
    return value;
  };
}
