import { z } from 'zod';

/** Message content as the Chat Completions API accepts it: a string or an array of typed parts. */
export const MessageContent = z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]);
/** Message content as the Chat Completions API accepts it: a string or an array of typed parts. */
export type MessageContent = z.infer<typeof MessageContent>;

/** One message of a Chat Completions request, discriminated by `role`. */
export const ChatMessage = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: MessageContent }),
  z.looseObject({ role: z.literal('developer'), content: MessageContent }),
  z.looseObject({ role: z.literal('user'), content: MessageContent }),
  z.looseObject({
    role: z.literal('assistant'),
    content: MessageContent.nullish(),
    tool_calls: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string(), content: MessageContent }),
  z.looseObject({ role: z.literal('function'), name: z.string(), content: z.string().nullable() }),
]);
/** One message of a Chat Completions request, discriminated by `role`. */
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A tool offered to the model; only `type: 'function'` tools carry a `function` definition. */
export const ChatTool = z.looseObject({
  type: z.string(),
  function: z
    .looseObject({
      name: z.string(),
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});
/** A tool offered to the model; only `type: 'function'` tools carry a `function` definition. */
export type ChatTool = z.infer<typeof ChatTool>;

/** The body of `POST /v1/chat/completions`; unknown fields (temperature, user, …) are kept. */
export const ChatRequest = z.looseObject({
  model: z.string(),
  messages: z.array(ChatMessage).min(1),
  tools: z.array(ChatTool).nullish(),
  stream: z.boolean().nullish(),
});
/** The body of `POST /v1/chat/completions`; unknown fields (temperature, user, …) are kept. */
export type ChatRequest = z.infer<typeof ChatRequest>;

/** A tool call the offline model decides to make, before it is given an id and serialised. */
export interface PlannedToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** A call of a hosted (built-in) Responses tool the offline model decides to make, before it gets an id. */
export type HostedCall = { type: 'web_search'; query: string } | { type: 'file_search'; queries: string[] } | { type: 'code_interpreter'; code: string; logs: string };

/** A citation in the assistant's text (Responses `output_text.annotations`). */
export type Citation =
  { type: 'url_citation'; url: string; title: string; start_index: number; end_index: number } | { type: 'file_citation'; file_id: string; filename: string; index: number };

/** What the offline model decides to answer, before it is rendered as a ChatCompletion. */
export type AssistantReply = { text: string } | { toolCalls: PlannedToolCall[] };

/**
 * What the rules decide, for either API: the reply, and for the Responses API a hosted tool call made before the
 * text and the text's citations (the Chat side never offers hosted tools, so it never gets them).
 */
export type RuleReply = AssistantReply & { hostedCall?: HostedCall; citations?: Citation[] };

/** The plain text of message content: the string itself, or its text parts joined by newlines. */
export function contentText(content: MessageContent | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : [])).join('\n');
}
