import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Attachment, Conversation, HostedTool, OfferedTool, StructuredFormat, Turn } from './conversation';
import { checkImageUrl } from './media';
import { refuse } from './wire';

/** The `include` values the reference defines (`ResponseIncludable`). */
export const INCLUDABLE = [
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
] as const;

const WEB_SEARCH_TOOLS = ['web_search', 'web_search_2025_08_26', 'web_search_preview', 'web_search_preview_2025_03_11'];
const TOOL_TYPES = [
  'function',
  'file_search',
  'computer',
  'computer_use_preview',
  ...WEB_SEARCH_TOOLS,
  'mcp',
  'code_interpreter',
  'programmatic_tool_calling',
  'image_generation',
  'local_shell',
  'shell',
  'custom',
  'namespace',
  'tool_search',
  'apply_patch',
];

/**
 * The body of `POST /v1/responses` (`ResponseCreateParams`); unknown fields are kept. `input` items and `tools` are
 * checked one by one afterwards ({@link responsesConversation}), so that a refusal names the item as the service does.
 */
export const ResponsesRequest = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(z.looseObject({}))]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z.unknown().optional(),
  text: z
    .looseObject({
      format: z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) }).optional(),
      verbosity: z.enum(['low', 'medium', 'high']).nullish(),
    })
    .optional(),
  store: z.boolean().nullish(),
  include: z.array(z.enum(INCLUDABLE)).nullish(),
  reasoning: z
    .looseObject({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
    })
    .nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  previous_response_id: z.string().nullish(),
  max_output_tokens: z.number().int().min(16).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
});
/** The body of `POST /v1/responses`; unknown fields are kept. */
export type ResponsesRequest = z.infer<typeof ResponsesRequest>;

/** An input or output item as JSON (`ResponseInputItem` / `ResponseOutputItem`). */
export type WireItem = Record<string, unknown> & { type?: string; id?: string };

/** What the offline model remembers of the responses it stored (`store` not false), to serve `previous_response_id` and item ids. */
export interface ResponsesMemory {
  /** Stored responses by id: the response JSON, and every item of its conversation (its input items, then its output). */
  responses: Map<string, { response: unknown; items: WireItem[] }>;
  /** Every stored item with an id, by id. */
  items: Map<string, WireItem>;
}

/** Everything a Responses request resolves to before the rules run. */
export interface ResolvedResponsesRequest {
  conversation: Conversation;
  /** The conversation's items: the previous response's, then this request's input with `item_reference`s resolved. */
  items: WireItem[];
  /** Number of user messages in `items`, which the encrypted reasoning records as the turn. */
  turn: number;
}

// ---- item schemas (`ResponseInputItem`) -------------------------------------------------------------------------

const InputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const InputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(['low', 'high', 'auto', 'original']).optional(),
});
const InputFile = z.looseObject({
  type: z.literal('input_file'),
  file_data: z.string().optional(),
  file_id: z.string().nullish(),
  file_url: z.string().optional(),
  filename: z.string().optional(),
});
const OutputText = z.looseObject({ type: z.literal('output_text'), text: z.string(), annotations: z.array(z.unknown()).optional() });
const Refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const INPUT_PARTS = { input_text: InputText, input_image: InputImage, input_file: InputFile };
const ASSISTANT_PARTS = { input_text: InputText, output_text: OutputText, refusal: Refusal };

const Message = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
});
const status = z.enum(['in_progress', 'completed', 'incomplete']).nullish();
const callOutput = z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]);
const looseItem = (shape: z.ZodRawShape) => z.looseObject(shape);

