/**
 * The state of one conversation inside its workflow: committed items, context, active agent, the
 * queue of messages waiting for their turn, and the outcomes of recent messages (for retries).
 */
import type { ItemWindow } from '../shared/activity-io';
import { REMEMBERED_MESSAGE_IDS } from '../shared/limits';
import type { JsonObject, SessionItem, TurnResult, Usage, UserMessage } from '../shared/schemas';

/** A message with its id fixed, waiting for its turn. */
export interface QueuedMessage {
  id: string;
  message: UserMessage;
}

/** How a message's turn ended: its result, or the failure the caller sees. */
export type TurnOutcome = { ok: true; result: TurnResult } | { ok: false; type: string; message: string };

/** Zero usage. */
export function emptyUsage(): Usage {
  return { requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

/** Adds two usage records. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    requests: a.requests + b.requests,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/** One conversation's state; only the workflow mutates it, one turn at a time. */
export class SessionState {
  readonly items: SessionItem[] = [];
  readonly queue: QueuedMessage[] = [];
  private readonly outcomes = new Map<string, TurnOutcome>();
  running: QueuedMessage | undefined;
  lastSeq = 0;
  turns = 0;
  usage: Usage = emptyUsage();

  constructor(
    readonly sessionId: string,
    public context: JsonObject,
    public agent: string,
  ) {}

  /** Queues a message unless its id is already queued, running or answered; returns its id. */
  enqueue(id: string, message: UserMessage): string {
    const known = this.outcomes.has(id) || this.running?.id === id || this.queue.some((queued) => queued.id === id);
    if (!known) this.queue.push({ id, message });
    return id;
  }

  /** The outcome of a message's turn, once it has one. */
  outcome(id: string): TurnOutcome | undefined {
    return this.outcomes.get(id);
  }

  /** Records a turn's outcome, forgetting the oldest beyond the remembered bound. */
  remember(id: string, outcome: TurnOutcome): void {
    this.outcomes.set(id, outcome);
    while (this.outcomes.size > REMEMBERED_MESSAGE_IDS) {
      const oldest = this.outcomes.keys().next().value;
      if (oldest === undefined) break;
      this.outcomes.delete(oldest);
    }
  }

  /** Commits a turn's items, context and usage. */
  commit(items: SessionItem[], context: JsonObject, agent: string, usage: Usage): void {
    this.items.push(...items);
    if (items.length > 0) this.lastSeq = items[items.length - 1].seq;
    this.context = context;
    this.agent = agent;
    this.usage = addUsage(this.usage, usage);
    this.turns += 1;
  }

  /** The latest `limit` committed items in chronological order (all when limit is absent). */
  latestItems(limit?: number): SessionItem[] {
    return limit === undefined ? [...this.items] : this.items.slice(-limit);
  }

  /** The committed items the model sees, as a range the projection can serve. */
  window(): ItemWindow {
    const first = this.items[0];
    return { fromSeq: first ? first.seq : 1, throughSeq: this.lastSeq, count: this.items.length };
  }
}
