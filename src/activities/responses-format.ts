/**
 * Translation between session items and the Responses API. The session keeps items exactly as they
 * were given (the API's own output items, the Agents SDK's spellings, our own); the request's `input`
 * is adapted from them when it is built, never when they are stored: SDK spellings become the API's,
 * fields the API refuses on input are left out, and items it has no type for are left out with a
 * reason. A Response is read through one zod schema of the part we use, and each output item becomes a
 * session item kept as the API gave it (messages, function calls, reasoning, hosted tool calls…).
 */
import type OpenAI from 'openai';
import { z } from 'zod';
import type { HostedTool } from '../shared/agent';
import type { ContentPart } from '../shared/content-parts';
import { isFunctionCall, isMessage, typeOf, type Item } from '../shared/items';
import type { FinishReason, Usage } from '../shared/schemas';
import { callUsage } from '../shared/usage';
import { fileSource, imageSource } from './part-sources';

type Json = Record<string, unknown>;

/** The request's `input`, and why each item (or part) the Responses API cannot take was left out. */
export interface ResponsesInput {
  input: OpenAI.Responses.ResponseInputItem[];
  /** One line per item or part left out, for the log. */
  omitted: string[];
}

/** Item types the Responses API takes as input as they are (after the common clean-up). */
const PASS_THROUGH_TYPES = new Set([
  'function_call',
  'function_call_output',
  'compaction',
  'compaction_trigger',
  'item_reference',
  'web_search_call',
  'file_search_call',
  'code_interpreter_call',
  'image_generation_call',
  'computer_call',
  'computer_call_output',
  'local_shell_call',
  'local_shell_call_output',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
  'custom_tool_call',
  'custom_tool_call_output',
  'tool_search_call',
  'tool_search_output',
  'additional_tools',
  'program',
  'program_output',
]);

/** Item types the Responses API refuses as input without the id it gave them. */
const NEEDS_ID = new Set([
  'computer_call',
  'web_search_call',
  'file_search_call',
  'code_interpreter_call',
  'image_generation_call',
  'local_shell_call',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_call',
]);

/** Fields no input item takes: the SDK's provider data, its camelCase ids, output-only fields. */
const NEVER_ON_INPUT = ['providerData', 'callId', 'created_by'];

/** The SDK's hosted tool names (`providerData.type`) and the API item types they stand for. */
const HOSTED_ITEM_TYPES: Record<string, string> = {
  web_search: 'web_search_call',
  web_search_call: 'web_search_call',
  file_search: 'file_search_call',
  file_search_call: 'file_search_call',
  code_interpreter: 'code_interpreter_call',
  code_interpreter_call: 'code_interpreter_call',
  image_generation: 'image_generation_call',
  image_generation_call: 'image_generation_call',
  mcp_call: 'mcp_call',
  mcp_list_tools: 'mcp_list_tools',
  mcp_approval_request: 'mcp_approval_request',
  mcp_approval_response: 'mcp_approval_response',
};

/** The id the Agents SDK gives items that have none of the API's. */
const SDK_PLACEHOLDER_ID = '__fake_id__';

/** The session items as the Responses API's `input`, in order. */
export function toResponsesInput(items: Item[]): ResponsesInput {
  const input: Json[] = [];
  const omitted: string[] = [];
  for (const item of items) {
    const adapted = responsesItem(item, omitted);
    if (adapted) input.push(adapted);
  }
  return { input: input as unknown as OpenAI.Responses.ResponseInputItem[], omitted };
}

/** One session item as a Responses input item, or undefined (with the reason in `omitted`). */
export function responsesItem(item: Item, omitted: string[]): Json | undefined {
  const record = item as Json;
  const type = typeOf(item);
  if (isMessage(item)) return messageItem(record, omitted);
  if (type === 'function_call_result') {
    return withoutSdkFields({
      type: 'function_call_output',
      call_id: record.callId ?? record.call_id,
      output: toolOutput(record.output, omitted),
      ...(validId(record.id) ? { id: record.id } : {}),
    });
  }
  if (type === 'computer_call_result') {
    const { type: _type, output, ...rest } = record;
    return cleaned({ ...rest, type: 'computer_call_output', call_id: record.callId ?? record.call_id, output: screenshot(output) });
  }
  if (type === 'reasoning') return reasoningItem(record, omitted);
  if (type === 'hosted_tool_call') return hostedCallItem(record, omitted);
  if (type === 'unknown' && isObject(record.providerData) && typeof record.providerData.type === 'string') {
    return responsesItem({ ...record.providerData, ...(validId(record.id) ? { id: record.id } : {}) } as Item, omitted);
  }
  if (PASS_THROUGH_TYPES.has(type) && NEEDS_ID.has(type) && !validId(record.id)) {
    omitted.push(`a ${type} item without an id (the Responses API needs the id it gave)`);
    return undefined;
  }
  if (PASS_THROUGH_TYPES.has(type)) {
    const adapted = cleaned({ ...record, ...(record.callId !== undefined && record.call_id === undefined ? { call_id: record.callId } : {}) });
    if (type === 'function_call_output' || type === 'custom_tool_call_output') adapted.output = toolOutput(record.output, omitted);
    return adapted;
  }
  omitted.push(`a ${type} item (the Responses API has no input item of that type)`);
  return undefined;
}