/** The fields each item type needs, per the reference; items the rules do not read are otherwise kept as they are. */
const ITEM_SCHEMAS: Record<string, z.ZodType> = {
  message: Message,
  function_call: looseItem({ call_id: z.string(), name: z.string(), arguments: z.string(), id: z.string().optional(), status }),
  function_call_output: looseItem({ call_id: z.string(), output: callOutput, status }),
  custom_tool_call: looseItem({ call_id: z.string(), name: z.string(), input: z.string() }),
  custom_tool_call_output: looseItem({ call_id: z.string(), output: callOutput }),
  reasoning: looseItem({
    id: z.string(),
    summary: z.array(z.looseObject({ type: z.literal('summary_text'), text: z.string() })),
    encrypted_content: z.string().nullish(),
  }),
  compaction: looseItem({ encrypted_content: z.string() }),
  compaction_trigger: looseItem({}),
  item_reference: looseItem({ id: z.string() }),
  web_search_call: looseItem({ id: z.string(), status: z.string() }),
  file_search_call: looseItem({ id: z.string(), queries: z.array(z.string()), status: z.string() }),
  code_interpreter_call: looseItem({ id: z.string(), container_id: z.string(), code: z.string().nullable(), status: z.string() }),
  image_generation_call: looseItem({ id: z.string(), result: z.string().nullable(), status: z.string() }),
  computer_call: looseItem({ id: z.string(), call_id: z.string(), status: z.string() }),
  computer_call_output: looseItem({ call_id: z.string(), output: z.looseObject({ type: z.literal('computer_screenshot') }) }),
  mcp_call: looseItem({ id: z.string(), server_label: z.string(), name: z.string(), arguments: z.string() }),
  mcp_list_tools: looseItem({ id: z.string(), server_label: z.string(), tools: z.array(z.unknown()) }),
  mcp_approval_request: looseItem({ id: z.string(), server_label: z.string(), name: z.string(), arguments: z.string() }),
  mcp_approval_response: looseItem({ approval_request_id: z.string(), approve: z.boolean() }),
  local_shell_call: looseItem({ id: z.string(), call_id: z.string(), action: z.looseObject({}), status: z.string() }),
  local_shell_call_output: looseItem({ id: z.string(), output: z.string() }),
  shell_call: looseItem({ call_id: z.string(), action: z.looseObject({}) }),
  shell_call_output: looseItem({ call_id: z.string(), output: z.array(z.unknown()) }),
  apply_patch_call: looseItem({ call_id: z.string(), operation: z.looseObject({}), status: z.string() }),
  apply_patch_call_output: looseItem({ call_id: z.string(), status: z.string() }),
  tool_search_call: looseItem({}),
  tool_search_output: looseItem({}),
  additional_tools: looseItem({ tools: z.array(z.unknown()) }),
  program: looseItem({ call_id: z.string(), code: z.string() }),
  program_output: looseItem({ call_id: z.string(), result: z.string() }),
};

/** Output items whose later output item must name them by `call_id`, and how the service words a missing call. */
const CALL_OUTPUTS: Record<string, { call: string; words: string }> = {
  function_call_output: { call: 'function_call', words: 'function call output' },
  custom_tool_call_output: { call: 'custom_tool_call', words: 'custom tool call output' },
};

/**
 * Checks a Responses request as the service does and turns it into the neutral conversation the rules read:
 * `instructions` first as a system turn, then the previous response's items (`previous_response_id`), then `input`
 * (a string is one user message). Refuses (400 in the OpenAI error format, or 404 for what cannot be found) an item
 * or tool that is not per the reference, an orphan tool output, an unusable image URL, an `item_reference` or
 * `previous_response_id` it never stored, and a reasoning item whose `encrypted_content` it did not issue or which,
 * without one, it cannot look up.
 */
export function responsesConversation(request: ResponsesRequest, memory: ResponsesMemory): ResolvedResponsesRequest {
  const previous = previousItems(request, memory);
  const rawInput: WireItem[] = typeof request.input === 'string' ? [{ type: 'message', role: 'user', content: request.input }] : (request.input ?? []);
  const input = rawInput.map((item, index) => checkedItem(item, `input[${index}]`, memory, request.store === false));
  const items = [...previous, ...input];
  checkCallOutputs(items);

  const turns: Turn[] = request.instructions ? [{ role: 'system', text: request.instructions }] : [];
  items.forEach((item) => turns.push(turnOf(item)));
  return {
    conversation: { turns, tools: offeredTools(request), hostedTools: hostedTools(request), ...structuredFormat(request) },
    items,
    turn: turns.filter((turn) => turn.role === 'user').length,
  };
}

/** Whether `model` is a reasoning model (o1, o3, o4-mini, gpt-5…), which always reasons first. */
export function isReasoningModel(model: string): boolean {
  return /^o\d/.test(model) || model.startsWith('gpt-5');
}

