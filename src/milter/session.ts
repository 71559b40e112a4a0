/**
 * One milter connection: the state of an MTA's SMTP session as the milter protocol reports it, and the evaluation
 * of each message in it.
 *
 * - Connection scope: the client address (SMFIC_CONNECT, or the `{client_addr}` macro), the HELO name and the
 *   macros of those stages. Kept across messages; SMFIC_QUIT_NC clears it too.
 * - Message scope: MAIL FROM, RCPT TO, the evaluator the header fields and body chunks stream into, and which
 *   incoming fields are to be removed. SMFIC_ABORT (RSET, a refused transaction, or after each message) clears it,
 *   and aborts DNS lookups still in flight.
 * - At end of message (SMFIC_BODYEOB): forged `Authentication-Results` and every `X-Mailtrust-*` field removed
 *   (SMFIR_CHGHEADER with an empty value, highest index first), ours inserted at index 0 (above the MTA's own
 *   Received, RFC 8601 §5), `X-Mailtrust-Verdict` and `X-Mailtrust-Reasons` added, then the action's reply.
 */
import type { EvaluateOptions, Evaluation, Evaluator, Resolver } from '../core/index.js';
import { createEvaluator, stripReversePath } from '../core/index.js';
import { newId } from '../store/ids.js';
import type { MessageAction, NewMessage } from '../store/types.js';
import { chooseAction, type MilterActions } from './actions.js';
import { Action, MacroStage, MILTER_VERSION, Protocol, type MilterCommand, type MilterReply } from './codec.js';
import { budgetedResolver, MessageBudget } from './time-budget.js';
import { claimsOurAuthservId, foldValue, formatReplyCode, OWN_FIELD_PREFIX } from './header-fields.js';

/** What every session shares: settings, the engine's options and where results go. */
export interface SessionSettings {
  /** The authserv-id of our `Authentication-Results` (the `hostname` setting). */
  authservId: string;
  actions: MilterActions;
  /** The shared resolver (and its cache); each message sees it through its time budget. */
  resolver: Resolver;
  /** Policy, limits and the rest of the engine's options; `now` is set per message. */
  evaluateOptions: Omit<EvaluateOptions, 'signal' | 'authservId' | 'resolver'>;
  /** The evaluation's time budget: DNS lookups still pending then count as temperror. */
  timeBudgetMs: number;
  /** How often SMFIR_PROGRESS is sent while an evaluation runs (each keeps the MTA waiting). */
  progressIntervalMs: number;
  /** The evaluation clock; default: the time the message ends. */
  clock?: () => Date;
  /**
   * Takes the history row of each evaluated message once its reply is sent; the reply never waits on the write,
   * and the taker reports a failed write. Absent: no history.
   */
  saveMessage?: (message: NewMessage) => void;
  /** Called once per message with what was done (metrics, logs). */
  onMessage?: (outcome: MessageOutcome) => void;
}

/** What became of one message. */
export interface MessageOutcome {
  action: MessageAction;
  /** Absent when the evaluation did not finish within its budget. */
  evaluation?: Evaluation;
  queueId?: string;
  ms: number;
}

/** A session's next step after a command. */
export type SessionStep = 'continue' | 'close';

/** A protocol error of the MTA's command sequence: the connection is closed (the MTA applies its default action). */
export class MilterSequenceError extends Error {
  override readonly name = 'MilterSequenceError';
}

/** The actions we ask for: add/insert and change headers, quarantine, our own macro lists. */
export const WANTED_ACTIONS = Action.ADDHDRS | Action.CHGHDRS | Action.QUARANTINE | Action.SETSYMLIST;

/** Steps we skip or need not answer, granted only as far as the MTA offers them. */
export const WANTED_PROTOCOL =
  Protocol.HDR_LEADSPC |
  Protocol.NOUNKNOWN |
  Protocol.NODATA |
  Protocol.NR_CONN |
  Protocol.NR_HELO |
  Protocol.NR_MAIL |
  Protocol.NR_RCPT |
  Protocol.NR_DATA |
  Protocol.NR_HDR |
  Protocol.NR_EOH |
  Protocol.NR_BODY;