/** A message: input roles keep only what an input message takes; an assistant message keeps the API's output shape. */
function messageItem(record: Json, omitted: string[]): Json {
  const role = record.role as string;
  const content = record.content as string | ContentPart[];
  if (role === 'assistant') {
    const parts = typeof content === 'string' ? content : content.flatMap((part) => assistantPart(part, omitted));
    return {
      type: 'message',
      role,
      content: parts,
      ...(validId(record.id) ? { id: record.id } : {}),
      ...(typeof record.status === 'string' ? { status: record.status } : {}),
      ...(typeof record.phase === 'string' ? { phase: record.phase } : {}),
    };
  }
  const parts = typeof content === 'string' ? content : content.flatMap((part) => inputPart(part, omitted, `a ${role} message`));
  return { type: 'message', role, content: parts };
}

/** An assistant message part: text (as `output_text`) and refusals; the rest is left out. */
function assistantPart(part: ContentPart, omitted: string[]): Json[] {
  if (part.type === 'output_text' || part.type === 'input_text') {
    return [
      {
        type: 'output_text',
        text: part.text,
        annotations: Array.isArray(part.annotations) ? part.annotations : [],
        ...(Array.isArray(part.logprobs) ? { logprobs: part.logprobs } : {}),
      },
    ];
  }
  if (part.type === 'refusal') return [{ type: 'refusal', refusal: part.refusal }];
  omitted.push(`a ${part.type} part of an assistant message (the Responses API takes only text and refusals there)`);
  return [];
}

/**
 * A part of an input message or a tool output: text, an image (`image_url` or `file_id`, from the SDK's
 * `image`), a file (`file_data`, `file_id` or `file_url`, from the SDK's `file`); the rest is left out.
 */
