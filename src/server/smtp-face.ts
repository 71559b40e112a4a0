/** The SMTP face wired into the service: the test address with the shared resolver, store, log and counters. */
import { startSmtp } from '../smtp/index.js';
import type { SmtpConfig } from './config.js';
import { serviceHostname } from './evaluation-setup.js';
import type { Face } from './face.js';
import { bindError } from './listen.js';
import { observeEvaluation } from './metrics.js';
import type { ServiceShared } from './service.js';
import { StartError } from './start-error.js';

export async function startSmtpFace(shared: ServiceShared, config: SmtpConfig): Promise<Face> {
  const { metrics } = shared;
  try {
    return await startSmtp({
      config,
      store: shared.store,
      resolver: shared.resolver,
      evaluateOptions: shared.evaluateOptions,
      hostname: serviceHostname(shared.config),
      logger: shared.logger.child({ face: 'smtp' }),
      now: shared.now,
      events: {
        sessionOpened: () => {
          metrics.sessions.inc({ face: 'smtp' });
          metrics.sessionsTotal.inc({ face: 'smtp' });
        },
        sessionClosed: () => metrics.sessions.dec({ face: 'smtp' }),
        messageStored: (evaluation) => observeEvaluation(metrics, 'smtp', evaluation),
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== undefined && (error as NodeJS.ErrnoException).syscall === 'listen') {
      throw bindError('smtp.listen', config.listen.host, config.listen.port, error);
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EACCES') {
      throw new StartError('usage', `smtp.tls: ${(error as Error).message}`);
    }
    throw error;
  }
}
