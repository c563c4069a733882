import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { Model } from 'openai/resources/models';
import type { AssistantReply, ChatRequest } from './protocol';

/** The one model id the offline server lists. */
export const OFFLINE_MODEL_ID = 'offline-rules';

/** An error response in the OpenAI format: status, JSON body and extra headers. */
export interface WireError {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}

/** A request the offline model refuses, as the real service would, with the error it answers. */
export class RequestRefused extends Error {
  constructor(readonly wire: WireError) {
    super(wire.body.error.message);
    this.name = 'RequestRefused';
  }
}

/** Throws a {@link RequestRefused} with a 400 (or `status`) naming `param`, as the real service does. */
export function refuse(message: string, param: string | null = null, code: string | null = null, status = 400): never {
  const error = wireError(status, message);
  error.body.error.param = param;
  error.body.error.code = code;
  throw new RequestRefused(error);
}

/** Builds an OpenAI-style error; a 429 with `retryAfterSeconds` also carries a `retry-after` header. */
export function wireError(status: number, message?: string, retryAfterSeconds?: number): WireError {
  const rateLimited = status === 429;
  return {
    status,
    headers: rateLimited && retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {},
    body: {
      error: {
        message: message ?? `${STATUS_CODES[status] ?? 'Error'} (scripted by the offline model)`,
        type: rateLimited ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: rateLimited ? 'rate_limit_exceeded' : null,
      },
    },
  };
}

/**
 * Renders a reply as a ChatCompletion. Tool call ids hash the request's messages, so the same request always gets
 * the same ids while every turn of a conversation gets new ones. Token counts estimate one token per 4 characters.
 * `finishReason` marks a scripted incomplete answer.
 */
export function renderCompletion(request: ChatRequest, reply: AssistantReply, completionNumber: number, finishReason?: 'length' | 'content_filter'): ChatCompletion {
  const toolCalls =
    'toolCalls' in reply
      ? reply.toolCalls.map((call, index) => ({
          id: toolCallId(request, index),
          type: 'function' as const,
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        }))
      : undefined;
  const content = 'text' in reply ? reply.text : null;
  const promptTokens = estimateTokens(JSON.stringify(request.messages));
  const completionTokens = estimateTokens(content ?? JSON.stringify(toolCalls));
  return {
    id: `chatcmpl-offline-${completionNumber}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, ...(toolCalls && { tool_calls: toolCalls }) },
        finish_reason: finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

/**
 * The chunks a streamed request gets for the same completion, as OpenAI sends them: the role first,
 * the text a word at a time, each tool call's id and name then its arguments in two pieces, the finish
 * reason, and (when `stream_options.include_usage` asks) a last chunk with the usage and no choices.
 */
export function renderChunks(completion: ChatCompletion, includeUsage: boolean): ChatCompletionChunk[] {
  const { message, finish_reason } = completion.choices[0];
  const chunk = (delta: ChatCompletionChunk.Choice['delta'], finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const chunks = [chunk({ role: 'assistant', content: '' })];
  for (const word of message.content?.match(/\s*\S+\s*|\s+/gu) ?? []) chunks.push(chunk({ content: word }));
  (message.tool_calls ?? []).forEach((call, index) => {
    if (call.type !== 'function') return;
    const half = Math.ceil(call.function.arguments.length / 2);
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
    for (const piece of [call.function.arguments.slice(0, half), call.function.arguments.slice(half)]) {
      if (piece) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, finish_reason));
  if (includeUsage) chunks.push({ ...chunk({}), choices: [], usage: completion.usage });
  return chunks;
}

/** The `GET /v1/models` body: a list holding only the offline model. */
export function modelList(): { object: 'list'; data: Model[] } {
  return { object: 'list', data: [{ id: OFFLINE_MODEL_ID, object: 'model', created: 0, owned_by: 'offline' }] };
}

function toolCallId(request: ChatRequest, index: number): string {
  const digest = createHash('sha256').update(JSON.stringify(request.messages)).update(`#${index}`).digest('hex');
  return `call_${digest.slice(0, 24)}`;
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
