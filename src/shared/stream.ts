/**
 * The events of a streamed turn, as stored by offset in Postgres and as a caller receives them. The
 * activities of a turn write them while it runs; `done` ends a stream. Workflow-safe.
 */
import { z } from 'zod';
import type { TurnResult } from './schemas';

/** Where an activity's events belong: the seq its first item takes. A `discard` names it. */
const step = z.number().int().positive();

/** Events the activities of a turn write while it runs. */
export const StoredStreamEvent = z.discriminatedUnion('type', [
  /** Text the model is generating, in order. */
  z.object({ type: z.literal('text'), step, agent: z.string(), delta: z.string() }),
  /** The model called a tool (written when its reply is complete). */
  z.object({ type: z.literal('tool_call'), step, agent: z.string(), callId: z.string(), name: z.string(), arguments: z.string() }),
  /**
   * A tool answered. `failed`: the call did not do its work (invalid arguments, an unknown tool, a tool
   * that threw on every attempt, a human's rejection) and the output says why; absent in events older workers stored.
   */
  z.object({ type: z.literal('tool_output'), step, callId: z.string(), output: z.string(), failed: z.boolean().optional() }),
  /** The model handed the conversation to another agent. */
  z.object({ type: z.literal('handoff'), step, from: z.string(), to: z.string(), callId: z.string() }),
  /** A tool call waits for a human's approve or reject; the turn goes on once it is decided. */
  z.object({ type: z.literal('approval'), step, agent: z.string(), callId: z.string(), tool: z.string(), arguments: z.string() }),
  /**
   * An item of the model's reply other than text and function calls (reasoning, a hosted tool's call
   * such as a web search), as the API gave it, written when the reply is complete.
   */
  z.object({ type: z.literal('item'), step, agent: z.string(), item: z.looseObject({ type: z.string() }) }),
  /**
   * The model call that wrote the events of `step` was retried: drop every event of that step seen so
   * far (text included); the retry writes its own.
   */
  z.object({ type: z.literal('discard'), step }),
]);
export type StoredStreamEvent = z.infer<typeof StoredStreamEvent>;

/**
 * One event a caller receives: first `started` (the message id to resume with), then the stored
 * events with their offsets (resume after the last one seen), and `done` with the turn's result last.
 */
export type StreamEvent = (StoredStreamEvent & { offset: number }) | { type: 'started'; messageId: string } | { type: 'done'; result: TurnResult };

/** The Postgres channel stream writers notify, with the session id as payload. */
export const STREAM_CHANNEL = 'agent_sessions_stream';

/**
 * Which stream an activity writes to and as what: the message whose turn it runs, the step (the seq its
 * first item takes), and outputs still to announce. The attempt comes from Temporal.
 */
export const StreamTarget = z.object({
  messageId: z.string().min(1),
  step,
  /** Tool outputs the workflow itself made since the last activity (a failed tool's error, a rejection), written first. */
  outputs: z.array(z.object({ callId: z.string(), output: z.string() })).optional(),
});
export type StreamTarget = z.infer<typeof StreamTarget>;
