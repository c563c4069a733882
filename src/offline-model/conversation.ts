/**
 * The neutral view of a request that the rule-based responder reads. Chat Completions and Responses requests are both
 * turned into this shape (`chat-input.ts`, `responses-input.ts`), so the rules are written once.
 */

/** An image or a file the user attached to a message. */
export interface Attachment {
  kind: 'image' | 'file';
  /** The file's name when the request gives one. */
  filename?: string;
}

/** One turn of the conversation, in order. */
export type Turn =
  /** System or developer instructions (the Responses `instructions` come first). */
  | { role: 'system'; text: string }
  | { role: 'user'; text: string; attachments: Attachment[] }
  | { role: 'assistant'; text: string }
  /** A function (or custom) tool call the assistant made. */
  | { role: 'toolCall'; callId: string; name: string; arguments: string }
  /** The output of a tool call, given back by the client. */
  | { role: 'toolResult'; callId: string; text: string }
  /** Anything the rules do not read: reasoning items, hosted tool calls, references. */
  | { role: 'other'; type: string };

/** A function tool offered to the model. */
export interface OfferedTool {
  name: string;
  parameters?: unknown;
}

/** A hosted (built-in) tool of the Responses API offered to the model. */
export type HostedTool = { type: 'web_search' } | { type: 'file_search'; vectorStoreIds: string[] } | { type: 'code_interpreter'; containerId: string };

/** A JSON schema the answer must satisfy (Responses `text.format` or Chat `response_format` of type json_schema). */
export interface StructuredFormat {
  name: string;
  schema: unknown;
}

/** What the responder reads of a request, whichever API it came through. */
export interface Conversation {
  turns: Turn[];
  tools: OfferedTool[];
  hostedTools: HostedTool[];
  structuredFormat?: StructuredFormat;
}

/** Index of the last user turn, or -1. */
export function lastUserIndex(turns: Turn[]): number {
  for (let index = turns.length - 1; index >= 0; index--) {
    if (turns[index].role === 'user') return index;
  }
  return -1;
}

/** The last user turn, if any. */
export function lastUserTurn(turns: Turn[]): Extract<Turn, { role: 'user' }> | undefined {
  const index = lastUserIndex(turns);
  return index === -1 ? undefined : (turns[index] as Extract<Turn, { role: 'user' }>);
}
