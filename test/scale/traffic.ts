/**
 * Load for the crash and restart tests: SMTP clients (swaks, one message per session) and form posters, each a
 * loop that sends to whichever instance is up (a load balancer's round robin) until told to stop, keeping every
 * answer. What matters afterwards is what was acknowledged: the subjects answered 250 and the ids answered 202.
 */
import type { ServeInstance } from '../support/serve-instance.js';
import { postForm, swaksSend } from './clients.js';
import { TEST_DOMAIN } from './instance-config.js';

export interface SmtpOutcome {
  subject: string;
  localPart: string;
  instance: string;
  /** When the session started and ended. */
  startedAt: number;
  at: number;
  /** The reply to the end of DATA, or the first refusal / error line. */
  reply: string;
  acknowledged: boolean;
}

export interface PostOutcome {
  instance: string;
  at: number;
  status: number;
  /** The submission id of a 202. */
  id?: string;
}

export interface Traffic {
  smtp: SmtpOutcome[];
  posts: PostOutcome[];
  /** Stops every loop and waits for the sessions in flight. */
  stop(): Promise<void>;
}

export interface TrafficOptions {
  /** The instances up now (the array may change while the traffic runs). */
  targets: () => ServeInstance[];
  smtpClients: number;
  formPosters: number;
  formId: string;
  formToken: string;
  /** A prefix for the local parts, one per client: `<prefix>-<client>`. */
  prefix: string;
  /** A pause after each SMTP session (default 0): each session is a swaks process, and a busy machine needs room
   * for the instances' own restarts. */
  smtpPauseMs?: number;
  /** A pause after each form post (default 50 ms). */
  postPauseMs?: number;
}

function firstRefusal(transcript: string): string {
  const line = transcript.split('\n').find((l) => /^<\*\*\s+\d{3}/.test(l) || /^\*\*\*/.test(l));
  return (line ?? 'no reply').replace(/^(<\*\*|\*\*\*)\s*/, '').trim();
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startTraffic(options: TrafficOptions): Traffic {
  const smtp: SmtpOutcome[] = [];
  const posts: PostOutcome[] = [];
  let running = true;
  let turn = 0;
  const pick = (): ServeInstance | undefined => {
    const up = options.targets().filter((instance) => instance.alive());
    if (up.length === 0) return undefined;
    return up[turn++ % up.length];
  };

  const smtpLoop = async (client: number): Promise<void> => {
    const localPart = `${options.prefix}-${client}`;
    for (let n = 0; running; n++) {
      const instance = pick();
      const address = instance?.addresses.get('smtp');
      if (!instance || !address) {
        await pause(100);
        continue;
      }
      const subject = `${localPart}-${n}`;
      const startedAt = Date.now();
      const result = await swaksSend(address, {
        to: `${localPart}@${TEST_DOMAIN}`,
        from: `client${client}@example.net`,
        helo: `client${client}.example.net`,
        subject,
      });
      const reply = result.dataReply ?? firstRefusal(result.transcript);
      smtp.push({
        subject,
        localPart,
        instance: instance.name,
        startedAt,
        at: Date.now(),
        reply,
        acknowledged: result.dataReply !== undefined && /^250[ -]/.test(result.dataReply),
      });
      if (options.smtpPauseMs) await pause(options.smtpPauseMs);
    }
  };

  const postLoop = async (poster: number): Promise<void> => {
    for (let n = 0; running; n++) {
      const instance = pick();
      if (!instance) {
        await pause(100);
        continue;
      }
      const result = await postForm(
        instance.httpUrl,
        options.formId,
        { name: `Poster ${poster}`, message: `post ${poster}-${n}` },
        { 'x-form-token': options.formToken },
      );
      const id = result.status === 202 ? (result.body as { id?: string }).id : undefined;
      posts.push({ instance: instance.name, at: Date.now(), status: result.status, ...(id ? { id } : {}) });
      await pause(options.postPauseMs ?? 50);
    }
  };

  const loops = [
    ...Array.from({ length: options.smtpClients }, (_, i) => smtpLoop(i)),
    ...Array.from({ length: options.formPosters }, (_, i) => postLoop(i)),
  ];
  return {
    smtp,
    posts,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
