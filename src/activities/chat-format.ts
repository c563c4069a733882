/**
 * Translation between session items (Responses API input item shapes) and the Chat Completions
 * wire format, which every OpenAI-compatible endpoint speaks.
 */
import type OpenAI from 'openai';
import { z } from 'zod';
import { partText, type ContentPart } from '../shared/content-parts';
import { contentText, isMessage, outputForDisplay, pairingOf, typeOf, type Item, type MessageItem } from '../shared/items';
import type { FinishReason, Usage } from '../shared/schemas';
import { callUsage } from '../shared/usage';
import { fileSource, imageSource } from './part-sources';

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ChatToolCall = OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;

/** The chat messages for the model, and why each item Chat Completions cannot carry was left out. */
export interface ChatInput {
  messages: ChatMessage[];
  /** One line per item left out (reasoning, hosted tool calls, unknown types…), for the log. */
  omitted: string[];
}

/**
 * The chat messages for the model: the instructions as a system message, then the items. Images go
 * as `image_url` parts and files as `file` parts of user messages; what Chat Completions has no place
 * for (reasoning, hosted tool calls, compaction, unknown types) is left out and said in `omitted`.
 */
export function toChatMessages(instructions: string, items: Item[]): ChatInput {
  const messages: ChatMessage[] = instructions ? [{ role: 'system', content: instructions }] : [];
  const omitted: string[] = [];
  for (const item of items) {
    const record = item as Record<string, unknown>;
    const pairing = pairingOf(item);
    if (isMessage(item)) {
      messages.push(chatMessage(item, omitted));
    } else if (pairing?.role === 'call' && typeOf(item) === 'function_call') {
      const call: ChatToolCall = { id: pairing.callId, type: 'function', function: { name: String(record.name), arguments: String(record.arguments) } };
      const previous = messages[messages.length - 1];
      if (previous?.role === 'assistant' && !previous.content && previous.tool_calls) previous.tool_calls.push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (pairing?.role === 'output' && typeOf(item) !== 'computer_call_output' && typeOf(item) !== 'computer_call_result') {
      messages.push({ role: 'tool', tool_call_id: pairing.callId, content: outputForDisplay(record.output) });
    } else {
      omitted.push(`a ${typeOf(item)} item (Chat Completions has no place for it)`);
    }
  }
  return { messages, omitted };
}

/** A message as Chat Completions takes it: user content keeps its images and files; other roles keep their text. */
function chatMessage(item: MessageItem, omitted: string[]): ChatMessage {
  if (typeof item.content === 'string' || item.role !== 'user' || item.content.every((part) => partText(part) !== undefined)) {
    const dropped = typeof item.content === 'string' ? [] : item.content.filter((part) => partText(part) === undefined);
    for (const part of dropped) omitted.push(`a ${part.type} part of a ${item.role} message (Chat Completions takes only text there)`);
    return { role: item.role, content: contentText(item.content) } as ChatMessage;
  }
  const parts: OpenAI.Chat.Completions.ChatCompletionContentPart[] = [];
  for (const part of item.content) {
    const converted = chatPart(part);
    if (converted) parts.push(converted);
    else omitted.push(`a ${part.type} part Chat Completions cannot carry (give images as URLs or data URLs)`);
  }
  return { role: 'user', content: parts };
}

/** One user content part as a Chat Completions part, or undefined when that API has none for it. */
function chatPart(part: ContentPart): OpenAI.Chat.Completions.ChatCompletionContentPart | undefined {
  const text = partText(part);
  if (text !== undefined) return { type: 'text', text };
  if (part.type === 'input_image') {
    const source = imageSource(part);
    if (!('image_url' in source)) return undefined;
    const detail = part.detail === 'low' || part.detail === 'high' || part.detail === 'auto' ? part.detail : undefined;
    return { type: 'image_url', image_url: { url: source.image_url, ...(detail ? { detail } : {}) } };
  }
  if (part.type === 'input_file') {
    const source = fileSource(part);
    if ('file_data' in source) return { type: 'file', file: { file_data: source.file_data, ...(source.filename ? { filename: source.filename } : {}) } };
    if ('file_id' in source) return { type: 'file', file: { file_id: source.file_id } };
  }
  return undefined;
}

/** The token counts an endpoint reports for a completion (whole or streamed). */
export const CompletionUsage = z
  .object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
    prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().int().nonnegative().nullish() }).nullish(),
  })
  .nullish();

/** The project's usage for a completion's usage: reasoning and cached tokens when the endpoint reports them. */
export function chatUsage(usage: z.infer<typeof CompletionUsage>): Usage {
  return callUsage({
    input: usage?.prompt_tokens,
    output: usage?.completion_tokens,
    total: usage?.total_tokens,
    reasoning: usage?.completion_tokens_details?.reasoning_tokens,
    cached: usage?.prompt_tokens_details?.cached_tokens,
  });
}

/** The part of a chat completion the agent loop uses; anything else the endpoint sends is ignored. */
export const ChatCompletionReply = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().min(1),
                type: z.literal('function'),
                function: z.object({ name: z.string().min(1), arguments: z.string() }),
              }),
            )
            .nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1, 'the completion has no choices'),
  usage: CompletionUsage,
});
export type ChatCompletionReply = z.infer<typeof ChatCompletionReply>;

/** The session items of a completion's first choice: its text (if any), then its tool calls. */
export function fromChatCompletion(reply: ChatCompletionReply): Item[] {
  const message = reply.choices[0].message;
  const items: Item[] = [];
  if (message.content) items.push({ type: 'message', role: 'assistant', content: message.content });
  for (const call of message.tool_calls ?? []) {
    items.push({ type: 'function_call', call_id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  if (items.length === 0) items.push({ type: 'message', role: 'assistant', content: '' });
  return items;
}

/** Why the completion's first choice stopped, when the endpoint said (`function_call` is the old word for `tool_calls`). */
export function chatFinishReason(reply: ChatCompletionReply): FinishReason | undefined {
  const reason = reply.choices[0].finish_reason;
  if (reason === 'stop' || reason === 'length' || reason === 'content_filter' || reason === 'tool_calls') return reason;
  if (reason === 'function_call') return 'tool_calls';
  return undefined;
}
