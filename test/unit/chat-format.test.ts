/** Translation between session items and the Chat Completions wire format, both ways. */
import { ChatCompletionReply, chatFinishReason, chatUsage, fromChatCompletion, toChatMessages } from '../../src/activities/chat-format';
import type { Item } from '../../src/shared/schemas';

/** A completion with one choice holding this message. */
function completion(message: ChatCompletionReply['choices'][number]['message']): ChatCompletionReply {
  return ChatCompletionReply.parse({ choices: [{ message }] });
}

describe('toChatMessages', () => {
  test('puts the instructions first as a system message', () => {
    const messages = toChatMessages('Be brief.', [{ type: 'message', role: 'user', content: 'Hi' }]).messages;
    expect(messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(messages).toHaveLength(2);
  });

  test('maps user and assistant messages with string or text-part content to plain text', () => {
    const items: Item[] = [
      { type: 'message', role: 'user', content: 'Where is my order?' },
      {
        type: 'message',
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'Which ' },
          { type: 'output_text', text: 'one?' },
        ],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: '1234' }] },
    ];
    expect(toChatMessages('sys', items).messages.slice(1)).toEqual([
      { role: 'user', content: 'Where is my order?' },
      { role: 'assistant', content: 'Which one?' },
      { role: 'user', content: '1234' },
    ]);
  });

  test('groups consecutive function calls into one assistant message with several tool calls', () => {
    const items: Item[] = [
      { type: 'message', role: 'user', content: 'Check 1 and 2' },
      { type: 'function_call', call_id: 'c1', name: 'lookup_order', arguments: '{"order_id":"1"}' },
      { type: 'function_call', call_id: 'c2', name: 'lookup_order', arguments: '{"order_id":"2"}' },
    ];
    const messages = toChatMessages('sys', items).messages;
    expect(messages).toHaveLength(3);
    expect(messages[2]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"1"}' } },
        { id: 'c2', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"2"}' } },
      ],
    });
  });

  test('does not merge a function call into a preceding assistant message that has text', () => {
    const items: Item[] = [
      { type: 'message', role: 'assistant', content: 'Let me look.' },
      { type: 'function_call', call_id: 'c1', name: 'lookup_order', arguments: '{}' },
    ];
    const messages = toChatMessages('sys', items).messages;
    expect(messages.map((message) => message.role)).toEqual(['system', 'assistant', 'assistant']);
    expect(messages[1]).toEqual({ role: 'assistant', content: 'Let me look.' });
  });

  test('maps function call outputs to tool messages carrying the tool_call_id', () => {
    const items: Item[] = [
      { type: 'function_call', call_id: 'c1', name: 'lookup_order', arguments: '{}' },
      { type: 'function_call', call_id: 'c2', name: 'lookup_order', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'shipped' },
      { type: 'function_call_output', call_id: 'c2', output: 'pending' },
    ];
    expect(toChatMessages('sys', items).messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: 'shipped' },
      { role: 'tool', tool_call_id: 'c2', content: 'pending' },
    ]);
  });
});

describe('fromChatCompletion', () => {
  test('turns the text into an assistant message item', () => {
    expect(fromChatCompletion(completion({ content: 'Hello!' }))).toEqual([{ type: 'message', role: 'assistant', content: 'Hello!' }]);
  });

  test('turns tool calls into function call items, after the text', () => {
    const reply = completion({
      content: 'Checking.',
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"1"}' } },
        { id: 'c2', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"2"}' } },
      ],
    });
    expect(fromChatCompletion(reply)).toEqual([
      { type: 'message', role: 'assistant', content: 'Checking.' },
      { type: 'function_call', call_id: 'c1', name: 'lookup_order', arguments: '{"order_id":"1"}' },
      { type: 'function_call', call_id: 'c2', name: 'lookup_order', arguments: '{"order_id":"2"}' },
    ]);
  });

  test('gives an empty assistant message when the completion has neither text nor tool calls', () => {
    expect(fromChatCompletion(completion({ content: null, tool_calls: null }))).toEqual([{ type: 'message', role: 'assistant', content: '' }]);
  });
});

describe('ChatCompletionReply', () => {
  test('refuses a completion with no choices', () => {
    const result = ChatCompletionReply.safeParse({ choices: [] });
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['the completion has no choices']);
  });

  test('ignores fields the endpoint adds that the agent loop does not use', () => {
    const result = ChatCompletionReply.parse({
      id: 'chatcmpl-1',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hi' } }],
    });
    expect(result).toEqual({ choices: [{ message: { content: 'Hi' }, finish_reason: 'stop' }] });
  });

  test('gives the finish reason in the words both APIs share (function_call as tool_calls)', () => {
    const reason = (finish_reason: string | null) => chatFinishReason(ChatCompletionReply.parse({ choices: [{ finish_reason, message: { content: 'Hi' } }] }));
    expect([reason('stop'), reason('length'), reason('tool_calls'), reason('function_call'), reason('content_filter'), reason(null)]).toEqual([
      'stop',
      'length',
      'tool_calls',
      'tool_calls',
      'content_filter',
      undefined,
    ]);
  });

  test('counts reasoning and cached tokens only when the endpoint reports them', () => {
    expect(chatUsage({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 })).toEqual({ requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    expect(
      chatUsage({
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 3 },
      }),
    ).toEqual({ requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 3, cachedTokens: 4 });
  });
});

describe('images and files for Chat Completions, in any spelling', () => {
  it('sends the SDK image forms as image_url parts, as Responses does', () => {
    const { messages, omitted } = toChatMessages('', [
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'see' },
          { type: 'input_image', image: 'iVBORw0KGgo=' },
          { type: 'input_image', image: { data: 'R0lGODlh', mediaType: 'image/gif' } },
          { type: 'input_image', file_id: 'file-1' },
        ],
      },
    ]);
    expect(messages[0].content).toEqual([
      { type: 'text', text: 'see' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      { type: 'image_url', image_url: { url: 'data:image/gif;base64,R0lGODlh' } },
    ]);
    expect(omitted).toHaveLength(1);
  });
});
