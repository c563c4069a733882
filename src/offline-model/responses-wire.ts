import { createHash } from 'node:crypto';
import type {
  Response,
  ResponseCodeInterpreterToolCall,
  ResponseFileSearchToolCall,
  ResponseFunctionToolCall,
  ResponseFunctionWebSearch,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputText,
  ResponseReasoningItem,
  ResponseStreamEvent,
  ResponseUsage,
} from 'openai/resources/responses/responses';
import { OFFLINE_SEARCH_URL } from './responder';
import type { Citation, HostedCall, PlannedToolCall } from './protocol';
import { checkedTools, containerIdOf, isReasoningModel, sealReasoning, type ResolvedResponsesRequest, type ResponsesRequest } from './responses-input';

/**
 * A Response as it goes over the wire: `output_text` is an SDK convenience, not a field; usage is null until the end;
 * `store` is sent by the service though the SDK's type does not declare it.
 */
export type WireResponse = Omit<Response, 'output_text' | 'usage'> & { usage: ResponseUsage | null; store: boolean };

/** A stream event as it goes over the wire (`obfuscation` padding on delta events, as the service adds by default). */
export type WireEvent = ResponseStreamEvent & { obfuscation?: string };

/** What a response will hold, decided by the rules or a script step, before it gets ids and is rendered. */
export interface ResponsePlan {
  /** The reasoning summary; present makes the output begin with a reasoning item. */
  reasoning?: string;
  hostedCall?: HostedCall;
  /** The assistant message's text; absent means no message item. */
  text?: string;
  citations?: Citation[];
  toolCalls?: PlannedToolCall[];
  status: 'completed' | 'incomplete' | 'failed';
  incompleteReason?: 'max_output_tokens' | 'content_filter';
  error?: { code: string; message: string };
}

/** The response id and the time it was created, fixed before rendering. */
export interface ResponseIdentity {
  id: string;
  createdAt: number;
}

/**
 * Renders a plan as the service would: the whole Response (what a request without `stream` gets, and what the last
 * stream event carries) and every SSE event of the streamed form, numbered from 0, in the service's order.
 */
export function renderResponse(
  request: ResponsesRequest,
  resolved: ResolvedResponsesRequest,
  plan: ResponsePlan,
  identity: ResponseIdentity,
): { response: WireResponse; events: WireEvent[] } {
  const includes = new Set(request.include ?? []);
  const itemStatus = plan.status === 'completed' ? 'completed' : 'incomplete';
  const itemId = (prefix: string, index: number) => `${prefix}_${createHash('sha256').update(`${identity.id}:${index}:${prefix}`).digest('hex').slice(0, 48)}`;
  const output: ResponseOutputItem[] = [];

  if (plan.reasoning !== undefined) {
    const id = itemId('rs', output.length);
    const item: ResponseReasoningItem = { id, type: 'reasoning', summary: [{ type: 'summary_text', text: plan.reasoning }] };
    if (includes.has('reasoning.encrypted_content')) {
      item.encrypted_content = sealReasoning({ response: identity.id, item: id, turn: resolved.turn, summary: plan.reasoning });
    }
    output.push(item);
  }
  if (plan.hostedCall !== undefined) output.push(hostedItem(plan.hostedCall, itemId, output.length, request, includes));
  if (plan.text !== undefined) {
    const part: ResponseOutputText = { type: 'output_text', annotations: plan.citations ?? [], logprobs: [], text: plan.text };
    const message: ResponseOutputMessage = { id: itemId('msg', output.length), type: 'message', status: itemStatus, content: [part], role: 'assistant' };
    output.push(message);
  }
  (plan.toolCalls ?? []).forEach((call, index) => {
    const item: ResponseFunctionToolCall = {
      id: itemId('fc', output.length),
      type: 'function_call',
      status: 'completed',
      arguments: JSON.stringify(call.arguments),
      call_id: callId(resolved, index),
      name: call.name,
    };
    output.push(item);
  });

  const reasoningTokens = plan.reasoning === undefined ? 0 : estimateTokens(plan.reasoning) + 16;
  const outputTokens =
    reasoningTokens +
    estimateTokens(
      output
        .filter((item) => item.type !== 'reasoning')
        .map(itemText)
        .join(''),
    );
  const inputTokens = estimateTokens(JSON.stringify({ instructions: request.instructions ?? null, input: resolved.items }));
  const usage: ResponseUsage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: inputTokens + outputTokens,
  };
  const base = responseBase(request, identity);
  const response: WireResponse = {
    ...base,
    status: plan.status,
    completed_at: plan.status === 'completed' ? Math.max(identity.createdAt, Math.floor(Date.now() / 1000)) : null,
    error: plan.status === 'failed' ? (plan.error as Response['error']) : null,
    incomplete_details: plan.status === 'incomplete' ? { reason: plan.incompleteReason ?? 'max_output_tokens' } : null,
    output,
    usage,
  };
  return { response, events: streamEvents(base, response, request.stream_options?.include_obfuscation !== false) };
}

