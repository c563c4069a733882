/**
 * Every shape that crosses a boundary (client ⇄ workflow, workflow ⇄ activity, Postgres ⇄ reader),
 * as one zod schema with its type under the same name. Workflow-safe: zod only, no I/O.
 */
import { z } from 'zod';
import { MAX_ID_LENGTH, MAX_INPUT_ITEMS, MAX_MESSAGE_BYTES, MAX_TEXT_LENGTH } from './limits';

/** A JSON object: the typed context of a session, and the changes tools make to it. */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

/** A text part of a message's content, as the Responses API spells it. */
export const TextPart = z.object({
  type: z.enum(['input_text', 'output_text']),
  text: z.string(),
});
export type TextPart = z.infer<typeof TextPart>;

/** A message item (Responses API `EasyInputMessage` shape). */
export const MessageItem = z.object({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(TextPart)]),
});
export type MessageItem = z.infer<typeof MessageItem>;

/** The model asking for a tool call (Responses API `function_call` item). */
export const FunctionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
export type FunctionCallItem = z.infer<typeof FunctionCallItem>;

/** A tool's answer to a function call (Responses API `function_call_output` item). */
export const FunctionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.string(),
});
export type FunctionCallOutputItem = z.infer<typeof FunctionCallOutputItem>;

/** One conversation item in a Responses API input item shape. */
export const Item = z.discriminatedUnion('type', [MessageItem, FunctionCallItem, FunctionCallOutputItem]);
export type Item = z.infer<typeof Item>;

/** An item as the session keeps it: its per-session sequence number and the agent that produced it. */
export const SessionItem = z.object({
  seq: z.number().int().positive(),
  agent: z.string(),
  at: z.string(),
  item: Item,
});
export type SessionItem = z.infer<typeof SessionItem>;

/** What a caller may send as input items: user messages only (tool calls come from the model). */
export const UserInputItem = MessageItem.extend({ role: z.literal('user') });
export type UserInputItem = z.infer<typeof UserInputItem>;

/**
 * A user message: `text`, or Responses-style `input` items instead, and an optional id that makes
 * a retried send idempotent (the client always sets one).
 */
export const UserMessage = z
  .object({
    id: z.string().min(1, 'id must not be empty').max(MAX_ID_LENGTH).optional(),
    text: z
      .string({ error: 'text must be a string' })
      .max(MAX_TEXT_LENGTH, `text must be at most ${MAX_TEXT_LENGTH} characters`)
      .optional(),
    input: z.array(UserInputItem).min(1).max(MAX_INPUT_ITEMS).optional(),
  })
  .strict()
  .superRefine((message, ctx) => {
    if (message.text === undefined && message.input === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a message needs text (or input items)' });
    }
    if (message.text !== undefined && message.input !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give either text or input items, not both' });
    }
    if (message.text !== undefined && message.text.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text must not be empty' });
    }
    if (utf8Length(JSON.stringify(message)) > MAX_MESSAGE_BYTES) {
      ctx.addIssue({ code: 'custom', message: `a message must be at most ${MAX_MESSAGE_BYTES} bytes as JSON` });
    }
  });
export type UserMessage = z.infer<typeof UserMessage>;

/** Token usage, summed over the model calls of a turn or a session. */
export const Usage = z.object({
  requests: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof Usage>;

/** What a turn gives back: the reply text and every item the turn added. */
export const TurnResult = z.object({
  messageId: z.string(),
  reply: z.string(),
  agent: z.string(),
  items: z.array(SessionItem),
  usage: Usage,
});
export type TurnResult = z.infer<typeof TurnResult>;

/** How the session starts: its typed context and, optionally, the agent that answers first. */
export const ConversationInput = z.object({
  context: JsonObject.default({}),
  agent: z.string().optional(),
});
export type ConversationInput = z.input<typeof ConversationInput>;

/** Arguments of the `getItems` query. */
export const GetItemsArgs = z
  .object({ limit: z.number().int().positive('limit must be a positive integer').optional() })
  .strict();
export type GetItemsArgs = z.infer<typeof GetItemsArgs>;

/** Arguments of the `updateContext` update: top-level keys to set (shallow merge). */
export const ContextPatch = z.object({ patch: JsonObject }).strict();
export type ContextPatch = z.infer<typeof ContextPatch>;

/** What `getStatus` answers. */
export const SessionStatus = z.object({
  sessionId: z.string(),
  agent: z.string(),
  state: z.enum(['idle', 'running']),
  itemCount: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  usage: Usage,
  historyLength: z.number().int().nonnegative(),
  historySizeBytes: z.number().int().nonnegative(),
});
export type SessionStatus = z.infer<typeof SessionStatus>;

/** The UTF-8 byte length of a string, without Node's Buffer (this module runs in workflows too). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** One line that says what is wrong with an input, from a zod error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