export function inputPart(part: ContentPart, omitted: string[], where: string): Json[] {
  if (part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') return [{ type: 'input_text', text: part.text }];
  if (part.type === 'refusal') return [{ type: 'input_text', text: part.refusal }];
  if (part.type === 'input_image' || part.type === 'image') {
    const source = imageSource(part);
    if ('problem' in source) {
      omitted.push(`an image part of ${where} that ${source.problem}`);
      return [];
    }
    return [{ type: 'input_image', detail: typeof part.detail === 'string' ? part.detail : 'auto', ...source }];
  }
  if (part.type === 'input_file' || part.type === 'file') {
    const source = fileSource(part);
    if ('problem' in source) {
      omitted.push(`a file part of ${where} that ${source.problem}`);
      return [];
    }
    return [{ type: 'input_file', ...source }];
  }
  omitted.push(`a ${part.type} part of ${where} (the Responses API takes text, images and files there)`);
  return [];
}

/**
 * A tool's output: a string as it is; parts (the API's or the SDK's, or one SDK output object) as
 * `input_*` parts, an SDK text object as its text.
 */
function toolOutput(output: unknown, omitted: string[]): unknown {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return (output as ContentPart[]).flatMap((part) => inputPart(part, omitted, 'a tool output'));
  if (isObject(output) && typeof output.type === 'string') {
    if (output.type === 'text' && typeof output.text === 'string') return output.text;
    return inputPart(output as ContentPart, omitted, 'a tool output');
  }
  return JSON.stringify(output) ?? '';
}

/**
 * Reasoning: the API's spelling (`summary`, `encrypted_content`) as it is; the SDK's (`content` of
 * text parts, the encrypted reasoning in `providerData`) as the API's. Without an id it cannot be sent.
 */
function reasoningItem(record: Json, omitted: string[]): Json | undefined {
  const providerData = isObject(record.providerData) ? record.providerData : {};
  const id = validId(record.id) ? record.id : validId(providerData.id) ? providerData.id : undefined;
  if (id === undefined) {
    omitted.push('a reasoning item without an id (the Responses API needs the id it gave)');
    return undefined;
  }
  const encrypted = record.encrypted_content ?? providerData.encrypted_content ?? providerData.encryptedContent;
  const sdkSpelling = !Array.isArray(record.summary) && Array.isArray(record.content);
  const summary = Array.isArray(record.summary)
    ? (record.summary as Json[]).map((part) => ({ type: 'summary_text', text: String(part.text ?? '') }))
    : sdkSpelling
      ? (record.content as Json[]).map((part) => ({ type: 'summary_text', text: String(part.text ?? '') }))
      : [];
  const content = !sdkSpelling && Array.isArray(record.content) ? (record.content as Json[]).filter((part) => part.type === 'reasoning_text') : [];
  return {
    type: 'reasoning',
    id,
    summary,
    ...(content.length > 0 ? { content: content.map((part) => ({ type: 'reasoning_text', text: part.text })) } : {}),
    ...(typeof encrypted === 'string' ? { encrypted_content: encrypted } : {}),
    ...(typeof record.status === 'string' ? { status: record.status } : {}),
  };
}

/** The SDK's record of a hosted tool's call: the API item its provider data holds, or left out. */
function hostedCallItem(record: Json, omitted: string[]): Json | undefined {
  const providerData = isObject(record.providerData) ? record.providerData : undefined;
  const type = providerData && typeof providerData.type === 'string' ? HOSTED_ITEM_TYPES[providerData.type] : HOSTED_ITEM_TYPES[String(record.name)];
  if (!providerData || type === undefined) {
    omitted.push(`a hosted_tool_call item "${String(record.name)}" without the provider's item (nothing the Responses API can take)`);
    return undefined;
  }
  const id = validId(record.id) ? record.id : providerData.id;
  const status = record.status ?? providerData.status;
  return cleaned({ ...snakeCased(providerData), type, ...(id !== undefined ? { id } : {}), ...(status !== undefined ? { status } : {}) });
}

/** The item without the fields no input item takes (and without the SDK's placeholder id). */
function cleaned(record: Json): Json {
  const copy = { ...record };
  for (const field of NEVER_ON_INPUT) delete copy[field];
  if (copy.id === SDK_PLACEHOLDER_ID) delete copy.id;
  return copy;
}

function withoutSdkFields(record: Json): Json {
  return cleaned(record);
}

/** A computer screenshot as the API's output takes it: the SDK's `data` (a data URL or a URL) as `image_url`. */
function screenshot(output: unknown): unknown {
  if (!isObject(output) || typeof output.data !== 'string' || output.image_url !== undefined) return output;
  const { data, ...rest } = output;
  return { ...rest, image_url: data };
}

function validId(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && id !== SDK_PLACEHOLDER_ID;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Top-level camelCase keys in snake_case (the SDK's provider data may use either). */
function snakeCased(record: Json): Json {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`), value]));
}

// ---- tools ---------------------------------------------------------------------------------------------------

/** A function tool as the Responses API declares it (flat); strict when its schema already meets strict mode. */
export function responsesFunctionTool(tool: { name: string; description: string; parameters: Record<string, unknown> }): OpenAI.Responses.FunctionTool {
  return { type: 'function', name: tool.name, description: tool.description, parameters: tool.parameters, strict: isStrictSchema(tool.parameters) };
}

/** A hosted tool as the Responses API declares it. */
export function responsesHostedTool(tool: HostedTool): OpenAI.Responses.Tool {
  switch (tool.type) {
    case 'web_search':
      return { type: 'web_search' };
    case 'file_search':
      return { type: 'file_search', vector_store_ids: tool.vectorStoreIds };
    case 'code_interpreter':
      return { type: 'code_interpreter', container: { type: 'auto' } };
  }
}

/** Whether a JSON schema meets strict mode: every object lists all its properties as required and allows no others. */
export function isStrictSchema(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictSchema);
  if (!isObject(schema)) return true;
  if (schema.type === 'object') {
    const properties = isObject(schema.properties) ? Object.keys(schema.properties) : [];
    const required = Array.isArray(schema.required) ? schema.required : [];
    if (schema.additionalProperties !== false || properties.some((key) => !required.includes(key))) return false;
  }
  return Object.values(schema).every((value) => typeof value !== 'object' || value === null || isStrictSchema(value));
}

// ---- the response ----------------------------------------------------------------------------------------------

/** The token counts of a Response. */
export const ResponsesUsage = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  input_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int().nonnegative().nullish() }).nullish(),
});

/** The part of a Response the agent loop reads; anything else the endpoint sends is ignored. */
export const ResponsesReply = z.object({
  status: z.enum(['completed', 'incomplete', 'failed', 'in_progress', 'queued', 'cancelled']).nullish(),
  output: z.array(z.looseObject({ type: z.string() })),
  usage: ResponsesUsage.nullish(),
  incomplete_details: z.object({ reason: z.string().nullish() }).nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string() }).nullish(),
});
export type ResponsesReply = z.infer<typeof ResponsesReply>;

/** The session items of a Response: every output item as the API gave it; an empty answer when it gave none. */
export function fromResponse(reply: ResponsesReply): Item[] {
  const items = reply.output as Item[];
  return items.length > 0 ? items : [{ type: 'message', role: 'assistant', content: '' }];
}

/** The project's usage for a Response's usage. */
export function responsesUsage(usage: ResponsesReply['usage']): Usage {
  return callUsage({
    input: usage?.input_tokens,
    output: usage?.output_tokens,
    total: usage?.total_tokens,
    reasoning: usage?.output_tokens_details?.reasoning_tokens,
    cached: usage?.input_tokens_details?.cached_tokens,
  });
}

/** Why a Response stopped, in the words the chat API uses. */
export function responsesFinishReason(reply: ResponsesReply, items: Item[]): FinishReason {
  if (reply.status === 'incomplete') return reply.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'length';
  return items.some(isFunctionCall) ? 'tool_calls' : 'stop';
}
