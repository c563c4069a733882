/** The inputs and results of the activities, as the workflow sends them and the activities check them. */
import { z } from 'zod';
import { FunctionCallItem, Item, JsonObject, SessionItem, Usage } from './schemas';

/**
 * Which committed items the model sees, as a claim check: the model activity reads them from the
 * projection, so each turn writes only its new items into the workflow history.
 */
export const ItemWindow = z.object({
  fromSeq: z.number().int().positive(),
  throughSeq: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
});
export type ItemWindow = z.infer<typeof ItemWindow>;

/** One model call: the agent, its instructions for this context, and the items to send. */
export const ModelCallInput = z.object({
  sessionId: z.string(),
  agent: z.string(),
  instructions: z.string(),
  committed: ItemWindow,
  turnItems: z.array(Item),
});
export type ModelCallInput = z.infer<typeof ModelCallInput>;

/** What the model answered: an assistant message and/or function calls, and the tokens it used. */
export const ModelCallResult = z.object({
  items: z.array(Item).min(1),
  usage: Usage,
});
export type ModelCallResult = z.infer<typeof ModelCallResult>;

/** One tool call: the call the model made and the session's context at that moment. */
export const ToolCallInput = z.object({
  sessionId: z.string(),
  agent: z.string(),
  call: FunctionCallItem,
  context: JsonObject,
});
export type ToolCallInput = z.infer<typeof ToolCallInput>;

/** A tool's output for the model, and the top-level context keys it sets. */
export const ToolCallResult = z.object({
  output: z.string(),
  contextPatch: JsonObject.optional(),
});
export type ToolCallResult = z.infer<typeof ToolCallResult>;

/** A committed turn for the projection: its new items and the session's summary after it. */
export const ProjectionInput = z.object({
  sessionId: z.string(),
  items: z.array(SessionItem),
  session: z.object({
    agent: z.string(),
    itemCount: z.number().int().nonnegative(),
    lastSeq: z.number().int().nonnegative(),
    status: z.enum(['active']),
  }),
});
export type ProjectionInput = z.infer<typeof ProjectionInput>;
