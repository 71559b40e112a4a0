/**
 * Memos of pure functions of a name (IDNA, the Public Suffix List, reverse names, keywords), as plain functions.
 * They hold no data from DNS or messages beyond the name itself and give the same answer in every instance, so
 * they are shared by the process; the caches that hold what DNS returned are in `EngineCaches` (caches.ts).
 */
import { BoundedMemo, type MemoLimits } from './bounded-memo.js';

/** `compute` with its answers remembered by text, in a {@link BoundedMemo}. */
export function memoizeByText<V>(compute: (text: string) => V, limits: MemoLimits): (text: string) => V {
  const memo = new BoundedMemo(compute, limits);
  return (text) => memo.get(text);
}
