/**
 * The Responses request is adapted from the session's items when it is built: the Agents SDK's
 * spellings become the API's, fields input refuses are left out, and what the API has no input item
 * for is left out with a reason; the items themselves are never changed.
 */
import { isStrictSchema, toResponsesInput } from '../../src/activities/responses-format';
import type { Item } from '../../src/shared/schemas';

const PIXEL = 'data:image/png;base64,iVBORw0KGgo=';

function adapted(items: Item[]) {
  const before = structuredClone(items);
  const result = toResponsesInput(items);
  expect(items).toEqual(before);
  return result;
}

describe('adapting session items into Responses input', () => {
  it("keeps the API's own items as they are, and leaves out input-refused fields of user messages", () => {
    const items: Item[] = [
      { type: 'message', role: 'user', content: 'Hi', id: 'msg_user', providerData: { x: 1 } },
      { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'lookup', arguments: '{}', status: 'completed' },
      { type: 'function_call_output', call_id: 'call_1', output: 'done' },
      { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'otters' } },
    ];
    expect(adapted(items)).toEqual({
      input: [{ type: 'message', role: 'user', content: 'Hi' }, items[1], items[2], items[3]],
      omitted: [],
    });
  });

  it("spells an SDK function call and its result as the API does, the result's output as a string or input parts", () => {
    const { input } = adapted([
      { type: 'function_call', callId: 'call_1', name: 'lookup', arguments: '{"id":1}', providerData: { a: 1 } },
      { type: 'function_call_result', callId: 'call_1', name: 'lookup', status: 'completed', output: { type: 'text', text: 'found it' } },
      { type: 'function_call', callId: 'call_2', name: 'snap', arguments: '{}' },
      { type: 'function_call_result', callId: 'call_2', name: 'snap', status: 'completed', output: { type: 'image', image: PIXEL } },
    ]);
    expect(input).toEqual([
      { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"id":1}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'found it' },
      { type: 'function_call', call_id: 'call_2', name: 'snap', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_image', image_url: PIXEL, detail: 'auto' }] },
    ]);
  });

  it("turns the SDK's image and file fields into image_url, file_id, file_data and file_url", () => {
    const { input } = adapted([
      {
        role: 'user',
        content: [
          { type: 'input_image', image: PIXEL, detail: 'high' },
          { type: 'input_image', image: { id: 'file-img' } },
          { type: 'input_file', file: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
          { type: 'input_file', file: { id: 'file-doc' } },
          { type: 'input_file', file: { url: 'https://example.com/b.pdf' } },
        ],
      },
    ]);
    expect(input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_image', image_url: PIXEL, detail: 'high' },
          { type: 'input_image', file_id: 'file-img', detail: 'auto' },
          { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
          { type: 'input_file', file_id: 'file-doc' },
          { type: 'input_file', file_url: 'https://example.com/b.pdf' },
        ],
      },
    ]);
  });

  it("spells SDK reasoning as summary and encrypted_content, and keeps the API's reasoning verbatim", () => {
    const api = { type: 'reasoning', id: 'rs_api', summary: [{ type: 'summary_text', text: 'Thinking.' }], encrypted_content: 'sealed-api' };
    const { input } = adapted([
      { type: 'reasoning', id: 'rs_sdk', content: [{ type: 'input_text', text: 'Pondering.', providerData: {} }], providerData: { encryptedContent: 'sealed-sdk' } },
      { type: 'reasoning', id: 'rs_sdk2', content: [], providerData: { id: 'rs_sdk2', type: 'reasoning', encrypted_content: 'sealed-snake' } },
      api,
    ]);
    expect(input).toEqual([
      { type: 'reasoning', id: 'rs_sdk', summary: [{ type: 'summary_text', text: 'Pondering.' }], encrypted_content: 'sealed-sdk' },
      { type: 'reasoning', id: 'rs_sdk2', summary: [], encrypted_content: 'sealed-snake' },
      api,
    ]);
  });

  it("turns an SDK hosted_tool_call into the provider's item it carries, and leaves one without it out", () => {
    const result = adapted([
      {
        type: 'hosted_tool_call',
        id: 'ws_9',
        name: 'web_search_call',
        status: 'completed',
        providerData: { type: 'web_search_call', id: 'ws_9', action: { type: 'search', query: 'otters' } },
      },
      { type: 'hosted_tool_call', name: 'mystery_tool' },
    ]);
    expect(result.input).toEqual([{ type: 'web_search_call', id: 'ws_9', status: 'completed', action: { type: 'search', query: 'otters' } }]);
    expect(result.omitted).toEqual([expect.stringContaining('mystery_tool')]);
  });

  it("keeps an assistant message's output text, and leaves out unknown item types and parts with a reason", () => {
    const result = adapted([
      { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [], providerData: {} }] },
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'listen' },
          { type: 'audio', audio: 'xyz' },
        ],
      },
      { type: 'future_item', payload: 1 },
    ]);
    expect(result.input).toEqual([
      { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'listen' }] },
    ]);
    expect(result.omitted).toEqual([expect.stringContaining('audio part'), expect.stringContaining('future_item item')]);
  });

  it('leaves out a reasoning item without an id, since the API needs the one it gave', () => {
    const result = adapted([{ type: 'reasoning', summary: [] }]);
    expect(result.input).toEqual([]);
    expect(result.omitted).toEqual([expect.stringContaining('without an id')]);
  });
});

