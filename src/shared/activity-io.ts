/** The inputs and results of the activities, as the workflow sends them and the activities check them. */
import { z } from 'zod';
import { FinishReason, FunctionCallItem, Item, JsonObject, Labels, SessionItem, Usage } from './schemas';
import { ViewEntry } from './view-entry';
import { StreamTarget } from './stream';

/**
 * A session id as activities take it: any non-empty string. The workflow id is the session id, and a
 * session started under an older, looser id rule must keep working.
 */
export const WorkflowSessionId = z.string().min(1);

/** Consecutive seq numbers, both ends included. */
export const SeqRange = z.tuple([z.number().int().positive(), z.number().int().nonnegative()]);
export type SeqRange = z.infer<typeof SeqRange>;

/**
 * Which committed items the model sees, as a claim check: seq ranges in the order the model sees them
 * (a summary first), read back from the projection. So each turn writes only its new items into the
 * workflow history, and a model call costs the same at turn 10 and at turn 10,000.
 */
export const ItemWindow = z.object({
  ranges: z.array(SeqRange),
  count: z.number().int().nonnegative(),
});
export type ItemWindow = z.infer<typeof ItemWindow>;

/**
 * One model call: the agent (empty: the worker's default), the session's context, the window and the
 * turn's own items. The worker's activity resolves the agent's instructions and tools from its registry,
 * so no agent code lives in the workflow.
 */
export const ModelCallInput = z.object({
  sessionId: WorkflowSessionId,
  /** The number of the turn the call belongs to, for the logs (absent in histories recorded before it was sent). */
  turn: z.number().int().positive().optional(),
  agent: z.string(),
  context: JsonObject,
  window: ItemWindow,
  turnItems: z.array(Item),
  /** A session input callback registered with the worker, applied to (window, turn items). */
  inputCallback: z.string().optional(),
  /** The user the session belongs to: their memories are recalled and the memory tools offered. */
  userId: z.string().optional(),
  /** The message stream this call writes its text and calls to (absent in histories recorded before streaming). */
  stream: StreamTarget.optional(),
});
export type ModelCallInput = z.infer<typeof ModelCallInput>;

/** What the workflow must decide for one function call: run the tool, or switch to another agent. */
export const CallPlan = z.discriminatedUnion('kind', [
  /** `approval`: the call waits for a human's decision before it runs. */
  z.object({ kind: z.literal('tool'), approval: z.literal(true).optional() }),
  z.object({ kind: z.literal('handoff'), target: z.string().min(1) }),
]);
export type CallPlan = z.infer<typeof CallPlan>;

/**
 * What the model answered: an assistant message and/or function calls, the tokens it used, the agent
 * that answered (by its registered name) and its limits, and what each function call is (by call id).
 * Histories recorded before agents moved to the worker have items and usage only.
 */
export const ModelCallResult = z.object({
  items: z.array(Item).min(1),
  usage: Usage,
  agent: z.string().optional(),
  maxModelCalls: z.number().int().positive().optional(),
  calls: z.record(z.string(), CallPlan).optional(),
  /** The final answer parsed and checked against the agent's `outputType`, when it has one and the reply calls no tools. */
  output: z.unknown().optional(),
  /** Why the model stopped this reply, when the endpoint said. */
  finishReason: FinishReason.optional(),
});
export type ModelCallResult = z.infer<typeof ModelCallResult>;

/** One summarisation call: the window items to summarise and the model to ask. */
export const SummarizeInput = z.object({
  sessionId: WorkflowSessionId,
  agent: z.string(),
  window: ItemWindow,
  model: z.string().optional(),
});
export type SummarizeInput = z.infer<typeof SummarizeInput>;

/** A summary's text and the tokens it cost. */
export const SummarizeResult = z.object({ text: z.string().min(1), usage: Usage });
export type SummarizeResult = z.infer<typeof SummarizeResult>;

/** One tool call: the call the model made and the session's context at that moment. */
export const ToolCallInput = z.object({
  sessionId: WorkflowSessionId,
  /** The number of the turn the call belongs to, for the logs (absent in histories recorded before it was sent). */
  turn: z.number().int().positive().optional(),
  agent: z.string(),
  call: FunctionCallItem,
  context: JsonObject,
  /** The user the session belongs to (the memory tools act on their memories). */
  userId: z.string().optional(),
  /** The message stream this call writes its output to. */
  stream: StreamTarget.optional(),
});
export type ToolCallInput = z.infer<typeof ToolCallInput>;