/** Macros we ask for: the client's address and name at connect, the queue id at end of message. */
export const WANTED_MACROS = [
  { stage: MacroStage.CONNECT, names: 'j {daemon_name} {client_addr} {client_name} {client_ptr} _' },
  { stage: MacroStage.ENVFROM, names: 'i {mail_addr} {auth_type} {auth_authen}' },
  { stage: MacroStage.EOM, names: 'i' },
];

/** Macro stages that belong to the connection; the others are cleared with the message. */
const CONNECTION_STAGES = new Set(['C', 'H']);

interface MessageState {
  mailFrom: string;
  rcptTo: string[];
  evaluator?: Evaluator;
  /** Spent when the time budget runs out or the message ends: DNS lookups still pending then answer timeout. */
  budget: MessageBudget;
  /** The blank line ending the header block has been written. */
  headerEnded: boolean;
  /** The header fields so far (latin1, one code unit per byte), written to the evaluator when the header ends. */
  header: string;
  /** Per lower-case field name, how many fields of that name were seen (CHGHEADER indexes count these). */
  seen: Map<string, number>;
  /** Fields to remove: name as sent, and its 1-based index among fields of that name. */
  remove: { name: string; index: number }[];
  size: number;
  from?: string;
  subject?: string;
  startedAt: number;
}

/**
 * Milliseconds from `elapsed` to the next moment `finish` must act: the next SMFIR_PROGRESS, the budget, or the
 * give-up 2 s after it.
 */
function nextWake(elapsed: number, budgetMs: number, progressMs: number): number {
  const nextProgress = (Math.floor(elapsed / progressMs) + 1) * progressMs;
  const deadlines = [nextProgress, budgetMs, budgetMs + 2_000].filter((at) => at > elapsed);
  return Math.max(1, Math.min(...deadlines) - elapsed);
}

/** The address of SMFIC_CONNECT or `{client_addr}`, without the `IPv6:` tag Sendmail puts on v6 addresses. */
function plainAddress(address: string): string {
  return address.replace(/^IPv6:/i, '');
}

export class MilterSession {
  private protocol = 0;
  private actionsGranted = 0;
  private clientAddress: string | undefined;
  private helo: string | undefined;
  private readonly connectionMacros = new Map<string, string>();
  private readonly messageMacros = new Map<string, string>();
  private message: MessageState | undefined;
  private disposed = false;

  constructor(
    private readonly settings: SessionSettings,
    private readonly send: (reply: MilterReply) => void,
  ) {}

  /** Macros known now, the message's over the connection's. */
  macro(name: string): string | undefined {
    return this.messageMacros.get(name) ?? this.connectionMacros.get(name);
  }

  /** True while a message is in progress (between MAIL and its end or abort). */
  get inMessage(): boolean {
    return this.message !== undefined;
  }

