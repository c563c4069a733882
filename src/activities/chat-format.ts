/**
 * Translation between session items (Responses API input item shapes) and the Chat Completions
 * wire format, which every OpenAI-compatible endpoint speaks.
 */
import type OpenAI from 'openai';
import { z } from 'zod';
import type { Item } from '../shared/schemas';

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ChatToolCall = OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;

/** The chat messages for the model: the instructions as a system message, then the items. */
export function toChatMessages(instructions: string, items: Item[]): ChatMessage[] {
  const messages: ChatMessage[] = instructions ? [{ role: 'system', content: instructions }] : [];
  for (const item of items) {
    if (item.type === 'message') {
      const text = typeof item.content === 'string' ? item.content : item.content.map((part) => part.text).join('');
      messages.push({ role: item.role, content: text });
    } else if (item.type === 'function_call') {
      const call: ChatToolCall = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
      const previous = messages[messages.length - 1];
      if (previous?.role === 'assistant' && !previous.content && previous.tool_calls) previous.tool_calls.push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: item.output });
    }
  }
  return messages;
}

/** The token counts an endpoint reports for a completion (whole or streamed). */
export const CompletionUsage = z
  .object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() })
  .nullish();

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
