/**
 * The Prometheus metrics of `mailtrust serve` (served at `/metrics`): one Registry per service, shared by every
 * face. Faces count through `ServiceMetrics`; a face with metrics of its own registers them on `registry`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Evaluation } from '../core/index.js';

export interface ServiceMetrics {
  registry: Registry;
  /** Evaluated messages by source (`smtp`, `milter`, `http`) and verdict. */
  messages: Counter<'source' | 'verdict'>;
  /** Sessions open now, by face (`smtp`, `milter`). */
  sessions: Gauge<'face'>;
  /** Sessions started since start, by face. */
  sessionsTotal: Counter<'face'>;
  /** Time of each DNS query the evaluations made (cache hits included, as 0 ms), by outcome. */
  dnsLatency: Histogram<'type' | 'outcome'>;
}

export function createMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mailtrust_' });
  return {
    registry,
    messages: new Counter({
      name: 'mailtrust_messages_total',
      help: 'Messages evaluated, by source and verdict',
      labelNames: ['source', 'verdict'] as const,
      registers: [registry],
    }),
    sessions: new Gauge({
      name: 'mailtrust_sessions',
      help: 'Sessions open now, by face',
      labelNames: ['face'] as const,
      registers: [registry],
    }),
    sessionsTotal: new Counter({
      name: 'mailtrust_sessions_total',
      help: 'Sessions started, by face',
      labelNames: ['face'] as const,
      registers: [registry],
    }),
    dnsLatency: new Histogram({
      name: 'mailtrust_dns_query_seconds',
      help: 'DNS query time seen by evaluations, by type and outcome',
      labelNames: ['type', 'outcome'] as const,
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 5],
      registers: [registry],
    }),
  };
}

/** Counts one evaluation: its verdict, and the time of each DNS query it made. */
export function observeEvaluation(metrics: ServiceMetrics, source: string, evaluation: Evaluation): void {
  metrics.messages.inc({ source, verdict: evaluation.verdict });
  for (const query of evaluation.dns.queries) {
    metrics.dnsLatency.observe({ type: query.type, outcome: query.outcome }, query.ms / 1000);
  }
}