// ---- encrypted reasoning ----------------------------------------------------------------------------------------

const REASONING_SEAL = 'agent-sessions offline model reasoning v1';

/** What an offline `encrypted_content` records: the response and item that issued it, the turn and the summary. */
export interface SealedReasoning {
  response: string;
  item: string;
  turn: number;
  summary: string;
}

/** A deterministic `encrypted_content`: base64 of JSON recording the response id and turn, with a checksum. */
export function sealReasoning(record: SealedReasoning): string {
  const payload = JSON.stringify(record);
  return Buffer.from(JSON.stringify({ ...record, check: checksum(payload) })).toString('base64');
}

/** The record an `encrypted_content` carries, or undefined when the offline model did not issue it (or it was changed). */
export function unsealReasoning(encrypted: string): SealedReasoning | undefined {
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) return undefined;
    const parsed = z
      .object({ response: z.string(), item: z.string(), turn: z.number(), summary: z.string(), check: z.string() })
      .parse(JSON.parse(Buffer.from(encrypted, 'base64').toString('utf8')));
    const { check, ...record } = parsed;
    return checksum(JSON.stringify(record)) === check ? record : undefined;
  } catch {
    return undefined;
  }
}

function checksum(payload: string): string {
  return createHash('sha256').update(REASONING_SEAL).update(payload).digest('hex').slice(0, 32);
}

// ---- helpers ----------------------------------------------------------------------------------------------------

function previousItems(request: ResponsesRequest, memory: ResponsesMemory): WireItem[] {
  const id = request.previous_response_id;
  if (id == null) return [];
  const stored = memory.responses.get(id);
  if (stored === undefined) refuse(`Previous response with id '${id}' not found.`, 'previous_response_id', 'previous_response_not_found', 404);
  return stored.items;
}

function checkedItem(raw: WireItem, param: string, memory: ResponsesMemory, storeFalse: boolean): WireItem {
  const type = typeof raw.type === 'string' ? raw.type : 'role' in raw ? 'message' : 'id' in raw ? 'item_reference' : undefined;
  if (type === undefined) refuse(`Missing required parameter: '${param}.type'.`, `${param}.type`, 'missing_required_parameter');
  const schema = ITEM_SCHEMAS[type];
  if (schema === undefined) {
    refuse(`Invalid value: '${type}'. Supported values are: ${quoteList(Object.keys(ITEM_SCHEMAS))}.`, `${param}.type`, 'invalid_value');
  }
  const item = parseAt(schema, raw, param) as WireItem;
  if (type === 'message') checkMessageContent(item, param);
  if (type === 'function_call_output' || type === 'custom_tool_call_output') checkOutputParts(item.output, `${param}.output`);
  if (type === 'reasoning') checkReasoning(item, memory, storeFalse);
  if (type === 'item_reference') {
    const stored = memory.items.get(String(item.id));
    if (stored === undefined) refuse(`Item with id '${String(item.id)}' not found.`, 'input', null, 404);
    return stored;
  }
  return item;
}

function checkMessageContent(item: WireItem, param: string): void {
  if (typeof item.content === 'string') return;
  const allowed: Record<string, z.ZodType> = item.role === 'assistant' ? ASSISTANT_PARTS : INPUT_PARTS;
  (item.content as WireItem[]).forEach((part, index) => {
    const partParam = `${param}.content[${index}]`;
    const schema = allowed[String(part.type)];
    if (schema === undefined) {
      refuse(`Invalid value: '${String(part.type)}'. Supported values are: ${quoteList(Object.keys(allowed))}.`, `${partParam}.type`, 'invalid_value');
    }
    parseAt(schema, part, partParam);
    checkMediaPart(part, partParam);
  });
}

function checkOutputParts(output: unknown, param: string): void {
  if (typeof output === 'string') return;
  (output as WireItem[]).forEach((part, index) => {
    const partParam = `${param}[${index}]`;
    const schema = (INPUT_PARTS as Record<string, z.ZodType>)[String(part.type)];
    if (schema === undefined) {
      refuse(`Invalid value: '${String(part.type)}'. Supported values are: ${quoteList(Object.keys(INPUT_PARTS))}.`, `${partParam}.type`, 'invalid_value');
    }
    parseAt(schema, part, partParam);
    checkMediaPart(part, partParam);
  });
}

