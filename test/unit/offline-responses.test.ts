import OpenAI, { BadRequestError, InternalServerError, NotFoundError, RateLimitError } from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import type { FunctionTool, Response, ResponseInputItem, ResponseOutputMessage, ResponseReasoningItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { z } from 'zod';
import { startOfflineModel, type OfflineModel } from '../../src/offline-model/server';

const lookupOrder: FunctionTool = {
  type: 'function',
  name: 'lookup_order',
  description: 'Looks up an order by its id.',
  parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'], additionalProperties: false },
  strict: true,
};

let model: OfflineModel;
let client: OpenAI;

beforeAll(async () => {
  model = await startOfflineModel();
  client = new OpenAI({ apiKey: 'x', baseURL: model.baseURL, maxRetries: 0 });
});

beforeEach(() => model.reset());

afterAll(() => model.close());

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error,
  );
}

async function eventsOf(params: Parameters<OpenAI['responses']['create']>[0]): Promise<ResponseStreamEvent[]> {
  const stream = await client.responses.create({ ...params, stream: true });
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function rawPost(body: unknown): Promise<{ status: number; text: string; contentType: string | null }> {
  const response = await fetch(`${model.baseURL}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
}

function messageOf(response: Response): ResponseOutputMessage {
  const message = response.output.find((item): item is ResponseOutputMessage => item.type === 'message');
  if (message === undefined) throw new Error(`no message in ${JSON.stringify(response.output)}`);
  return message;
}

describe('a whole response', () => {
  it('answers a string input by the chat rules, in the shape of the published Response type', async () => {
    const response = await client.responses.create({ model: 'offline-rules', input: 'Hi, my name is Ada.' });
    expect(response.output_text).toBe('Nice to meet you, Ada!');
    expect(response).toMatchObject({
      id: expect.stringMatching(/^resp_[0-9a-f]{48}$/),
      object: 'response',
      status: 'completed',
      model: 'offline-rules',
      error: null,
      incomplete_details: null,
      instructions: null,
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [],
      text: { format: { type: 'text' } },
      store: true,
      temperature: 1,
      top_p: 1,
      truncation: 'disabled',
      metadata: {},
      reasoning: { effort: null, summary: null },
    });
    expect(Math.abs(response.created_at - Date.now() / 1000)).toBeLessThan(60);
    expect(response.output).toEqual([
      {
        id: expect.stringMatching(/^msg_[0-9a-f]{48}$/),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Nice to meet you, Ada!', annotations: [], logprobs: [] }],
      },
    ]);
    const usage = response.usage!;
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(usage.input_tokens_details.cached_tokens).toBe(0);
    expect(usage.output_tokens_details.reasoning_tokens).toBe(0);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
  });

  it('sends no output_text field on the wire: the SDK computes it', async () => {
    const { status, text } = await rawPost({ model: 'offline-rules', input: 'hello' });
    expect(status).toBe(200);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).not.toHaveProperty('output_text');
    expect(body.object).toBe('response');
  });

  it('reads instructions and earlier messages of the input, with text given as input_text parts', async () => {
    const response = await client.responses.create({
      model: 'offline-rules',
      instructions: 'You are helpful.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'My name is Grace' }] },
        { role: 'assistant', content: 'Nice to meet you, Grace!' },
        { type: 'message', role: 'user', content: "What's my name?" },
      ],
    });
    expect(response.output_text).toBe('Your name is Grace.');
    expect(response.instructions).toBe('You are helpful.');
  });

  it('records Responses requests apart from chat requests, and the responses it sent', async () => {
    await client.responses.create({ model: 'offline-rules', input: 'first', temperature: 0.5 });
    expect(model.requests).toHaveLength(0);
    expect(model.responsesRequests).toEqual([{ model: 'offline-rules', input: 'first', temperature: 0.5 }]);
    expect(model.responses).toHaveLength(1);
    expect(model.responses[0].temperature).toBe(0.5);
  });

  it('continues a stored response through previous_response_id, and serves it on GET /v1/responses/{id}', async () => {
    const first = await client.responses.create({ model: 'offline-rules', input: 'My name is Linus' });
    const second = await client.responses.create({ model: 'offline-rules', input: 'what is my name', previous_response_id: first.id });
    expect(second.output_text).toBe('Your name is Linus.');
    expect(second.previous_response_id).toBe(first.id);
    const retrieved = await client.responses.retrieve(first.id);
    expect(retrieved.output_text).toBe('Nice to meet you, Linus!');
  });

  it('refuses a previous_response_id it never stored (store: false) with a 404', async () => {
    const unstored = await client.responses.create({ model: 'offline-rules', input: 'My name is Linus', store: false });
    const error = await rejectionOf(client.responses.create({ model: 'offline-rules', input: 'hi', previous_response_id: unstored.id }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe(`404 Previous response with id '${unstored.id}' not found.`);
  });
});

describe('function calls', () => {
  it('calls an offered flat function tool, then answers its function_call_output', async () => {
    const first = await client.responses.create({ model: 'offline-rules', input: 'Where is my order 1234?', tools: [lookupOrder] });
    expect(first.output).toHaveLength(1);
    const [call] = first.output;
    if (call.type !== 'function_call') throw new Error('expected a function call');
    expect(call).toEqual({
      id: expect.stringMatching(/^fc_[0-9a-f]{48}$/),
      type: 'function_call',
      status: 'completed',
      call_id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
      name: 'lookup_order',
      arguments: '{"order_id":"1234"}',
    });
    expect(first.tools).toEqual([lookupOrder]);

    const followUp = await client.responses.create({
      model: 'offline-rules',
      tools: [lookupOrder],
      store: false,
      input: [{ role: 'user', content: 'Where is my order 1234?' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'Order 1234 shipped on Monday' }],
    });
    expect(followUp.output_text).toBe('Here is what I found: Order 1234 shipped on Monday');
  });

  it("refuses a function_call_output whose call_id has no function_call before it, with the service's message", async () => {
    const error = await rejectionOf(
      client.responses.create({
        model: 'offline-rules',
        input: [
          { role: 'user', content: 'hi' },
          { type: 'function_call_output', call_id: 'call_missing', output: 'orphan' },
        ],
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toBe('400 No tool call found for function call output with call_id call_missing.');
    expect((error as BadRequestError).param).toBe('input');
  });
});

describe('reasoning', () => {
  it("begins a reasoning model's output with a reasoning item, whose encrypted content round-trips verbatim", async () => {
    const first = await client.responses.create({
      model: 'gpt-5-mini',
      input: 'My name is Ada',
      store: false,
      include: ['reasoning.encrypted_content'],
    });
    const [reasoning, message] = first.output;
    if (reasoning.type !== 'reasoning') throw new Error('expected a reasoning item first');
    expect(reasoning).toEqual({
      id: expect.stringMatching(/^rs_[0-9a-f]{48}$/),
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: expect.stringContaining('My name is Ada') }],
      encrypted_content: expect.any(String),
    });
    expect(message.type).toBe('message');
    expect(first.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(first.reasoning?.effort).toBe('medium');
    const sealed = JSON.parse(Buffer.from(reasoning.encrypted_content!, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(sealed).toMatchObject({ response: first.id, item: reasoning.id, turn: 1 });

    const second = await client.responses.create({
      model: 'gpt-5-mini',
      store: false,
      input: [{ role: 'user', content: 'My name is Ada' }, ...(first.output as ResponseInputItem[]), { role: 'user', content: "What's my name?" }],
    });
    expect(second.output_text).toBe('Your name is Ada.');
  });

  it('refuses a reasoning item whose encrypted content was changed', async () => {
    const first = await client.responses.create({ model: 'o4-mini', input: 'hello', store: false, include: ['reasoning.encrypted_content'] });
    const reasoning = first.output[0] as ResponseReasoningItem;
    const tampered = {
      ...reasoning,
      encrypted_content: Buffer.from(Buffer.from(reasoning.encrypted_content!, 'base64').toString('utf8').replace('"turn":1', '"turn":2')).toString('base64'),
    };
    const error = await rejectionOf(
      client.responses.create({ model: 'o4-mini', store: false, input: [{ role: 'user', content: 'hello' }, tampered, { role: 'user', content: 'again' }] }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toBe(`400 The encrypted content for item ${reasoning.id} could not be verified.`);
    expect((error as BadRequestError).code).toBe('invalid_encrypted_content');
  });

  it('refuses a reasoning item without encrypted content that it cannot look up when store is false, as the service does', async () => {
    const first = await client.responses.create({ model: 'o3', input: 'hello', store: false });
    const reasoning = first.output[0] as ResponseReasoningItem;
    expect(reasoning.encrypted_content).toBeUndefined();
    const error = await rejectionOf(
      client.responses.create({ model: 'o3', store: false, input: [{ role: 'user', content: 'hello' }, reasoning, { role: 'user', content: 'again' }] }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toMatch(/^404 Item with id 'rs_[0-9a-f]+' not found\. Items are not persisted when `store` is set to false\./);
  });

  it('looks up a stored reasoning item by id when it carries no encrypted content', async () => {
    const first = await client.responses.create({ model: 'o3', input: 'my name is Bo' });
    const second = await client.responses.create({
      model: 'o3',
      input: [{ role: 'user', content: 'my name is Bo' }, ...(first.output as ResponseInputItem[]), { role: 'user', content: 'what is my name' }],
    });
    expect(second.output_text).toBe('Your name is Bo.');
  });

  it('reasons for any model when the request sets reasoning', async () => {
    const response = await client.responses.create({ model: 'offline-rules', input: 'hello', reasoning: { effort: 'low', summary: 'auto' } });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.reasoning).toEqual({ effort: 'low', summary: 'auto' });
  });
});

describe('images and files', () => {
  it('mentions the images and files of the last user message in its answer', async () => {
    const response = await client.responses.create({
      model: 'offline-rules',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'My name is Ada' },
            { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'auto' },
            { type: 'input_file', filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          ],
        },
      ],
    });
    expect(response.output_text).toBe('I see 1 image and 1 file (report.pdf). Nice to meet you, Ada!');
  });

  it('refuses an image URL whose host cannot be reached (.invalid) as the service refuses an image it cannot download', async () => {
    const url = 'https://images.example.invalid/cat.png';
    const error = await rejectionOf(
      client.responses.create({ model: 'offline-rules', input: [{ role: 'user', content: [{ type: 'input_image', image_url: url, detail: 'auto' }] }] }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toBe(`400 Error while downloading ${url}.`);
  });

  it('refuses an image URL that is neither http(s) nor a data URL', async () => {
    const error = await rejectionOf(
      client.responses.create({ model: 'offline-rules', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'ftp://example.com/cat.png', detail: 'auto' }] }] }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe('input[0].content[0].image_url');
  });
});

describe('hosted tools', () => {
  it('searches the web when offered web_search and asked to, citing the page', async () => {
    const response = await client.responses.create({ model: 'offline-rules', input: 'Please search the web for the latest news on otters', tools: [{ type: 'web_search' }] });
    const [call, message] = response.output;
    expect(call).toEqual({
      id: expect.stringMatching(/^ws_/),
      type: 'web_search_call',
      status: 'completed',
      action: { type: 'search', query: 'Please search the web for the latest news on otters' },
    });
    if (message.type !== 'message' || message.content[0].type !== 'output_text') throw new Error('expected a message');
    const [annotation] = message.content[0].annotations;
    if (annotation.type !== 'url_citation') throw new Error('expected a url citation');
    expect(message.content[0].text.slice(annotation.start_index, annotation.end_index)).toBe(annotation.title);
  });

  it('searches files when offered file_search with vector stores and asked about "my files"', async () => {
    const response = await client.responses.create({
      model: 'offline-rules',
      input: 'What do I say about otters in my files?',
      tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }],
    });
    expect(response.output[0]).toMatchObject({ type: 'file_search_call', status: 'completed', queries: ['What do I say about otters in my files?'], results: null });
    expect(response.output[1].type).toBe('message');
  });

  it('runs code when offered code_interpreter and asked to calculate, with outputs when included', async () => {
    const response = await client.responses.create({
      model: 'offline-rules',
      input: 'Please calculate (2 + 3) * 4',
      tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
      include: ['code_interpreter_call.outputs'],
    });
    expect(response.output[0]).toMatchObject({
      id: expect.stringMatching(/^ci_/),
      type: 'code_interpreter_call',
      status: 'completed',
      code: 'print((2 + 3) * 4)',
      container_id: expect.stringMatching(/^cntr_/),
      outputs: [{ type: 'logs', logs: '20' }],
    });
    expect(response.output_text).toBe('The code printed: 20');
  });

  it('streams each hosted call with its own events', async () => {
    const events = await eventsOf({ model: 'offline-rules', input: 'calculate 6*7', tools: [{ type: 'code_interpreter', container: 'cntr_abc' }] });
    const types = events.map((event) => event.type);
    expect(types.slice(0, 9)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.code_interpreter_call.in_progress',
      'response.code_interpreter_call_code.delta',
      'response.code_interpreter_call_code.delta',
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call.completed',
    ]);
    const webEvents = await eventsOf({ model: 'offline-rules', input: 'search the web for otters', tools: [{ type: 'web_search_preview' }] });
    expect(webEvents.map((event) => event.type)).toEqual(
      expect.arrayContaining([
        'response.web_search_call.in_progress',
        'response.web_search_call.searching',
        'response.web_search_call.completed',
        'response.output_text.annotation.added',
      ]),
    );
  });
});

describe('structured output', () => {
  it('answers a JSON document that the SDK parses against the zod schema it was given', async () => {
    const Order = z.object({ summary: z.string(), quantity: z.number(), urgent: z.boolean(), tags: z.array(z.string()), size: z.enum(['small', 'large']) });
    const response = await client.responses.parse({
      model: 'offline-rules',
      input: 'Two large boxes, please',
      text: { format: zodTextFormat(Order, 'order') },
    });
    expect(response.output_parsed).toEqual({ summary: 'Two large boxes, please', quantity: 1, urgent: true, tags: ['Two large boxes, please'], size: 'small' });
  });
});

describe('streaming', () => {
  it("streams a message in the service's order, numbered from 0, with the whole response last", async () => {
    const events = await eventsOf({ model: 'offline-rules', input: 'My name is Ada' });
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events.map((event) => event.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array('Nice to meet you, Ada!'.split(' ').length).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event] : []));
    expect(deltas.map((delta) => delta.delta).join('')).toBe('Nice to meet you, Ada!');
    expect(deltas[0].logprobs).toEqual([]);
    const created = events[0];
    if (created.type !== 'response.created') throw new Error('expected response.created first');
    expect(created.response).toMatchObject({ status: 'in_progress', output: [], usage: null });
    const completed = events.at(-1);
    if (completed?.type !== 'response.completed') throw new Error('expected response.completed last');
    expect(completed.response.status).toBe('completed');
    expect(completed.response.usage?.total_tokens).toBeGreaterThan(0);
    expect(messageOf(completed.response).content[0]).toEqual({ type: 'output_text', text: 'Nice to meet you, Ada!', annotations: [], logprobs: [] });
  });

  it('sends both event: and data: lines and no [DONE] sentinel', async () => {
    const { text, contentType } = await rawPost({ model: 'offline-rules', input: 'hi', stream: true });
    expect(contentType).toMatch(/^text\/event-stream/);
    const blocks = text.trim().split('\n\n');
    for (const block of blocks) {
      const [eventLine, dataLine] = block.split('\n');
      const type = eventLine.replace(/^event: /, '');
      expect(JSON.parse(dataLine.replace(/^data: /, ''))).toHaveProperty('type', type);
    }
    expect(text).not.toContain('[DONE]');
  });

  it('streams reasoning, then a function call with arguments in pieces', async () => {
    const events = await eventsOf({ model: 'o4-mini', input: 'Where is my order 1234?', tools: [lookupOrder] });
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      ...events.filter((event) => event.type === 'response.reasoning_summary_text.delta').map(() => 'response.reasoning_summary_text.delta'),
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const added = events.find((event) => event.type === 'response.output_item.added' && event.item.type === 'function_call');
    expect(added).toMatchObject({ item: { arguments: '', status: 'in_progress', name: 'lookup_order' } });
    const done = events.find((event) => event.type === 'response.function_call_arguments.done');
    expect(done).toMatchObject({ arguments: '{"order_id":"1234"}', name: 'lookup_order' });
  });

  it('gives responses.stream() a final response equal to the whole one', async () => {
    const stream = client.responses.stream({ model: 'offline-rules', input: 'The weather is nice' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('You said: "The weather is nice". I am the offline test model and can only answer from this conversation.');
    expect(deltas.join('')).toBe(final.output_text);
    expect(deltas.length).toBeGreaterThan(2);
  });
});

describe('script steps', () => {
  it('serves scripted text with reasoning, tool calls and hosted calls on the Responses API', async () => {
    model.enqueue(
      { text: 'scripted', reasoning: 'thinking it over' },
      { toolCalls: [{ name: 'lookup_order', arguments: { order_id: 'A-1' } }] },
      { hostedCall: { type: 'web_search', query: 'otters' }, text: 'Otters are fine.' },
    );
    const first = await client.responses.create({ model: 'offline-rules', input: 'hi' });
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(first.output_text).toBe('scripted');
    const second = await client.responses.create({ model: 'offline-rules', input: 'hi' });
    expect(second.output[0]).toMatchObject({ type: 'function_call', name: 'lookup_order', arguments: '{"order_id":"A-1"}' });
    const third = await client.responses.create({ model: 'offline-rules', input: 'hi' });
    expect(third.output[0]).toMatchObject({ type: 'web_search_call', action: { type: 'search', query: 'otters' } });
    expect(third.output_text).toBe('Otters are fine.');
  });

  it('answers incomplete for max_output_tokens, an empty reply without text', async () => {
    model.enqueue({ incomplete: 'max_output_tokens' });
    const response = await client.responses.create({ model: 'offline-rules', input: 'hi' });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output).toEqual([]);
    expect(response.output_text).toBe('');

    model.enqueue({ incomplete: 'max_output_tokens', text: 'Half an ans' });
    const events = await eventsOf({ model: 'offline-rules', input: 'hi' });
    const last = events.at(-1);
    if (last?.type !== 'response.incomplete') throw new Error('expected response.incomplete last');
    expect(messageOf(last.response).status).toBe('incomplete');
  });

  it('fails a stream with response.failed, and a whole request with a 500', async () => {
    model.enqueue({ failed: { message: 'The model broke.' }, text: 'partial' }, { failed: {} });
    const events = await eventsOf({ model: 'offline-rules', input: 'hi' });
    const last = events.at(-1);
    if (last?.type !== 'response.failed') throw new Error('expected response.failed last');
    expect(last.response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'The model broke.' } });
    const error = await rejectionOf(client.responses.create({ model: 'offline-rules', input: 'hi' }));
    expect(error).toBeInstanceOf(InternalServerError);
  });

  it('raises scripted errors as OpenAI.APIError with their status', async () => {
    model.enqueue({ error: { status: 429, message: 'Slow down', retryAfterSeconds: 3 } });
    const error = await rejectionOf(client.responses.create({ model: 'offline-rules', input: 'hi' }));
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get('retry-after')).toBe('3');
  });

  it('cuts a stream after a number of SSE events: dropped is an error, ended leaves a response that never completed', async () => {
    model.enqueue({ text: 'one two three four', dropAfterChunks: 5 });
    const stream = await client.responses.create({ model: 'offline-rules', input: 'hi', stream: true });
    const seen: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    );
    expect(error).toHaveProperty('message', expect.stringMatching(/terminated/));
    expect(seen).toHaveLength(5);

    model.enqueue({ text: 'one two three four', endAfterChunks: 6 });
    const ended = await eventsOf({ model: 'offline-rules', input: 'hi' });
    expect(ended).toHaveLength(6);
    expect(ended.map((event) => event.type)).not.toContain('response.completed');
    model.enqueue({ text: 'one two', endAfterChunks: 4 });
    const cut = await client.responses.stream({ model: 'offline-rules', input: 'hi' }).finalResponse();
    expect(cut.status).toBe('in_progress');
  });

  it('answers a malformed step with a body that is not a response', async () => {
    model.enqueue({ malformed: true });
    const { status, text } = await rawPost({ model: 'offline-rules', input: 'hi' });
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ object: 'response', output: 'not a list of items' });
  });
});

describe('invalid requests', () => {
  it('refuses a body that is not JSON, or without a model, with a 400 in the OpenAI error format', async () => {
    const notJson = await rawPost('{"model": ');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.text)).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/could not parse the JSON body/) } });
    const noModel = await rawPost({ input: 'hi' });
    expect(noModel.status).toBe(400);
    expect(JSON.parse(noModel.text)).toEqual({
      error: { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' },
    });
  });

  it('refuses a chat-style nested function tool by naming the flat name it lacks', async () => {
    const { status, text } = await rawPost({ model: 'offline-rules', input: 'hi', tools: [{ type: 'function', function: { name: 'lookup_order' } }] });
    expect(status).toBe(400);
    expect(JSON.parse(text).error.message).toBe("Missing required parameter: 'tools[0].name'.");
  });

  it('refuses an output_text part in a user message, and an unknown item type', async () => {
    const error = await rejectionOf(client.responses.create({ model: 'offline-rules', input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] as never }));
    expect((error as BadRequestError).message).toBe("400 Invalid value: 'output_text'. Supported values are: 'input_text', 'input_image', and 'input_file'.");
    const unknown = await rawPost({ model: 'offline-rules', input: [{ type: 'telepathy' }] });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text).error.param).toBe('input[0].type');
  });

  it('refuses an item_reference to an item it never stored with a 404', async () => {
    const error = await rejectionOf(client.responses.create({ model: 'offline-rules', input: [{ type: 'item_reference', id: 'msg_nope' }] }));
    expect(error).toBeInstanceOf(NotFoundError);
  });
});
