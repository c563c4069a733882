/**
 * Writes one activity attempt's stream events to Postgres in order: the first text delta as soon as the
 * chunks already received are read (time to first text; a reply that arrives whole is one write), later
 * ones batched every few milliseconds. A write that fails, or finds that a newer attempt took the stream
 * over, fails the attempt, so a caller never sees a gap or a zombie's text.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { FailureType } from '../shared/failures';
import type { StoredStreamEvent, StreamTarget } from '../shared/stream';
import { appendStreamEvents, type StreamWriterKey } from '../postgres/stream-events';

/** How long text deltas gather before they are written together. */
const TEXT_BATCH_MS = 15;

/** Runs `run` after `ms` milliseconds (0: once the events already queued are handled); cancellable. */
function later(ms: number, run: () => void): { cancel(): void } {
  if (ms === 0) {
    const immediate = setImmediate(run);
    return { cancel: () => clearImmediate(immediate) };
  }
  const timeout = setTimeout(run, ms);
  return { cancel: () => clearTimeout(timeout) };
}

/** The stream writer of one activity attempt; `undefined` target: nobody streams (a no-op writer). */
export class StreamWriter {
  private pending: StoredStreamEvent[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: { cancel(): void } | undefined;
  private failure: Error | undefined;
  private wroteText = false;

  private constructor(
    private readonly pool: Pool,
    private readonly key: StreamWriterKey | undefined,
  ) {}

  /**
   * A writer for this activity attempt (a no-op when the worker does not stream, or the workflow gave no
   * target). It writes at once the tool outputs the target says are still to announce;
   * a retry (attempt > 1) claims the stream at once, voiding what earlier attempts wrote.
   */
  static async open(deps: { pool: Pool; streaming: boolean }, sessionId: string, stream: StreamTarget | undefined): Promise<StreamWriter> {
    const target = deps.streaming ? stream : undefined;
    const attempt = Context.current().info.attempt;
    const writer = new StreamWriter(deps.pool, target && { sessionId, messageId: target.messageId, step: target.step, attempt });
    // The workflow makes an output itself only for a failed call (a tool that threw on every attempt, a rejection).
    const outputs = (target?.outputs ?? []).map(({ callId, output }) => ({ type: 'tool_output' as const, step: writer.step, callId, output, failed: true }));
    if (target && (attempt > 1 || outputs.length > 0)) await writer.write(outputs);
    return writer;
  }

  /** The step this attempt writes as (the seq its first item takes). */
  get step(): number {
    return this.key?.step ?? 0;
  }

  /** Adds a text delta: the first is written at once, the rest in short batches. */
  text(agent: string, delta: string): void {
    if (!this.key || delta === '') return;
    this.pending.push({ type: 'text', step: this.key.step, agent, delta });
    this.timer ??= this.wroteText ? later(TEXT_BATCH_MS, () => this.flushNow()) : later(0, () => this.flushNow());
    this.wroteText = true;
    if (this.failure) throw this.failure;
  }

  /** Writes everything added so far plus `events`, and waits until it is stored. */
  async finish(events: StoredStreamEvent[] = []): Promise<void> {
    if (!this.key) return;
    this.pending.push(...events);
    this.flushNow();
    await this.writing;
    if (this.failure) throw this.failure;
  }

  /** Stops the batching timer (the attempt is failing anyway); waits for the write in flight. */
  async abandon(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.writing.catch(() => undefined);
  }

  private flushNow(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.pending.length === 0 || this.failure) return;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing
      .then(() => this.write(batch))
      .catch((error: Error) => {
        this.failure ??= error;
      });
  }

  private async write(events: StoredStreamEvent[]): Promise<void> {
    if (!this.key) return;
    const last = await appendStreamEvents(this.pool, this.key, events);
    if (last === undefined) {
      throw ApplicationFailure.retryable(
        `a newer attempt of this call (step ${this.key.step}) has taken over the stream of message ${this.key.messageId}; this attempt stops`,
        FailureType.TurnFailed,
      );
    }
  }
}
