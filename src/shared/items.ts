/**
 * Conversation items: every item the Responses API defines (messages with text, image and file parts,
 * function calls and outputs, reasoning, hosted tool calls, compaction…) and the `@openai/agents` SDK's
 * own spellings of them (`callId`, `function_call_result`, `hosted_tool_call`…). Known types are checked
 * structurally; an item of a type this version does not know, but with a `type` string, is kept as
 * given, so new item types never break a deployment. Nothing is rewritten: what is stored is exactly
 * what was given. Workflow-safe: zod only.
 */
import { z } from 'zod';
import { ContentPart, forwardIssues, partLabel, partText, UserContentPart } from './content-parts';
import { MAX_CALL_ID_LENGTH, MAX_ENCRYPTED_CONTENT_CHARS } from './limits';
import { findUnstorable } from './text';

/** A call id: what pairs a call with its output. */
const CallId = z.string().min(1).max(MAX_CALL_ID_LENGTH);

/** Message content: a string, or content parts. */
const MessageContent = z.union([z.string(), z.array(ContentPart)]);

/** A message (Responses API `EasyInputMessage` / output message; the SDK's message items). */
export const MessageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: MessageContent,
});
/** A message item. */
export type MessageItem = {
  type?: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | ContentPart[];
  [key: string]: unknown;
};

/**
 * The model asking for a function tool call, as the Responses API spells it (`call_id`). The workflow
 * runs these; the SDK's spelling (`callId`) is a `SdkFunctionCall`.
 */
export const FunctionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: CallId,
  name: z.string().min(1).max(MAX_CALL_ID_LENGTH),
  arguments: z.string(),
});
/** A function call the workflow can run. */
export type FunctionCallItem = z.infer<typeof FunctionCallItem>;

/** A function tool's output: a string, or content parts (text, images, files). */
const FunctionOutput = z.union([z.string(), z.array(ContentPart)]);

/** A tool's answer to a function call (Responses API `function_call_output`). */
export const FunctionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: CallId,
  output: FunctionOutput,
});
/** A function call's output. */
export type FunctionCallOutputItem = z.infer<typeof FunctionCallOutputItem>;

/** A call id under either spelling: the API's `call_id` or the SDK's `callId`. */
const EitherCallId = z
  .looseObject({ call_id: CallId.optional(), callId: CallId.optional() })
  .refine((item) => (item.call_id === undefined) !== (item.callId === undefined), { message: 'give the call id as call_id or callId (one of them)' });

/** Reasoning: a summary, the reasoning text (some models), and the encrypted reasoning sent back on later calls. */
const ReasoningItem = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })).optional(),
  content: z.array(z.looseObject({ type: z.string() })).nullish(),
  encrypted_content: z.string().max(MAX_ENCRYPTED_CONTENT_CHARS, `encrypted_content must be at most ${MAX_ENCRYPTED_CONTENT_CHARS} characters`).nullish(),
});

/** The SDK's function result: its call id, the tool's name and the output (text, an image, a file, or parts). */
const SdkFunctionResult = z.looseObject({
  type: z.literal('function_call_result'),
  callId: CallId,
  name: z.string(),
  output: z.union([z.string(), z.looseObject({ type: z.string() }), z.array(ContentPart)]),
});

/** The SDK's record of a call a hosted tool made on the provider's side. */
const SdkHostedToolCall = z.looseObject({ type: z.literal('hosted_tool_call'), name: z.string() });

/** The pairs of item types where a call waits for its output, by call type. */
const CALL_OUTPUTS: Record<string, string[]> = {
  function_call: ['function_call_output', 'function_call_result'],
  computer_call: ['computer_call_output', 'computer_call_result'],
  local_shell_call: ['local_shell_call_output'],
  shell_call: ['shell_call_output'],
  apply_patch_call: ['apply_patch_call_output'],
  custom_tool_call: ['custom_tool_call_output'],
};
const OUTPUT_CALL: Record<string, string> = Object.fromEntries(Object.entries(CALL_OUTPUTS).flatMap(([call, outputs]) => outputs.map((output) => [output, call])));

/** Hosted tool calls the provider runs itself (stored, streamed and shown; nothing for the worker to run). */
export const HOSTED_TOOL_CALL_TYPES = [
  'web_search_call',
  'file_search_call',
  'code_interpreter_call',
  'image_generation_call',
  'mcp_call',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'tool_search_call',
  'hosted_tool_call',
] as const;

/** The structural check of each known item type beyond its `type`. */
const KNOWN_ITEMS: Record<string, z.ZodType> = {
  message: MessageItem,
  function_call: z.looseObject({ type: z.literal('function_call'), name: z.string().min(1).max(MAX_CALL_ID_LENGTH), arguments: z.string() }).and(EitherCallId),
  function_call_output: FunctionCallOutputItem,
  function_call_result: SdkFunctionResult,
  reasoning: ReasoningItem,
  computer_call: EitherCallId,
  computer_call_output: EitherCallId.and(z.looseObject({ output: z.looseObject({ type: z.string() }) })),
  computer_call_result: EitherCallId.and(z.looseObject({ output: z.looseObject({ type: z.string() }) })),
  local_shell_call_output: z.looseObject({ call_id: CallId.optional(), id: z.string().optional() }),
  shell_call: EitherCallId,
  shell_call_output: EitherCallId,
  apply_patch_call: EitherCallId,
  apply_patch_call_output: EitherCallId,
  custom_tool_call: z.looseObject({ call_id: CallId, name: z.string().min(1), input: z.string() }),
  custom_tool_call_output: z.looseObject({ call_id: CallId, output: FunctionOutput }),
  hosted_tool_call: SdkHostedToolCall,
  compaction: z.looseObject({ encrypted_content: z.string().max(MAX_ENCRYPTED_CONTENT_CHARS) }),
  item_reference: z.looseObject({ id: z.string().min(1) }),
};