describe('what the Agents SDK writes that the API spells otherwise (found by probing)', () => {
  it("turns an SDK tool output image or file given as { data, mediaType } into a data URL, as the SDK's own converter does", () => {
    const { input, omitted } = adapted([
      { type: 'function_call', callId: 'c1', name: 'chart', arguments: '{}' },
      { type: 'function_call_result', callId: 'c1', name: 'chart', output: { type: 'image', image: { data: 'iVBORw0KGgo=', mediaType: 'image/png' } } },
      { type: 'function_call', callId: 'c2', name: 'report', arguments: '{}' },
      { type: 'function_call_result', callId: 'c2', name: 'report', output: { type: 'file', file: { data: 'JVBERi0=', mediaType: 'application/pdf', filename: 'r.pdf' } } },
    ]);
    expect(omitted).toEqual([]);
    expect((input[1] as { output: unknown }).output).toEqual([{ type: 'input_image', detail: 'auto', image_url: PIXEL }]);
    expect((input[3] as { output: unknown }).output).toEqual([{ type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'r.pdf' }]);
  });

  it('gives bare base64 image data its media type from its first bytes, and leaves out what it cannot recognise', () => {
    const { input, omitted } = adapted([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_image', image: 'iVBORw0KGgo=' },
          { type: 'input_image', image: '/9j/4AAQ' },
          { type: 'input_image', image: 'AAAAAAAA' },
        ],
      },
    ]);
    expect((input[0] as { content: unknown[] }).content).toEqual([
      { type: 'input_image', detail: 'auto', image_url: PIXEL },
      { type: 'input_image', detail: 'auto', image_url: 'data:image/jpeg;base64,/9j/4AAQ' },
    ]);
    expect(omitted).toEqual([expect.stringContaining('base64 image data of no type it can tell')]);
  });

  it('leaves out, with a reason, a call the API needs an id for that has none (it refused every later turn)', () => {
    const { input, omitted } = adapted([
      { type: 'computer_call', callId: 'cc', status: 'completed', action: { type: 'screenshot' } },
      { type: 'computer_call', id: 'cu_1', call_id: 'cd', status: 'completed', action: { type: 'screenshot' } },
    ]);
    expect(input).toEqual([{ type: 'computer_call', id: 'cu_1', call_id: 'cd', status: 'completed', action: { type: 'screenshot' } }]);
    expect(omitted).toEqual([expect.stringContaining('a computer_call item without an id')]);
  });

  it("spells an SDK computer_call_result's screenshot as the API's image_url", () => {
    const { input } = adapted([{ type: 'computer_call_result', callId: 'cd', output: { type: 'computer_screenshot', data: PIXEL } }]);
    expect(input).toEqual([{ type: 'computer_call_output', call_id: 'cd', output: { type: 'computer_screenshot', image_url: PIXEL } }]);
  });
});

describe('strict function tools', () => {
  it('are strict only when every property is required and no others are allowed', () => {
    expect(isStrictSchema({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false })).toBe(true);
    expect(isStrictSchema({ type: 'object', properties: { a: { type: 'string' } }, required: [], additionalProperties: false })).toBe(false);
    expect(isStrictSchema({ type: 'object', properties: { a: { type: 'object', properties: {} } }, required: ['a'], additionalProperties: false })).toBe(false);
  });
});