function checkMediaPart(part: WireItem, param: string): void {
  if (part.type === 'input_image') {
    if (typeof part.image_url === 'string') checkImageUrl(part.image_url, `${param}.image_url`);
    else if (typeof part.file_id !== 'string')
      refuse(`Missing required parameter: '${param}.image_url'. Give an image_url or a file_id.`, `${param}.image_url`, 'missing_required_parameter');
  }
  if (part.type === 'input_file' && ![part.file_data, part.file_id, part.file_url].some((value) => typeof value === 'string')) {
    refuse(`Missing required parameter: '${param}.file_id'. Give a file_data, file_id or file_url.`, `${param}.file_id`, 'missing_required_parameter');
  }
  if (part.type === 'input_file' && typeof part.file_url === 'string') {
    try {
      if (new URL(part.file_url).hostname.endsWith('.invalid')) refuse(`Error while downloading ${part.file_url}.`, 'url', 'invalid_value');
    } catch (error) {
      if (error instanceof TypeError) refuse(`Invalid '${param}.file_url'. Expected a valid URL, but got a value with an invalid format.`, `${param}.file_url`, 'invalid_value');
      throw error;
    }
  }
}

function checkReasoning(item: WireItem, memory: ResponsesMemory, storeFalse: boolean): void {
  const id = String(item.id);
  if (typeof item.encrypted_content === 'string') {
    const record = unsealReasoning(item.encrypted_content);
    if (record === undefined || record.item !== id) {
      refuse(`The encrypted content for item ${id} could not be verified.`, null, 'invalid_encrypted_content');
    }
    return;
  }
  if (memory.items.has(id)) return;
  refuse(
    storeFalse
      ? `Item with id '${id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`
      : `Item with id '${id}' not found.`,
    'input',
    null,
    404,
  );
}

function checkCallOutputs(items: WireItem[]): void {
  const seenCalls = new Set<string>();
  for (const item of items) {
    const rule = CALL_OUTPUTS[String(item.type)];
    if (rule !== undefined && !seenCalls.has(`${rule.call}:${String(item.call_id)}`)) {
      refuse(`No tool call found for ${rule.words} with call_id ${String(item.call_id)}.`, 'input');
    }
    if (typeof item.call_id === 'string') seenCalls.add(`${String(item.type)}:${item.call_id}`);
  }
}

function turnOf(item: WireItem): Turn {
  switch (item.type ?? 'message') {
    case 'message': {
      const role = String(item.role);
      const text = partsText(item.content);
      if (role === 'user') return { role: 'user', text, attachments: attachmentsOf(item.content) };
      if (role === 'assistant') return { role: 'assistant', text };
      return { role: 'system', text };
    }
    case 'function_call':
      return { role: 'toolCall', callId: String(item.call_id), name: String(item.name), arguments: String(item.arguments) };
    case 'custom_tool_call':
      return { role: 'toolCall', callId: String(item.call_id), name: String(item.name), arguments: String(item.input) };
    case 'function_call_output':
    case 'custom_tool_call_output':
      return { role: 'toolResult', callId: String(item.call_id), text: partsText(item.output) };
    default:
      return { role: 'other', type: String(item.type) };
  }
}

/** The text of message content or a tool output: the string, or its text parts joined by newlines. */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as WireItem[]).flatMap((part) => ((part.type === 'input_text' || part.type === 'output_text') && typeof part.text === 'string' ? [part.text] : [])).join('\n');
}

function attachmentsOf(content: unknown): Attachment[] {
  if (!Array.isArray(content)) return [];
  return (content as WireItem[]).flatMap((part): Attachment[] => {
    if (part.type === 'input_image') return [{ kind: 'image' }];
    if (part.type !== 'input_file') return [];
    const filename = typeof part.filename === 'string' ? part.filename : typeof part.file_url === 'string' ? new URL(part.file_url).pathname.split('/').pop() : undefined;
    return [{ kind: 'file', ...(filename && { filename }) }];
  });
}

