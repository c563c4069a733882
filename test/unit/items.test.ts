import { Item, UserMessage, AddItemsArgs, describeIssues } from '../../src/shared/schemas';
import { describeItem, pairingOf } from '../../src/shared/items';
import { MAX_PART_BYTES } from '../../src/shared/limits';

const png = (bytes: number) => `data:image/png;base64,${Buffer.alloc(bytes, 7).toString('base64')}`;

/** Every item the Responses API and the Agents SDK define, as their references spell them. */
const EVERY_ITEM: unknown[] = [
  { type: 'message', role: 'user', content: 'plain text' },
  { role: 'user', content: 'a message without a type, as EasyInputMessage allows' },
  {
    type: 'message',
    role: 'user',
    content: [
      { type: 'input_text', text: 'What is in this picture and this file?' },
      { type: 'input_image', image_url: png(64), detail: 'high' },
      { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'auto' },
      { type: 'input_image', file_id: 'file-abc' },
      { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0xLjQK', filename: 'report.pdf' },
      { type: 'input_file', file_id: 'file-xyz' },
      { type: 'input_file', file_url: 'https://example.com/report.pdf' },
    ],
  },
  {
    type: 'message',
    id: 'msg_1',
    role: 'assistant',
    status: 'completed',
    content: [
      { type: 'output_text', text: 'A cat.', annotations: [{ type: 'url_citation', start_index: 0, end_index: 5, url: 'https://example.com', title: 'x' }], logprobs: [] },
      { type: 'refusal', refusal: 'I cannot say more.' },
    ],
  },
  { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Thinking about cats.' }], encrypted_content: 'gAAAAB-opaque' },
  { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'lookup', arguments: '{"q":1}', status: 'completed' },
  { type: 'function_call_output', call_id: 'call_1', output: 'found it' },
  {
    type: 'function_call_output',
    call_id: 'call_2',
    output: [
      { type: 'input_text', text: 'a chart:' },
      { type: 'input_image', image_url: png(16) },
    ],
  },
  { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'cats' } },
  { type: 'file_search_call', id: 'fs_1', status: 'completed', queries: ['cats'], results: null },
  { type: 'code_interpreter_call', id: 'ci_1', status: 'completed', code: 'print(1)', container_id: 'cntr_1', outputs: [{ type: 'logs', logs: '1' }] },
  { type: 'image_generation_call', id: 'ig_1', status: 'completed', result: 'iVBORw0KGgo=' },
  { type: 'computer_call', id: 'cu_1', call_id: 'call_c', action: { type: 'click', x: 1, y: 2, button: 'left' }, pending_safety_checks: [], status: 'completed' },
  { type: 'computer_call_output', call_id: 'call_c', output: { type: 'computer_screenshot', image_url: png(32) } },
  { type: 'mcp_call', id: 'mcp_1', server_label: 'docs', name: 'search', arguments: '{}', output: 'ok' },
  { type: 'mcp_list_tools', id: 'mcpl_1', server_label: 'docs', tools: [] },
  { type: 'mcp_approval_request', id: 'mcpr_1', server_label: 'docs', name: 'search', arguments: '{}' },
  { type: 'mcp_approval_response', approval_request_id: 'mcpr_1', approve: true },
  { type: 'compaction', id: 'cmp_1', encrypted_content: 'opaque' },
  { type: 'item_reference', id: 'msg_0' },
  // The Agents SDK's own spellings.
  { type: 'function_call', callId: 'call_s', name: 'lookup', arguments: '{}', status: 'completed', providerData: { x: 1 } },
  { type: 'function_call_result', callId: 'call_s', name: 'lookup', status: 'completed', output: { type: 'image', image: png(8) } },
  {
    type: 'message',
    role: 'user',
    content: [
      { type: 'input_image', image: 'https://example.com/a.png' },
      { type: 'input_file', file: { id: 'file-1' } },
    ],
  },
  { type: 'reasoning', content: [{ type: 'input_text', text: 'sdk reasoning' }], providerData: { encryptedContent: 'x' } },
  { type: 'hosted_tool_call', name: 'web_search_call', status: 'completed', providerData: { query: 'cats' } },
  { type: 'computer_call_result', callId: 'call_c2', output: { type: 'computer_screenshot', data: 'abc' } },
  { type: 'unknown', providerData: { anything: true } },
  // A type no version knows yet.
  { type: 'hologram_call', id: 'h_1', payload: { depth: 3 } },
];

describe('the item schema', () => {
  it('takes every Responses API and Agents SDK item and keeps it exactly as given', () => {
    for (const item of EVERY_ITEM) {
      const parsed = Item.safeParse(item);
      expect(parsed.success ? 'ok' : describeIssues(parsed.error)).toBe('ok');
      expect(parsed.data).toEqual(item);
    }
  });

  it('refuses known types without the fields they must have, saying which', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'function_call', call_id: 'c', arguments: '{}' }, /name/],
      [{ type: 'function_call_output', output: 'x' }, /call_id/],
      [{ type: 'message', role: 'robot', content: 'x' }, /role/],
      [{ content: 'no type and no role' }, /needs a type/],
      [{ type: 'function_call', call_id: 'a', callId: 'b', name: 'n', arguments: '' }, /call_id or callId/],
      [{ type: 'message', role: 'user', content: [{ type: 'input_image' }] }, /image_url, file_id or image/],
    ];
    for (const [item, reason] of cases) {
      const parsed = Item.safeParse(item);
      expect(parsed.success).toBe(false);
      if (!parsed.success) expect(describeIssues(parsed.error)).toMatch(reason);
    }
  });

  it('refuses a malformed data URL, an unsupported media type, a part over the limit and a non-web URL', () => {
    const image = (image_url: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_image', image_url }] });
    const cases: Array<[unknown, RegExp]> = [
      [image('data:image/png;base64,not base64!'), /not valid base64/],
      [image('data:image/png,rawdata'), /not a base64 data URL/],
      [image('data:image/tiff;base64,AAAA'), /image\/tiff is not supported/],
      [image(png(MAX_PART_BYTES + 3)), /over the limit/],
      [image('file:///etc/passwd'), /http\(s\) URL or a data URL/],
      [{ type: 'message', role: 'user', content: [{ type: 'input_file', file_data: 'data:application/x-msdownload;base64,AAAA' }] }, /not supported/],
      [{ type: 'reasoning', summary: [], encrypted_content: 'x'.repeat(5 * 1024 * 1024) }, /encrypted_content must be at most/],
    ];
    for (const [item, reason] of cases) {
      const parsed = Item.safeParse(item);
      expect(parsed.success).toBe(false);
      if (!parsed.success) expect(describeIssues(parsed.error)).toMatch(reason);
    }
  });

  it('says what to change in what users paste: a data URL in capitals, base64 with line breaks, a URL with spaces', () => {
    const image = (image_url: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_image', image_url }] });
    const pixel = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    const cases: Array<[unknown, RegExp]> = [
      [image(`DATA:IMAGE/PNG;BASE64,${pixel}`), /capitals in "DATA:IMAGE\/PNG;BASE64,"; .*lower case \(data:image\/png;base64,…\)/],
      [image(`data:IMAGE/PNG;base64,${pixel}`), /capitals/],
      [image(`data:image/png;BASE64,${pixel}`), /capitals/],
      [{ type: 'message', role: 'user', content: [{ type: 'input_image', image: `Data:image/png;base64,${pixel}` }] }, /capitals/],
      [{ type: 'message', role: 'user', content: [{ type: 'input_file', file_data: `DATA:application/pdf;base64,${pixel}` }] }, /capitals/],
      [image(`data:image/png;base64,${pixel.slice(0, 8)}\r\n${pixel.slice(8)}`), /not valid base64 \(it holds a space or line break at character 30; remove them\)/],
      [image('https://example.com/my image.png'), /must not hold spaces or line breaks; percent-encode/],
    ];
    for (const [item, reason] of cases) {
      const parsed = Item.safeParse(item);
      expect(parsed.success).toBe(false);
      if (!parsed.success) expect(describeIssues(parsed.error)).toMatch(reason);
    }
    expect(Item.safeParse(image(`data:image/png;base64,${pixel}`)).success).toBe(true);
  });

  it('refuses NUL and lone surrogates anywhere in an item, unknown types included', () => {
    expect(Item.safeParse({ type: 'hologram_call', note: 'a\u0000b' }).success).toBe(false);
    expect(Item.safeParse({ type: 'reasoning', summary: [{ type: 'summary_text', text: '\ud800' }] }).success).toBe(false);
  });

  it('pairs calls with outputs in both spellings', () => {
    expect(pairingOf({ type: 'function_call', call_id: 'a', name: 'n', arguments: '' })).toEqual({ role: 'call', callId: 'a' });
    expect(pairingOf({ type: 'function_call_result', callId: 'a', name: 'n', output: '' })).toEqual({ role: 'output', callId: 'a' });
    expect(pairingOf({ type: 'computer_call_output', call_id: 'c', output: {} })).toEqual({ role: 'output', callId: 'c' });
    expect(pairingOf({ type: 'web_search_call', id: 'ws' })).toBeUndefined();
  });

  it('describes every item in one short line, with labels for what is not text', () => {
    const lines = EVERY_ITEM.map((item) => describeItem(item as Item));
    expect(lines[2]).toBe('user: What is in this picture and this file? [image] [image] [image] [file report.pdf] [file] [file]');
    expect(lines[4]).toBe('[reasoning] Thinking about cats.');
    expect(lines[8]).toBe('[web search: cats]');
    expect(lines.every((line) => line.length < 200)).toBe(true);
  });
});

describe('what a message and added items may hold', () => {
  it('a message may bring any items as input, images and reasoning included', () => {
    const parsed = UserMessage.safeParse({ input: [EVERY_ITEM[2], EVERY_ITEM[4]] });
    expect(parsed.success).toBe(true);
  });

  it('added items may hold a call whose output comes later, as the Agents SDK saves an interrupted run', () => {
    expect(AddItemsArgs.safeParse({ items: [{ type: 'function_call', callId: 'c1', name: 'refund', arguments: '{}' }] }).success).toBe(true);
  });
});

describe('the Agents SDK spellings of images and files', () => {
  it('takes bare base64 data in `image` and `file`, as the SDK documents, and refuses what is neither base64 nor a URL', () => {
    const base64 = Buffer.alloc(300, 9).toString('base64');
    const item = {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_image', image: base64 },
        { type: 'input_file', file: base64, filename: 'a.bin' },
      ],
    };
    expect(Item.safeParse(item).data).toEqual(item);
    const bad = Item.safeParse({ type: 'message', role: 'user', content: [{ type: 'input_image', image: 'not base64 at all!' }] });
    expect(bad.success ? '' : describeIssues(bad.error)).toMatch(/http\(s\) URL, a data URL or base64 data/);
  });
});
