/**
 * Child process of the benchmark: streams one large message file through `createEvaluator()` in 64 KiB chunks and
 * reports the peak RSS growth over the process's settled baseline (measured in its own process so that the
 * benchmark's corpus does not count). Started by run.ts with `fork(…, { serialization: 'advanced' })`; receives
 * `{ path, zone, envelope, now }` and replies with a `StreamReport`.
 */
import { open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createEvaluator, createResolver, type Envelope, type ZoneRecord } from '../src/core/index.js';

export interface StreamJob {
  path: string;
  zone: ZoneRecord[];
  envelope: Envelope;
  now: Date;
  chunkBytes: number;
}

export interface StreamReport {
  bytes: number;
  wallMs: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  dkim: string;
  spf: string;
  dmarc: string;
}

async function run(job: StreamJob): Promise<StreamReport> {
  const resolver = createResolver({ zone: job.zone });
  const file = await open(job.path, 'r');
  const chunk = Buffer.alloc(job.chunkBytes);
  // Warm the code paths on a tiny message so that compiled code does not count as message memory.
  const warm = createEvaluator(job.envelope, { resolver, now: job.now });
  warm.write('From: a@example.com\r\n\r\nhello\r\n');
  await warm.end();
  global.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const t0 = performance.now();
  const evaluator = createEvaluator(job.envelope, { resolver, now: job.now });
  let bytes = 0;
  for (;;) {
    const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    // The evaluator does not keep the chunk past write(): reusing the buffer is safe.
    evaluator.write(chunk.subarray(0, bytesRead));
    bytes += bytesRead;
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  }
  const evaluation = await evaluator.end();
  const wallMs = performance.now() - t0;
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
  await file.close();
  return {
    bytes,
    wallMs,
    baselineRssBytes: baseline,
    peakRssBytes: peak,
    dkim: evaluation.dkim.map((d) => d.result).join(',') || 'none',
    spf: evaluation.spf.result,
    dmarc: evaluation.dmarc.result,
  };
}

process.once('message', (job: StreamJob) => {
  run(job).then(
    (report) => process.send?.(report, () => process.exit(0)),
    (error: unknown) => {
      process.send?.({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
    },
  );
});
