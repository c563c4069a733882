/**
 * What a fault scenario sent and what became of it, and the check afterwards: every answered message's
 * user item is in the projection exactly once, no failed message left an item, the projection agrees
 * with the workflow, and every session still answers.
 */
import { isDeepStrictEqual } from 'node:util';
import { AgentSessionsError, BackendUnavailableError, WorkerUnavailableError } from '../src/client/errors';
import type { SessionsClient } from '../src/client/sessions-client';
import type { SessionItem } from '../src/shared/schemas';

/** One row of the fault suite's table. */
export interface ChaosRow {
  scenario: string;
  sent: number;
  accepted: number;
  answered: number;
  /** Turns that ended in a typed error the caller saw (the session unchanged by them). */
  typedErrors: number;
  lost: number;
  duplicated: number;
  mismatches: number;
  blocked: number;
  /** Places a scenario found its users' text stored in plaintext where the deployment promised sealing (0 unless a scenario looks). */
  plaintext: number;
  wallSeconds: number;
}

/** The texts of the user messages among `items`, in order. */
export function userTexts(items: SessionItem[]): string[] {
  return items.flatMap((entry) => (entry.item.type === 'message' && entry.item.role === 'user' && typeof entry.item.content === 'string' ? [entry.item.content] : []));
}

/** How long a caller waits before sending a message again. */
const RETRY_PAUSE_MS = 500;

type Outcome = 'answered' | 'typed-error' | 'refused' | 'unsettled';

/** The messages of one scenario, by session, with their outcomes. */
export class Ledger {
  private readonly messages = new Map<string, { sessionId: string; text: string; outcome: Outcome; error?: string }>();
  private readonly started = Date.now();
  private readonly retried: Record<string, number> = {};

  constructor(readonly scenario: string) {}

  /**
   * Sends one message (its text must be unique in the scenario) and records what became of it. For
   * `retryForMs`, a caller told that Temporal or the worker is unavailable sends it again with the same
   * id, as the errors advise.
   */
  async send(client: SessionsClient, sessionId: string, text: string, id: string, retryForMs = 0): Promise<void> {
    this.messages.set(id, { sessionId, text, outcome: 'unsettled' });
    const giveUpAt = Date.now() + retryForMs;
    for (;;) {
      try {
        await client.send(sessionId, { id, text });
        this.settle(id, 'answered');
        return;
      } catch (error) {
        if ((error instanceof BackendUnavailableError || error instanceof WorkerUnavailableError) && Date.now() < giveUpAt) {
          this.count(`retried after: ${error.message}`);
          await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
          continue;
        }
        const typed = error instanceof AgentSessionsError;
        this.settle(id, typed && error.kind === 'system' ? 'typed-error' : typed ? 'refused' : 'unsettled', (error as Error).message);
        return;
      }
    }
  }

  /** The sessions the scenario touched. */
  sessions(): string[] {
    return [...new Set([...this.messages.values()].map((message) => message.sessionId))];
  }

  /** Checks the projection and the sessions; one row of the table. */
  async verify(client: SessionsClient): Promise<ChaosRow> {
    const wallSeconds = Math.round((Date.now() - this.started) / 100) / 10;
    let lost = 0;
    let duplicated = 0;
    let mismatches = 0;
    let blocked = 0;
    for (const sessionId of this.sessions()) {
      const items = await client.items(sessionId).catch(() => []);
      const texts = userTexts(items);
      for (const message of [...this.messages.values()].filter((candidate) => candidate.sessionId === sessionId)) {
        const copies = texts.filter((text) => text === message.text).length;
        if (message.outcome === 'answered' && copies === 0) lost += 1;
        if (copies > 1) duplicated += copies - 1;
        if (message.outcome !== 'answered' && copies > 0 && message.outcome !== 'unsettled') mismatches += 1;
      }
      const seqs = items.map((entry) => entry.seq);
      if (seqs.some((seq, index) => index > 0 && seq <= seqs[index - 1])) mismatches += 1;
      const answered = await Promise.race([
        client.send(sessionId, `are you still there, ${sessionId}?`).then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 90_000)),
      ]);
      if (!answered) blocked += 1;
      const [status, tail, projected] = await Promise.all([client.status(sessionId), client.workflowItems(sessionId, { limit: 50 }), client.items(sessionId, { limit: 50 })]);
      // Compared as values: Postgres's jsonb keeps an object's keys in an order of its own.
      if (status.itemCount !== (await client.items(sessionId)).length || !isDeepStrictEqual(tail, projected)) mismatches += 1;
    }
    const outcomes = [...this.messages.values()];
    lost += outcomes.filter((message) => message.outcome === 'unsettled').length;
    return {
      scenario: this.scenario,
      sent: outcomes.length,
      accepted: outcomes.filter((message) => message.outcome !== 'refused').length,
      answered: outcomes.filter((message) => message.outcome === 'answered').length,
      typedErrors: outcomes.filter((message) => message.outcome === 'typed-error').length,
      lost,
      duplicated,
      mismatches,
      blocked,
      plaintext: 0,
      wallSeconds,
    };
  }

  /** The errors callers saw (those they retried, then those they ended with), counted by message (for the report). */
  errors(): Record<string, number> {
    const counts = { ...this.retried };
    for (const message of this.messages.values()) if (message.error) counts[message.error.slice(0, 120)] = (counts[message.error.slice(0, 120)] ?? 0) + 1;
    return counts;
  }

  /** Counts a retried error, its session ids blanked so that one kind of error is one line. */
  private count(error: string): void {
    const key = error.replace(/"[^"\s]*"/g, '"…"').slice(0, 120);
    this.retried[key] = (this.retried[key] ?? 0) + 1;
  }

  private settle(id: string, outcome: Outcome, error?: string): void {
    const message = this.messages.get(id);
    if (message) this.messages.set(id, { ...message, outcome, ...(error ? { error } : {}) });
  }
}
