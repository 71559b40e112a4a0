/**
 * One delivery attempt of one outbox row: look up the recipient domain's MX hosts (again, every attempt), try their
 * addresses in order until one takes or refuses the message, and say what became of it. The row's next state
 * (retry when, or give up) is the worker's decision; see `retry-schedule.ts`.
 */
import type { Resolver } from '../core/index.js';
import type { DeliveryAttempt } from '../store/types.js';
import { routeMail } from './mx.js';
import type { SmtpConnectionCache } from './connection-cache.js';
import { deliverTo, type SmtpTimeouts } from './smtp-client.js';

export interface DeliverySettings {
  resolver: Resolver;
  /** `relay.hostname`: the EHLO name. */
  ehloName: string;
  /** `relay.deliveryPort` (25). */
  port: number;
  allowLocalMx: boolean;
  timeouts: SmtpTimeouts;
  /** Open sessions and TLS sessions kept between deliveries to the same MX address (none: one session each). */
  connections?: SmtpConnectionCache;
  random?: () => number;
}

export interface DeliveryRequest {
  mailFrom: string;
  recipient: string;
  raw: Uint8Array;
}

/** The attempt as recorded, and how it ended. */
export interface AttemptReport {
  result: 'delivered' | 'temporary' | 'permanent';
  attempt: Omit<DeliveryAttempt, 'at'>;
}

/** The domain of an address (after the last "@"). */
export function recipientDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** Makes one attempt. Never throws: DNS and network trouble are temporary results. */
export async function attemptDelivery(request: DeliveryRequest, settings: DeliverySettings): Promise<AttemptReport> {
  const route = await routeMail(settings.resolver, recipientDomain(request.recipient), {
    allowLocal: settings.allowLocalMx,
    ...(settings.random ? { random: settings.random } : {}),
  });
  if (!route.ok) return { result: route.permanent ? 'permanent' : 'temporary', attempt: { reply: route.reply } };

  let last: AttemptReport | undefined;
  for (const address of route.addresses) {
    const outcome = await deliverTo(
      { mx: address.mx, ip: address.ip, port: settings.port },
      request,
      settings.ehloName,
      settings.timeouts,
      settings.connections,
    );
    const attempt = { mx: address.mx, ip: address.ip, reply: outcome.reply };
    switch (outcome.kind) {
      case 'delivered':
        return { result: 'delivered', attempt };
      case 'temporary':
        return { result: 'temporary', attempt };
      case 'permanent':
        return { result: 'permanent', attempt };
      case 'next':
        last = { result: 'temporary', attempt };
        break;
      default: {
        const unreachable: never = outcome;
        throw new Error(`unknown outcome ${JSON.stringify(unreachable)}`);
      }
    }
  }
  // Every address failed at the connection level: the attempt is deferred (RFC 5321 §4.5.4.1).
  return last ?? { result: 'temporary', attempt: { reply: '4.4.1 no MX address could be tried' } };
}