/** A tool's output for the model, whether the call failed, and the top-level context keys it sets. */
export const ToolCallResult = z.object({
  output: z.string(),
  /**
   * Whether the call failed (invalid arguments, an unknown tool): the output, which the model reads as
   * any other, says why. Always set by this version; absent in results recorded before it was added.
   */
  failed: z.boolean().optional(),
  contextPatch: JsonObject.optional(),
});
export type ToolCallResult = z.infer<typeof ToolCallResult>;

/**
 * Whether a tool call failed, as its result says. Results recorded before `failed` was added (older
 * histories that replay) carry no such field: for those alone, the old reading, an output starting "Error:".
 */
export function toolCallFailed(result: Pick<ToolCallResult, 'output' | 'failed'>): boolean {
  return result.failed ?? result.output.startsWith('Error:');
}

/** The session row of the projection after an operation. */
export const SessionSummary = z.object({
  agent: z.string(),
  itemCount: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  /** The user the session belongs to, written once known. */
  userId: z.string().optional(),
  /** The session's labels, as they are now. */
  labels: Labels.optional(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

/** Token usage a write spent: a turn's (with its number and message id) or a compaction's. */
export const SpentUsage = z.object({
  kind: z.enum(['turn', 'compaction']),
  turn: z.number().int().positive().optional(),
  messageId: z.string().optional(),
  usage: Usage,
});
export type SpentUsage = z.infer<typeof SpentUsage>;

/** A committed turn (or added items) for the projection: its new items, items it replaces, and the session row after it. */
export const ProjectionInput = z.object({
  sessionId: WorkflowSessionId,
  items: z.array(SessionItem),
  /** Items removed in the same write (a suffix replacement). */
  removeSeqs: z.array(z.number().int().positive()).optional(),
  session: SessionSummary,
  /** The tokens the write spent (a turn, a compaction), recorded once under the seq of its last item. */
  spent: SpentUsage.optional(),
});
export type ProjectionInput = z.infer<typeof ProjectionInput>;

/** Removing the latest item (pop): the seqs to remove, and the session row after it. */
export const RemoveItemsInput = z.object({
  sessionId: WorkflowSessionId,
  /** Remove the items with these seqs; all of the session's items when absent (clear). */
  seqs: z.array(z.number().int().positive()).optional(),
  session: SessionSummary,
});
export type RemoveItemsInput = z.infer<typeof RemoveItemsInput>;

/** Reading a seq range back (to answer a retried operation, or to pop). */
export const ReadItemsInput = z.object({
  sessionId: WorkflowSessionId,
  fromSeq: z.number().int().positive().optional(),
  throughSeq: z.number().int().nonnegative().optional(),
  /** Only the latest N items of the range. */
  latest: z.number().int().positive().optional(),
  /** Leave compaction summaries out. */
  withoutSummaries: z.boolean().optional(),
});
export type ReadItemsInput = z.infer<typeof ReadItemsInput>;

/** How a session ends in the projection: its rows removed (deleted), or marked expired. */
export const EndSessionInput = z.object({ sessionId: WorkflowSessionId, status: z.enum(['deleted', 'expired']) });
export type EndSessionInput = z.infer<typeof EndSessionInput>;

/** Moving a staged session document into the projection (import, fork): the session row's fields and the window to read back. */
export const ImportSessionInput = z.object({
  sessionId: WorkflowSessionId,
  importId: z.string().min(1),
  lastSeq: z.number().int().nonnegative(),
  agent: z.string(),
  userId: z.string().optional(),
  labels: Labels,
  window: z.array(z.number().int().positive()),
});
export type ImportSessionInput = z.infer<typeof ImportSessionInput>;

/** The imported session as the workflow keeps it: its item count, its window's metadata, and the tail of items for queries. */
export const ImportSessionResult = z.object({
  itemCount: z.number().int().nonnegative(),
  view: z.array(ViewEntry),
  tail: z.array(SessionItem),
});
export type ImportSessionResult = z.infer<typeof ImportSessionResult>;