  /**
   * Handles one command and sends its reply, if any. Every command but the end of a message is handled at once;
   * the end of a message returns a promise that resolves once its reply is sent. A protocol error throws
   * `MilterSequenceError`.
   */
  handle(command: MilterCommand): SessionStep | Promise<SessionStep> {
    switch (command.kind) {
      case 'optneg':
        this.negotiate(command.version, command.actions, command.protocol);
        return 'continue';
      case 'macro': {
        const target = CONNECTION_STAGES.has(command.stage) ? this.connectionMacros : this.messageMacros;
        for (const [name, value] of command.macros) target.set(name, value);
        return 'continue';
      }
      case 'connect':
        this.clientAddress =
          command.family === 'inet' || command.family === 'inet6' ? plainAddress(command.address) : undefined;
        this.helo = undefined;
        this.reply(Protocol.NR_CONN);
        return 'continue';
      case 'helo':
        // An EHLO after STARTTLS or XCLIENT replaces the earlier one.
        this.helo = command.name;
        this.reply(Protocol.NR_HELO);
        return 'continue';
      case 'mail':
        // A new transaction; the macros of this MAIL (sent just before it) stay.
        this.resetMessage(false);
        this.message = {
          mailFrom: stripReversePath(command.args[0] ?? ''),
          rcptTo: [],
          budget: new MessageBudget(),
          headerEnded: false,
          header: '',
          seen: new Map(),
          remove: [],
          size: 0,
          startedAt: Date.now(),
        };
        this.reply(Protocol.NR_MAIL);
        return 'continue';
      case 'rcpt':
        this.requireMessage('SMFIC_RCPT').rcptTo.push(stripReversePath(command.args[0] ?? ''));
        this.reply(Protocol.NR_RCPT);
        return 'continue';
      case 'data':
        // Not asked for (SMFIP_NODATA); an MTA that sends it anyway gets its reply.
        this.requireMessage('SMFIC_DATA');
        this.reply(Protocol.NR_DATA);
        return 'continue';
      case 'header':
        this.header(command.name, command.value);
        this.reply(Protocol.NR_HDR);
        return 'continue';
      case 'eoh':
        this.endHeader();
        this.reply(Protocol.NR_EOH);
        return 'continue';
      case 'body': {
        this.endHeader();
        const message = this.requireMessage('SMFIC_BODY');
        message.size += command.chunk.length;
        this.evaluatorOf(message).write(command.chunk);
        this.reply(Protocol.NR_BODY);
        return 'continue';
      }
      case 'eom':
        return this.endOfMessage(command.chunk).then(() => 'continue');
      case 'abort':
        this.resetMessage();
        return 'continue';
      case 'quit':
        this.dispose();
        return 'close';
      case 'quitNewConnection':
        this.resetMessage();
        this.connectionMacros.clear();
        this.clientAddress = undefined;
        this.helo = undefined;
        return 'continue';
      case 'unknown':
        // Not asked for (SMFIP_NOUNKNOWN); an MTA that sends it anyway gets a plain continue.
        this.send({ kind: 'continue' });
        return 'continue';
      default: {
        const unreachable: never = command;
        throw new MilterSequenceError(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Ends the session: lookups in flight are aborted and nothing of the message is kept. */
  dispose(): void {
    this.disposed = true;
    this.resetMessage();
  }

  private negotiate(version: number, offeredActions: number, offeredProtocol: number): void {
    if (version < 2) throw new MilterSequenceError(`milter protocol version ${version} is too old (2 to 6 spoken)`);
    this.actionsGranted = WANTED_ACTIONS & offeredActions;
    this.protocol = WANTED_PROTOCOL & offeredProtocol;
    const macros = this.actionsGranted & Action.SETSYMLIST ? WANTED_MACROS : [];
    this.send({
      kind: 'optneg',
      version: Math.min(version, MILTER_VERSION),
      actions: this.actionsGranted,
      protocol: this.protocol,
      macros,
    });
  }

  /** Sends SMFIR_CONTINUE unless the MTA agreed to expect no reply for this step. */
  private reply(noReplyBit: number): void {
    if ((this.protocol & noReplyBit) === 0) this.send({ kind: 'continue' });
  }

  private requireMessage(what: string): MessageState {
    if (!this.message) throw new MilterSequenceError(`${what} outside a message (no SMFIC_MAIL before it)`);
    return this.message;
  }

  private evaluatorOf(message: MessageState): Evaluator {
    if (!message.evaluator) {
      const ip = this.clientAddress ?? plainAddress(this.macro('{client_addr}') ?? '');
      message.evaluator = createEvaluator(
        {
          ip,
          ...(this.helo !== undefined ? { helo: this.helo } : {}),
          mailFrom: message.mailFrom,
          rcptTo: message.rcptTo,
        },
        {
          ...this.settings.evaluateOptions,
          authservId: this.settings.authservId,
          resolver: budgetedResolver(this.settings.resolver, message.budget),
          now: this.settings.clock?.() ?? new Date(),
        },
      );
    }
    return message.evaluator;
  }

  private header(name: string, value: string): void {
    const message = this.requireMessage('SMFIC_HEADER');
    if (message.headerEnded) throw new MilterSequenceError('SMFIC_HEADER after the header block ended');
    const lower = name.toLowerCase();
    const index = (message.seen.get(lower) ?? 0) + 1;
    message.seen.set(lower, index);
    if (
      lower.startsWith(OWN_FIELD_PREFIX) ||
      (lower === 'authentication-results' && claimsOurAuthservId(value, this.settings.authservId))
    )
      message.remove.push({ name, index });
    if (lower === 'from' && message.from === undefined) message.from = value.trim().slice(0, 200);
    if (lower === 'subject' && message.subject === undefined) message.subject = value.trim().slice(0, 200);
    // With SMFIP_HDR_LEADSPC the value keeps its leading space; without it the MTA took one away.
    const separator = this.protocol & Protocol.HDR_LEADSPC ? ':' : ': ';
    const field = `${name}${separator}${value.includes('\n') ? value.replace(/\r?\n/g, '\r\n') : value}\r\n`;
    message.size += field.length;
    message.header += field;
    // The evaluator starts its connection checks (PTR, HELO, SPF) with the first field.
    this.evaluatorOf(message);
  }

  /** Writes the blank line that ends the header block, once (also when a body arrives without SMFIC_EOH). */
  private endHeader(): void {
    const message = this.requireMessage('end of header');
    if (message.headerEnded) return;
    message.headerEnded = true;
    message.size += 2;
    message.header += '\r\n';
    this.evaluatorOf(message).write(Buffer.from(message.header, 'latin1'));
    message.header = '';
  }

  private async endOfMessage(lastChunk: Uint8Array): Promise<void> {
    const message = this.requireMessage('SMFIC_BODYEOB');
    this.endHeader();
    const evaluator = this.evaluatorOf(message);
    if (lastChunk.length > 0) {
      message.size += lastChunk.length;
      evaluator.write(lastChunk);
    }
    const evaluation = await this.finish(message, evaluator);
    if (this.disposed || this.message !== message) return; // the MTA went away meanwhile
    const action: MessageAction = evaluation
      ? chooseAction(evaluation, this.settings.actions)
      : this.settings.actions.temperror === 'tempfail'
        ? 'tempfail'
        : 'tag';
    for (const reply of this.endOfMessageReplies(message, evaluation, action)) this.send(reply);
    const queueId = this.macro('i');
    this.settings.onMessage?.({
      action,
      ...(evaluation ? { evaluation } : {}),
      ...(queueId ? { queueId } : {}),
      ms: Date.now() - message.startedAt,
    });
    // The history is a record of what was decided, not the message (that is the MTA's to keep): it is written
    // after the reply, so a slow or failed write never holds up or changes the mail flow.
    if (evaluation && this.settings.saveMessage)
      this.settings.saveMessage(this.historyRow(message, evaluation, action));
    // The message is done; the MTA follows with SMFIC_ABORT or the next MAIL.
    this.resetMessage();
  }

  /**
   * Waits for the evaluation within its budget: at the budget the evaluation's lookups are aborted (they count as
   * temperror) and SMFIR_PROGRESS is sent meanwhile. Undefined only if the engine did not finish even then.
   */
  private async finish(message: MessageState, evaluator: Evaluator): Promise<Evaluation | undefined> {
    const { timeBudgetMs, progressIntervalMs } = this.settings;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        evaluator.end().catch(() => undefined),
        new Promise<undefined>((resolve) => {
          // One timer per message: SMFIR_PROGRESS every interval; at the budget (counted from the end of the
          // message, when the MTA starts waiting) the lookups are aborted; 2 s later the evaluation is given up.
          const started = Date.now();
          let spent = false;
          const tick = () => {
            const elapsed = Date.now() - started;
            if (!spent && elapsed >= timeBudgetMs) {
              spent = true;
              message.budget.spend();
            }
            if (elapsed >= timeBudgetMs + 2_000) {
              resolve(undefined);
              return;
            }
            if (!this.disposed && elapsed >= progressIntervalMs) this.send({ kind: 'progress' });
            timer = setTimeout(tick, nextWake(elapsed, timeBudgetMs, progressIntervalMs));
          };
          timer = setTimeout(tick, nextWake(0, timeBudgetMs, progressIntervalMs));
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private endOfMessageReplies(
    message: MessageState,
    evaluation: Evaluation | undefined,
    action: MessageAction,
  ): MilterReply[] {
    const top = evaluation?.reasons[0]?.message;
    switch (action) {
      case 'reject':
        return [{ kind: 'replycode', text: formatReplyCode('550', '5.7.1', top ?? 'Message refused by trust policy') }];
      case 'tempfail':
        return [
          {
            kind: 'replycode',
            text: formatReplyCode('451', '4.7.0', top ?? 'Sender could not be checked now (DNS), try again later'),
          },
        ];
      case 'quarantine':
      case 'tag':
      case 'accept': {
        const replies = evaluation ? this.headerReplies(message, evaluation) : [];
        if (action === 'quarantine' && this.actionsGranted & Action.QUARANTINE) {
          const ids = evaluation?.reasons.map((r) => r.id).join(', ') || 'mailtrust';
          replies.push({ kind: 'quarantine', reason: `mailtrust: ${ids}`.slice(0, 100) });
        }
        replies.push({ kind: 'accept' });
        return replies;
      }
      default: {
        const unreachable: never = action;
        throw new Error(`unknown action ${String(unreachable)}`);
      }
    }
  }

  /** Removals of forged and own fields (highest index first, per name), then our fields. */
  private headerReplies(message: MessageState, evaluation: Evaluation): MilterReply[] {
    const replies: MilterReply[] = [];
    const leadingSpace = this.protocol & Protocol.HDR_LEADSPC ? ' ' : '';
    if (this.actionsGranted & Action.CHGHDRS) {
      const removals = [...message.remove].sort((a, b) => b.index - a.index);
      for (const field of removals)
        replies.push({ kind: 'chgheader', index: field.index, name: field.name, value: '' });
    }
    if (this.actionsGranted & Action.ADDHDRS) {
      const authres = evaluation.authenticationResults.replace(/^Authentication-Results:\s*/i, '');
      replies.push({
        kind: 'insheader',
        index: 0,
        name: 'Authentication-Results',
        value: leadingSpace + foldValue('Authentication-Results', authres),
      });
      replies.push({ kind: 'addheader', name: 'X-Mailtrust-Verdict', value: leadingSpace + evaluation.verdict });
      if (evaluation.reasons.length > 0)
        replies.push({
          kind: 'addheader',
          name: 'X-Mailtrust-Reasons',
          value: leadingSpace + foldValue('X-Mailtrust-Reasons', evaluation.reasons.map((r) => r.id).join(', ')),
        });
    }
    return replies;
  }

  private historyRow(message: MessageState, evaluation: Evaluation, action: MessageAction): NewMessage {
    const row: NewMessage = {
      id: newId(),
      receivedAt: Date.now(),
      source: 'milter',
      envelope: evaluation.envelope,
      evaluation,
      action,
      size: message.size,
    };
    if (message.from !== undefined) row.from = message.from;
    if (message.subject !== undefined) row.subject = message.subject;
    return row;
  }

  private resetMessage(clearMacros = true): void {
    if (this.message) {
      this.message.budget.spend();
      this.message = undefined;
    }
    if (clearMacros) this.messageMacros.clear();
  }
}
