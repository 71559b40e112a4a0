/**
 * The one bounded memo of the core: answers of a pure function of a text, kept for the next call (the same few
 * records, domains and names recur on every message, and working them out again costs more than a lookup).
 *
 * One eviction rule everywhere: when the memo holds `maxEntries`, the oldest entry goes first. A text longer than
 * `maxKeyLength` is computed every time and not kept, so no input can make an entry large.
 */
export interface MemoLimits {
  maxEntries: number;
  maxKeyLength: number;
}

export class BoundedMemo<V> {
  // Each answer is boxed, so that an `undefined` answer is remembered too and one lookup tells.
  private readonly answers = new Map<string, { value: V }>();

  constructor(
    private readonly compute: (text: string) => V,
    readonly limits: MemoLimits,
  ) {}

  /** `compute(text)`, from the memo when it was asked before. */
  get(text: string): V {
    const known = this.answers.get(text);
    if (known !== undefined) return known.value;
    const value = this.compute(text);
    if (text.length <= this.limits.maxKeyLength) {
      if (this.answers.size >= this.limits.maxEntries) {
        const oldest = this.answers.keys().next();
        if (oldest.done !== true) this.answers.delete(oldest.value);
      }
      this.answers.set(text, { value });
    }
    return value;
  }

  get size(): number {
    return this.answers.size;
  }

  clear(): void {
    this.answers.clear();
  }
}
