/**
 * The relay face of `mailtrust serve`: builds the relay from `[relay]`, logs its readiness (each problem with its
 * fix), starts the outbox worker and counts its attempts. The HTTP face's form and send routes reach it through
 * `shared.relay`, so it is started before the HTTP face (and so stopped after it).
 */
import { Counter, Gauge } from 'prom-client';
import { Relay, RelayKeyError } from '../relay/relay.js';
import type { RelayConfig } from './config.js';
import type { Face } from './face.js';
import type { ServiceShared } from './service.js';
import { StartError } from './start-error.js';

export async function startRelayFace(shared: ServiceShared, config: RelayConfig): Promise<Face> {
  const attempts = new Counter({
    name: 'mailtrust_relay_delivery_attempts_total',
    help: 'Relay delivery attempts, by outcome (delivered, deferred, failed)',
    labelNames: ['outcome'] as const,
    registers: [shared.registry],
  });
  new Gauge({
    name: 'mailtrust_relay_outbox_depth',
    help: 'Outbox rows not yet delivered or failed, by status',
    labelNames: ['status'] as const,
    registers: [shared.registry],
    async collect() {
      const depth = await shared.store.outboxDepth().catch(() => undefined);
      if (!depth) return;
      this.set({ status: 'queued' }, depth.queued);
      this.set({ status: 'deferred' }, depth.deferred);
    },
  });
  let relay: Relay;
  try {
    relay = Relay.open(config, {
      store: shared.store,
      resolver: shared.resolver,
      logger: shared.logger.child({ face: 'relay' }),
      now: shared.now,
      onAttempt: (outcome) => attempts.inc({ outcome }),
    });
  } catch (error) {
    if (error instanceof RelayKeyError) throw new StartError('usage', error.message);
    throw error;
  }
  if (config.forms.some((form) => form.allowedOrigins === undefined))
    shared.logger.warn(
      { forms: config.forms.filter((f) => f.allowedOrigins === undefined).map((f) => f.id) },
      'relay: forms without allowedOrigins accept posts from any origin',
    );
  for (const form of config.forms)
    if (form.captcha === 'none' && form.tokens.length === 0)
      throw new StartError(
        'usage',
        `relay.forms: form ${form.id} has captcha = "none" and no tokens: nobody could post`,
      );
  // The readiness check runs in the background: DNS trouble must not delay or stop the start.
  void relay.logReadiness().catch((error: unknown) => shared.logger.warn({ err: error }, 'relay readiness failed'));
  relay.start();
  shared.relay = relay;
  return {
    name: 'relay',
    address: `outbox worker, ${config.workers} at once`,
    close: async (graceMs) => {
      await relay.stop(graceMs);
      if (shared.relay === relay) delete shared.relay;
    },
  };
}
