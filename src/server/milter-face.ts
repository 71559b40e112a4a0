/** The milter face wired into the service: the shared resolver, policy, store, log and counters. */
import { startMilter } from '../milter/index.js';
import type { MilterConfig } from './config.js';
import { formatAddress, type Face } from './face.js';
import { bindError } from './listen.js';
import { observeEvaluation } from './metrics.js';
import type { ServiceShared } from './service.js';

export async function startMilterFace(shared: ServiceShared, config: MilterConfig): Promise<Face> {
  const { metrics } = shared;
  const { resolver, authservId, ...engine } = shared.evaluateOptions;
  try {
    const milter = await startMilter({
      milter: config,
      actions: shared.config.actions,
      hostname: authservId ?? 'mailtrust',
      evaluate: { ...engine, ...(resolver ? { resolver } : {}) },
      store: shared.store,
      logger: shared.logger.child({ face: 'milter' }),
      registry: shared.registry,
      events: {
        sessionOpened: () => {
          metrics.sessions.inc({ face: 'milter' });
          metrics.sessionsTotal.inc({ face: 'milter' });
        },
        sessionClosed: () => metrics.sessions.dec({ face: 'milter' }),
        messageDone: (outcome) => {
          if (outcome.evaluation) observeEvaluation(metrics, 'milter', outcome.evaluation);
        },
      },
    });
    return {
      name: 'milter',
      address: formatAddress(milter.address.host, milter.address.port),
      close: (graceMs) => milter.close(graceMs),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall === 'listen')
      throw bindError('milter.listen', config.listen.host, config.listen.port, error);
    throw error;
  }
}