/** The fields every state of the response shares, echoing the request with the service's defaults. */
function responseBase(request: ResponsesRequest, identity: ResponseIdentity): WireResponse {
  const reasoningModel = isReasoningModel(request.model);
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.createdAt,
    status: 'in_progress',
    background: false,
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: request.model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: null,
    reasoning: {
      effort: request.reasoning?.effort ?? (reasoningModel ? 'medium' : null),
      summary: request.reasoning?.summary ?? null,
    },
    safety_identifier: null,
    service_tier: 'default',
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: {
      format: (request.text?.format ?? { type: 'text' }) as NonNullable<Response['text']>['format'],
      verbosity: request.text?.verbosity ?? 'medium',
    },
    tool_choice: (request.tool_choice ?? 'auto') as Response['tool_choice'],
    tools: checkedTools(request).map((tool) =>
      tool.type === 'function' ? { ...tool, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? true } : tool,
    ) as Response['tools'],
    top_logprobs: 0,
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: null,
    metadata: request.metadata ?? {},
  };
}

function hostedItem(call: HostedCall, itemId: (prefix: string, index: number) => string, index: number, request: ResponsesRequest, includes: Set<string>): ResponseOutputItem {
  switch (call.type) {
    case 'web_search': {
      const item: ResponseFunctionWebSearch = {
        id: itemId('ws', index),
        type: 'web_search_call',
        status: 'completed',
        action: {
          type: 'search',
          query: call.query,
          ...(includes.has('web_search_call.action.sources') && { sources: [{ type: 'url' as const, url: OFFLINE_SEARCH_URL }] }),
        },
      };
      return item;
    }
    case 'file_search': {
      const item: ResponseFileSearchToolCall = {
        id: itemId('fs', index),
        type: 'file_search_call',
        status: 'completed',
        queries: call.queries,
        results: includes.has('file_search_call.results')
          ? [{ file_id: 'file-offline', filename: 'offline.txt', score: 1, text: `Nothing more about ${call.queries.join(', ')}.`, attributes: {} }]
          : null,
      };
      return item;
    }
    case 'code_interpreter': {
      const tool = checkedTools(request).find((candidate) => candidate.type === 'code_interpreter');
      const item: ResponseCodeInterpreterToolCall = {
        id: itemId('ci', index),
        type: 'code_interpreter_call',
        status: 'completed',
        code: call.code,
        container_id: tool === undefined ? 'cntr_offline' : containerIdOf(tool.container),
        outputs: includes.has('code_interpreter_call.outputs') ? [{ type: 'logs', logs: call.logs }] : null,
      };
      return item;
    }
  }
}