function offeredTools(request: ResponsesRequest): OfferedTool[] {
  return checkedTools(request).flatMap((tool) => (tool.type === 'function' ? [{ name: String(tool.name), parameters: tool.parameters ?? undefined }] : []));
}

function hostedTools(request: ResponsesRequest): HostedTool[] {
  return checkedTools(request).flatMap((tool): HostedTool[] => {
    if (WEB_SEARCH_TOOLS.includes(tool.type)) return [{ type: 'web_search' }];
    if (tool.type === 'file_search') return [{ type: 'file_search', vectorStoreIds: tool.vector_store_ids as string[] }];
    if (tool.type === 'code_interpreter') return [{ type: 'code_interpreter', containerId: containerIdOf(tool.container) }];
    return [];
  });
}

/** The container a code interpreter tool runs in: the id it names, or a deterministic one for `{ type: 'auto' }`. */
export function containerIdOf(container: unknown): string {
  if (typeof container === 'string') return container;
  return `cntr_${createHash('sha256')
    .update(JSON.stringify(container ?? null))
    .digest('hex')
    .slice(0, 48)}`;
}

const FunctionToolSchema = z.looseObject({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
  description: z.string().nullish(),
});
const FileSearchToolSchema = z.looseObject({ type: z.literal('file_search'), vector_store_ids: z.array(z.string()) });
const CodeInterpreterToolSchema = z.looseObject({
  type: z.literal('code_interpreter'),
  container: z.union([z.string(), z.looseObject({ type: z.literal('auto'), file_ids: z.array(z.string()).optional() })]),
});

/** The request's tools, each checked per the reference (function tools are flat: `{ type, name, parameters, strict }`). */
export function checkedTools(request: ResponsesRequest): Array<Record<string, unknown> & { type: string }> {
  return (request.tools ?? []).map((tool, index) => {
    const param = `tools[${index}]`;
    if (!TOOL_TYPES.includes(tool.type)) {
      refuse(`Invalid value: '${tool.type}'. Supported values are: ${quoteList(TOOL_TYPES)}.`, `${param}.type`, 'invalid_value');
    }
    if (tool.type === 'function') parseAt(FunctionToolSchema, tool, param);
    if (tool.type === 'file_search') parseAt(FileSearchToolSchema, tool, param);
    if (tool.type === 'code_interpreter') parseAt(CodeInterpreterToolSchema, tool, param);
    return tool;
  });
}

function structuredFormat(request: ResponsesRequest): { structuredFormat?: StructuredFormat } {
  const format = request.text?.format;
  if (format?.type !== 'json_schema') return {};
  const checked = parseAt(
    z.looseObject({ type: z.literal('json_schema'), name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }),
    format,
    'text.format',
  );
  return { structuredFormat: { name: checked.name, schema: checked.schema } };
}

/** Parses `value` with `schema`, refusing with the first problem worded as the service words it, at `param`. */
export function parseAt<T>(schema: z.ZodType<T>, value: unknown, param: string): T {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [param, ...issue.path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`))].join('').replace(/^\./, '');
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  if (missing) refuse(`Missing required parameter: '${path}'.`, path, 'missing_required_parameter');
  if (issue.code === 'invalid_type') {
    refuse(`Invalid type for '${path}': expected ${describeExpected(issue.expected)}, but got ${describeValue(issue.input)} instead.`, path, 'invalid_type');
  }
  if (issue.code === 'invalid_value') {
    refuse(`Invalid value: '${String(issue.input)}'. Supported values are: ${quoteList(issue.values.map(String))}.`, path, 'invalid_value');
  }
  return refuse(`Invalid '${path}': ${issue.message}.`, path, 'invalid_value');
}

/** The part of a request body that is not per the reference, worded as the service words it (or undefined). */
export function describeRequestProblem(body: unknown): { message: string; param: string | null; code: string | null } | undefined {
  try {
    parseAt(ResponsesRequest, body, '');
    return undefined;
  } catch (error) {
    const wire = (error as { wire?: { body: { error: { message: string; param: string | null; code: string | null } } } }).wire;
    if (wire === undefined) throw error;
    return wire.body.error;
  }
}

function describeExpected(expected: string): string {
  return expected === 'object' ? 'an object' : expected === 'array' ? 'an array' : `a ${expected}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function quoteList(values: string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}