/**
 * One conversation item, checked for its shape and kept exactly as given: a known type must have the
 * fields that type has (extra fields stay, as the API adds them over time); an unknown type must have a
 * `type` string; a message may leave its `type` out, as the API allows. Every string and key must be
 * text every store can keep.
 */
export const Item = z.looseObject({ type: z.string({ error: 'an item needs a type' }).optional() }).superRefine((item, ctx) => {
  const type = item.type ?? ('role' in item ? 'message' : undefined);
  if (type === undefined) {
    ctx.addIssue({ code: 'custom', message: 'an item needs a type (or a role, for a message)' });
    return;
  }
  const known = KNOWN_ITEMS[type];
  if (known) {
    const result = known.safeParse(item);
    if (!result.success) return forwardIssues(ctx, result.error);
  }
  storable(item, ctx);
}) as unknown as z.ZodType<Item>;
/** One conversation item: a known shape, or any object with a `type` (kept as given). */
export type Item = MessageItem | FunctionCallItem | FunctionCallOutputItem | OtherItem;
/** An item other than a message, an API-spelled function call or its output. */
export type OtherItem = { type: string; [key: string]: unknown };

/** What a user message may be made of: text, images and files (`UserInputItem` is a whole message). */
export const UserInputItem = MessageItem.extend({ role: z.literal('user'), content: z.union([z.string(), z.array(UserContentPart)]) }).superRefine(storable);

/** Refuses a value with a string or key that a store cannot keep (NUL, a lone surrogate). */
function storable(value: unknown, ctx: z.RefinementCtx): void {
  const found = findUnstorable(value);
  if (found) ctx.addIssue({ code: 'custom', path: found.path ? found.path.split('.') : [], message: `text ${found.reason}` });
}
/** A user message as input. */
export type UserInputItem = MessageItem & { role: 'user' };

/** Whether an item is a message. */
export function isMessage(item: Item): item is MessageItem {
  return (item.type === undefined || item.type === 'message') && 'role' in item && 'content' in item;
}

/** Whether an item is a function call the workflow runs (the API's spelling). */
export function isFunctionCall(item: Item): item is FunctionCallItem {
  return item.type === 'function_call' && typeof (item as { call_id?: unknown }).call_id === 'string';
}

/** The type of an item (`message` for a typeless message). */
export function typeOf(item: Item): string {
  return item.type ?? 'message';
}

/**
 * Where an item stands in the call/output pairing: a call that waits for its output, an output that
 * answers a call, or neither (messages, reasoning, hosted calls the provider ran itself).
 */
export function pairingOf(item: Item): { role: 'call' | 'output'; callId: string } | undefined {
  const type = typeOf(item);
  const record = item as { call_id?: unknown; callId?: unknown };
  const callId = typeof record.call_id === 'string' ? record.call_id : typeof record.callId === 'string' ? record.callId : undefined;
  if (callId === undefined) return undefined;
  if (CALL_OUTPUTS[type]) return { role: 'call', callId };
  if (OUTPUT_CALL[type]) return { role: 'output', callId };
  return undefined;
}

/** The text of a message's content: the string, or its text and refusal parts joined. */
export function contentText(content: MessageItem['content']): string {
  if (typeof content === 'string') return content;
  return content.map((part) => partText(part) ?? '').join('');
}

/** The message's content for reading: its text, with a short label for each part that is not text. */
export function contentForDisplay(content: MessageItem['content']): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => partText(part) ?? partLabel(part))
    .join(' ')
    .trim();
}

/** A function output for reading: the string, or its parts as text and labels. */
export function outputForDisplay(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return contentForDisplay(output as ContentPart[]);
  if (output && typeof output === 'object' && 'type' in output) {
    const part = output as ContentPart;
    if (part.type === 'text' && typeof part.text === 'string') return part.text;
    return partLabel({ ...part, type: part.type === 'image' ? 'input_image' : part.type === 'file' ? 'input_file' : part.type });
  }
  return JSON.stringify(output);
}

/**
 * One short line for any item, for transcripts, the CLI and logs of what happened: a message's text
 * (with labels for images and files), a call with its arguments, an output, or a label for the rest.
 */
export function describeItem(item: Item): string {
  const record = item as Record<string, unknown>;
  if (isMessage(item)) return `${item.role}: ${contentForDisplay(item.content)}`;
  const type = typeOf(item);
  if (type === 'function_call') return `tool call ${String(record.name)}(${String(record.arguments)})`;
  if (type === 'function_call_output' || type === 'function_call_result' || type === 'custom_tool_call_output') return `tool output: ${outputForDisplay(record.output)}`;
  if (type === 'reasoning') {
    const summary = Array.isArray(record.summary)
      ? record.summary
          .map((part: { text?: unknown }) => String(part.text ?? ''))
          .join(' ')
          .trim()
      : '';
    return summary ? `[reasoning] ${summary}` : '[reasoning]';
  }
  if (type === 'hosted_tool_call') return `[hosted tool ${String(record.name)}]`;
  if (type === 'web_search_call') {
    const action = record.action as { query?: unknown } | undefined;
    return action?.query ? `[web search: ${String(action.query)}]` : '[web search]';
  }
  return `[${type.replace(/_/g, ' ')}]`;
}