/** The events of the streamed form, in the service's order, the last one carrying the whole response. */
function streamEvents(base: WireResponse, final: WireResponse, obfuscate: boolean): WireEvent[] {
  const events: WireEvent[] = [];
  const push = (event: DistributiveOmit<ResponseStreamEvent, 'sequence_number'>, delta?: string) => {
    const numbered = { ...event, sequence_number: events.length } as WireEvent;
    if (delta !== undefined && obfuscate) numbered.obfuscation = obfuscation(delta, events.length);
    events.push(numbered);
  };
  const inProgress = base as unknown as Response;
  push({ type: 'response.created', response: inProgress });
  push({ type: 'response.in_progress', response: inProgress });

  final.output.forEach((item, output_index) => {
    switch (item.type) {
      case 'message': {
        const item_id = item.id;
        push({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', content: [] } });
        item.content.forEach((part, content_index) => {
          if (part.type !== 'output_text') return;
          push({ type: 'response.content_part.added', item_id, output_index, content_index, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
          for (const delta of pieces(part.text)) {
            push({ type: 'response.output_text.delta', item_id, output_index, content_index, delta, logprobs: [] }, delta);
          }
          part.annotations.forEach((annotation, annotation_index) =>
            push({ type: 'response.output_text.annotation.added', item_id, output_index, content_index, annotation_index, annotation }),
          );
          push({ type: 'response.output_text.done', item_id, output_index, content_index, text: part.text, logprobs: [] });
          push({ type: 'response.content_part.done', item_id, output_index, content_index, part });
        });
        break;
      }
      case 'function_call': {
        const item_id = item.id ?? '';
        push({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', arguments: '' } });
        for (const delta of pieces(item.arguments, 3)) push({ type: 'response.function_call_arguments.delta', item_id, output_index, delta }, delta);
        push({ type: 'response.function_call_arguments.done', item_id, output_index, name: item.name, arguments: item.arguments });
        break;
      }
      case 'reasoning': {
        const item_id = item.id;
        push({ type: 'response.output_item.added', output_index, item: { ...item, summary: [] } });
        item.summary.forEach((part, summary_index) => {
          push({ type: 'response.reasoning_summary_part.added', item_id, output_index, summary_index, part: { type: 'summary_text', text: '' } });
          for (const delta of pieces(part.text)) {
            push({ type: 'response.reasoning_summary_text.delta', item_id, output_index, summary_index, delta }, delta);
          }
          push({ type: 'response.reasoning_summary_text.done', item_id, output_index, summary_index, text: part.text });
          push({ type: 'response.reasoning_summary_part.done', item_id, output_index, summary_index, part });
        });
        break;
      }
      case 'web_search_call': {
        const item_id = item.id;
        push({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress' } });
        push({ type: 'response.web_search_call.in_progress', item_id, output_index });
        push({ type: 'response.web_search_call.searching', item_id, output_index });
        push({ type: 'response.web_search_call.completed', item_id, output_index });
        break;
      }
      case 'file_search_call': {
        const item_id = item.id;
        push({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', results: null } });
        push({ type: 'response.file_search_call.in_progress', item_id, output_index });
        push({ type: 'response.file_search_call.searching', item_id, output_index });
        push({ type: 'response.file_search_call.completed', item_id, output_index });
        break;
      }
      case 'code_interpreter_call': {
        const item_id = item.id;
        const code = item.code ?? '';
        push({ type: 'response.output_item.added', output_index, item: { ...item, status: 'in_progress', code: '', outputs: null } });
        push({ type: 'response.code_interpreter_call.in_progress', item_id, output_index });
        for (const delta of pieces(code, 2)) push({ type: 'response.code_interpreter_call_code.delta', item_id, output_index, delta }, delta);
        push({ type: 'response.code_interpreter_call_code.done', item_id, output_index, code });
        push({ type: 'response.code_interpreter_call.interpreting', item_id, output_index });
        push({ type: 'response.code_interpreter_call.completed', item_id, output_index });
        break;
      }
      default:
        push({ type: 'response.output_item.added', output_index, item });
    }
    push({ type: 'response.output_item.done', output_index, item });
  });

  const whole = final as unknown as Response;
  if (final.status === 'failed') push({ type: 'response.failed', response: whole });
  else if (final.status === 'incomplete') push({ type: 'response.incomplete', response: whole });
  else push({ type: 'response.completed', response: whole });
  return events;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Splits streamed text into several deltas: a word at a time, or (for text without spaces, such as compact JSON or
 * arguments) into `minimum` pieces of whole characters; never an empty piece, and they always add up to the text.
 */
export function pieces(text: string, minimum = 2): string[] {
  const words = text.match(/\s*\S+\s*|\s+/gu) ?? [];
  if (words.length >= minimum) return words;
  const characters = Array.from(text);
  const count = Math.min(minimum, characters.length);
  if (count <= 1) return text === '' ? [] : [text];
  const size = Math.ceil(characters.length / count);
  const result: string[] = [];
  for (let start = 0; start < characters.length; start += size) result.push(characters.slice(start, start + size).join(''));
  return result;
}

/** Deterministic padding that evens out delta sizes, where the service puts random characters. */
function obfuscation(delta: string, sequence: number): string {
  const padding = Math.max(1, 16 - delta.length);
  return createHash('sha256').update(`${sequence}:${delta}`).digest('base64url').slice(0, padding);
}

/** A function call's `call_id`: it hashes the conversation, so the same request always gets the same ids. */
function callId(resolved: ResolvedResponsesRequest, index: number): string {
  const digest = createHash('sha256').update(JSON.stringify(resolved.items)).update(`#${index}`).digest('hex');
  return `call_${digest.slice(0, 24)}`;
}

function itemText(item: ResponseOutputItem): string {
  switch (item.type) {
    case 'message':
      return item.content.map((part) => (part.type === 'output_text' ? part.text : part.refusal)).join('');
    case 'function_call':
      return item.arguments;
    case 'code_interpreter_call':
      return item.code ?? '';
    case 'web_search_call':
      return item.action.type === 'search' ? (item.action.query ?? '') : '';
    case 'file_search_call':
      return item.queries.join(' ');
    default:
      return '';
  }
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
