/** Timing helpers of the benchmark: wall time, CPU time and sampled peak RSS of one pass over the corpus. */
import { performance } from 'node:perf_hooks';

export interface PassMeasure {
  messages: number;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  /** Messages whose result was not the expected one. */
  wrong: number;
  firstWrong?: string;
}

/** Runs `one(i)` for i in [0, count) one after another; `one` returns a mismatch description or undefined. */
export async function measurePass(
  count: number,
  one: (i: number) => Promise<string | undefined> | string | undefined,
): Promise<PassMeasure> {
  let peak = process.memoryUsage.rss();
  let wrong = 0;
  let firstWrong: string | undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let lastSample = t0;
  for (let i = 0; i < count; i++) {
    const mismatch = await one(i);
    if (mismatch !== undefined) {
      wrong++;
      firstWrong ??= `message ${i}: ${mismatch}`;
    }
    // RSS every 20 ms of the pass (reading it costs tens of microseconds: per message count, it would weigh on
    // the faster contender more than on the slower).
    const now = performance.now();
    if (now - lastSample >= 20) {
      lastSample = now;
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
    }
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
  return {
    messages: count,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssBytes: peak,
    wrong,
    ...(firstWrong !== undefined ? { firstWrong } : {}),
  };
}

/** Adds passes of the same contender together (peak RSS: the largest). */
export function combine(passes: readonly PassMeasure[]): PassMeasure {
  const out: PassMeasure = { messages: 0, wallMs: 0, cpuMs: 0, peakRssBytes: 0, wrong: 0 };
  for (const pass of passes) {
    out.messages += pass.messages;
    out.wallMs += pass.wallMs;
    out.cpuMs += pass.cpuMs;
    out.peakRssBytes = Math.max(out.peakRssBytes, pass.peakRssBytes);
    out.wrong += pass.wrong;
    if (pass.firstWrong !== undefined) out.firstWrong ??= pass.firstWrong;
  }
  return out;
}

export const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
export const perSecond = (p: PassMeasure) => (p.messages / p.wallMs) * 1000;
export const cpuPerMessage = (p: PassMeasure) => p.cpuMs / p.messages;
