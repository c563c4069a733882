import type { Attachment, Conversation, OfferedTool, Turn } from './conversation';
import { checkImageUrl } from './media';
import { contentText, type ChatRequest, type MessageContent } from './protocol';

/**
 * The neutral view of a Chat Completions request: system/developer messages are system turns, tool and function
 * messages tool results, an assistant's `tool_calls` tool-call turns; `image_url` and `file` parts of user messages
 * are attachments (an image URL that is neither http(s) nor data:, or whose host is unreachable, is refused as on the
 * real service). `response_format: { type: 'json_schema' }` becomes the structured format.
 */
export function chatConversation(request: ChatRequest): Conversation {
  const turns: Turn[] = [];
  request.messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        turns.push({ role: 'system', text: contentText(message.content) });
        break;
      case 'user':
        turns.push({ role: 'user', text: contentText(message.content), attachments: chatAttachments(message.content, `messages[${index}].content`) });
        break;
      case 'assistant':
        if (message.content != null) turns.push({ role: 'assistant', text: contentText(message.content) });
        for (const call of message.tool_calls ?? []) {
          const fn = record(call.function);
          turns.push({ role: 'toolCall', callId: call.id, name: String(fn.name ?? ''), arguments: String(fn.arguments ?? '') });
        }
        break;
      case 'tool':
        turns.push({ role: 'toolResult', callId: message.tool_call_id, text: contentText(message.content) });
        break;
      case 'function':
        turns.push({ role: 'toolResult', callId: message.name, text: message.content ?? '' });
        break;
    }
  });
  const tools: OfferedTool[] = (request.tools ?? []).flatMap((tool) =>
    tool.type === 'function' && tool.function !== undefined ? [{ name: tool.function.name, parameters: tool.function.parameters }] : [],
  );
  const format = record(request.response_format);
  const jsonSchema = record(format.json_schema);
  const structuredFormat = format.type === 'json_schema' ? { name: String(jsonSchema.name ?? 'response'), schema: jsonSchema.schema ?? {} } : undefined;
  return { turns, tools, hostedTools: [], ...(structuredFormat && { structuredFormat }) };
}

function chatAttachments(content: MessageContent, param: string): Attachment[] {
  if (typeof content === 'string') return [];
  return content.flatMap((part, index): Attachment[] => {
    if (part.type === 'image_url') {
      const url = record(part.image_url).url;
      if (typeof url === 'string') checkImageUrl(url, `${param}[${index}].image_url.url`);
      return [{ kind: 'image' }];
    }
    if (part.type === 'file') {
      const filename = record(part.file).filename;
      return [{ kind: 'file', ...(typeof filename === 'string' && { filename }) }];
    }
    return [];
  });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
