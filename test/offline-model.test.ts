import OpenAI, { APIConnectionError, InternalServerError, NotFoundError, RateLimitError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startOfflineModel, type OfflineModel } from '../src/offline-model/server';
import type { ScriptStep } from '../src/offline-model/script';

const lookupOrderTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'lookup_order',
    description: 'Looks up an order by its id.',
    parameters: {
      type: 'object',
      properties: { order_id: { type: 'string' }, note: { type: 'string' } },
      required: ['order_id'],
    },
  },
};

let model: OfflineModel;
let client: OpenAI;

beforeAll(async () => {
  model = await startOfflineModel();
  client = new OpenAI({ apiKey: 'test', baseURL: model.baseURL, maxRetries: 0 });
});

beforeEach(() => model.reset());

afterAll(() => model.close());

async function ask(messages: ChatCompletionMessageParam[], tools?: ChatCompletionTool[]) {
  return client.chat.completions.create({ model: 'offline-rules', messages, ...(tools && { tools }) });
}

async function replyTo(messages: ChatCompletionMessageParam[]): Promise<string | null> {
  const completion = await ask(messages);
  return completion.choices[0].message.content;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error,
  );
}

async function postRawChatBody(body: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${model.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, json: await response.json() };
}

describe('rule-based answers', () => {
  it('greets a user who tells their name', async () => {
    expect(await replyTo([{ role: 'user', content: 'Hi, my name is Ada.' }])).toBe('Nice to meet you, Ada!');
  });

  it('recalls a name told in an earlier message of the same request', async () => {
    const reply = await replyTo([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'My name is Grace' },
      { role: 'assistant', content: 'Nice to meet you, Grace!' },
      { role: 'user', content: "What's my name?" },
    ]);
    expect(reply).toBe('Your name is Grace.');
  });

  it('does not know the name when the earlier message is absent from the request', async () => {
    await replyTo([{ role: 'user', content: 'My name is Grace' }]);
    expect(await replyTo([{ role: 'user', content: 'Do you remember my name?' }])).toBe("I don't know your name yet.");
  });

  it('reads user content given as an array of text parts', async () => {
    const reply = await replyTo([
      { role: 'user', content: [{ type: 'text', text: 'my name is Linus' }] },
      { role: 'user', content: [{ type: 'text', text: 'what is my name' }] },
    ]);
    expect(reply).toBe('Your name is Linus.');
  });

  it('acknowledges anything else by quoting the user', async () => {
    const reply = await replyTo([{ role: 'user', content: 'The weather is nice today.' }]);
    expect(reply).toBe('You said: "The weather is nice today.". I am the offline test model and can only answer from this conversation.');
  });
});

describe('tool calling', () => {
  it('calls an offered tool named in the text, passing the argument from the text as a JSON string', async () => {
    const completion = await ask([{ role: 'user', content: 'Where is my order 1234?' }], [lookupOrderTool]);
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const [toolCall] = choice.message.tool_calls ?? [];
    expect(toolCall.type).toBe('function');
    expect(toolCall.id).toMatch(/^call_[0-9a-f]{24}$/);
    if (toolCall.type !== 'function') throw new Error('expected a function tool call');
    expect(toolCall.function.name).toBe('lookup_order');
    expect(typeof toolCall.function.arguments).toBe('string');
    expect(JSON.parse(toolCall.function.arguments)).toEqual({ order_id: '1234' });
  });

  it('passes a number for number-typed parameters', async () => {
    const weatherTool: ChatCompletionTool = {
      type: 'function',
      function: {
        name: 'get_forecast',
        parameters: {
          type: 'object',
          properties: { days: { type: 'integer' }, place: { type: 'string' } },
          required: ['days', 'place'],
        },
      },
    };
    const completion = await ask([{ role: 'user', content: 'Forecast for the next 3 days, please' }], [weatherTool]);
    const [toolCall] = completion.choices[0].message.tool_calls ?? [];
    if (toolCall?.type !== 'function') throw new Error('expected a function tool call');
    expect(JSON.parse(toolCall.function.arguments)).toEqual({
      days: 3,
      place: 'Forecast for the next 3 days, please',
    });
  });

  it('does not call a tool whose keywords are absent from the text', async () => {
    const completion = await ask([{ role: 'user', content: 'Where is my parcel 1234?' }], [lookupOrderTool]);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
  });

  it('gives the same tool call id to the same request', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Check order 77' }];
    const first = await ask(messages, [lookupOrderTool]);
    const second = await ask(messages, [lookupOrderTool]);
    expect(first.choices[0].message.tool_calls?.[0].id).toBe(second.choices[0].message.tool_calls?.[0].id);
  });

  it('answers with the tool output after a tool result instead of calling the tool again', async () => {
    const completion = await ask(
      [
        { role: 'user', content: 'Where is my order 1234?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"1234"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Order 1234 shipped on Monday' },
      ],
      [lookupOrderTool],
    );
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
    expect(completion.choices[0].message.content).toBe('Here is what I found: Order 1234 shipped on Monday');
  });
});

describe('completion format', () => {
  it('returns a chat completion echoing the requested model with consistent usage', async () => {
    const completion = await client.chat.completions.create({
      model: 'any-model-name',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.id).toMatch(/^chatcmpl-offline-\d+$/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('any-model-name');
    expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(60);
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', logprobs: null });
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', refusal: null });
    const usage = completion.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it('lists the single offline model', async () => {
    const models = await client.models.list();
    expect(models.data.map((entry) => entry.id)).toEqual(['offline-rules']);
  });
});

describe('scripted steps', () => {
  it('serves scripted text and tool calls in order, then lets the responder take over', async () => {
    model.enqueue({ text: 'first scripted reply' }, { toolCalls: [{ name: 'lookup_order', arguments: { order_id: 'A-1' } }] });
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'my name is Ada' }];

    expect((await ask(messages)).choices[0].message.content).toBe('first scripted reply');
    const second = (await ask(messages)).choices[0];
    expect(second.finish_reason).toBe('tool_calls');
    const [toolCall] = second.message.tool_calls ?? [];
    if (toolCall?.type !== 'function') throw new Error('expected a function tool call');
    expect(toolCall.function).toEqual({ name: 'lookup_order', arguments: '{"order_id":"A-1"}' });
    expect((await ask(messages)).choices[0].message.content).toBe('Nice to meet you, Ada!');
  });

  it('waits for the scripted delay before answering', async () => {
    model.enqueue({ text: 'late', delayMs: 150 });
    const started = Date.now();
    expect(await replyTo([{ role: 'user', content: 'hi' }])).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('surfaces a scripted 429 as a RateLimitError carrying the retry-after header', async () => {
    model.enqueue({ error: { status: 429, message: 'Slow down', retryAfterSeconds: 7 } });
    const error = await rejectionOf(replyTo([{ role: 'user', content: 'hi' }]));
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get('retry-after')).toBe('7');
    expect(rateLimit.type).toBe('rate_limit_error');
    expect(rateLimit.message).toBe('429 Slow down');
  });

  it('surfaces a scripted 500 as an InternalServerError', async () => {
    model.enqueue({ error: { status: 500 } });
    const error = await rejectionOf(replyTo([{ role: 'user', content: 'hi' }]));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(500);
    expect((error as InternalServerError).type).toBe('server_error');
  });

  it("holds a hanging step's body until the client gives up (a deadline that covers the body, as the worker sets), then answers the next request", async () => {
    model.enqueue({ hang: true });
    const impatientClient = new OpenAI({ apiKey: 'test', baseURL: model.baseURL, maxRetries: 0 });
    const error = await rejectionOf(
      impatientClient.chat.completions.create({ model: 'offline-rules', messages: [{ role: 'user', content: 'hi' }] }, { signal: AbortSignal.timeout(200) }),
    );
    expect((error as DOMException).name).toBe('AbortError');
    expect(await replyTo([{ role: 'user', content: 'my name is Bo' }])).toBe('Nice to meet you, Bo!');
  });

  it('rejects an invalid script step when it is enqueued', () => {
    expect(() => model.enqueue({ text: 42 } as unknown as ScriptStep)).toThrow();
    expect(() => model.enqueue({ text: 'both', toolCalls: [] } as unknown as ScriptStep)).toThrow();
  });

  it('forgets queued steps and recorded requests on reset', async () => {
    model.enqueue({ text: 'scripted' });
    await replyTo([{ role: 'user', content: 'first' }]);
    model.enqueue({ text: 'never served' });
    model.reset();
    expect(model.requests).toHaveLength(0);
    expect(await replyTo([{ role: 'user', content: 'my name is Cy' }])).toBe('Nice to meet you, Cy!');
  });
});

describe('request handling', () => {
  it('records every request body in order', async () => {
    await ask([{ role: 'user', content: 'first secret: s3cr3t' }], [lookupOrderTool]);
    await client.chat.completions.create({
      model: 'offline-rules',
      messages: [{ role: 'user', content: 'second' }],
      temperature: 0.5,
    });
    expect(model.requests).toEqual([
      {
        model: 'offline-rules',
        messages: [{ role: 'user', content: 'first secret: s3cr3t' }],
        tools: [lookupOrderTool],
      },
      { model: 'offline-rules', messages: [{ role: 'user', content: 'second' }], temperature: 0.5 },
    ]);
  });

  it('streams the same answer as Chat Completions SSE chunks, text a word at a time, usage last when asked', async () => {
    const whole = await ask([{ role: 'user', content: 'My name is Ada' }]);
    const stream = await client.chat.completions.create({
      model: 'offline-rules',
      messages: [{ role: 'user', content: 'My name is Ada' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(whole.choices[0].message.content);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(text.split(' ').length);
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: whole.usage });
  });

  it('streams tool calls as an id and name, then the arguments in pieces that add up', async () => {
    model.enqueue({ toolCalls: [{ name: 'lookup_order', arguments: { order_id: 'A-17', note: 'rush' } }] });
    const stream = await client.chat.completions.create({
      model: 'offline-rules',
      messages: [{ role: 'user', content: 'where is my order' }],
      tools: [lookupOrderTool],
      stream: true,
    });
    const pieces = [];
    for await (const chunk of stream) pieces.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
    expect(pieces[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), function: { name: 'lookup_order', arguments: '' } });
    expect(pieces.length).toBe(3);
    expect(JSON.parse(pieces.map((piece) => piece.function?.arguments ?? '').join(''))).toEqual({ order_id: 'A-17', note: 'rush' });
  });

  it('drops a streamed answer mid-way when the script says so, which the client sees as a broken stream', async () => {
    model.enqueue({ text: 'one two three four', dropAfterChunks: 3 });
    const stream = await client.chat.completions.create({ model: 'offline-rules', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const seen: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(error).toHaveProperty('message', expect.stringMatching(/terminated/));
    expect(seen.join('')).toBe('one two ');
  });

  it('rejects a malformed JSON body with a 400 in the OpenAI error format', async () => {
    const { status, json } = await postRawChatBody('{"model": "offline-rules", "messages": [');
    expect(status).toBe(400);
    expect(json).toEqual({
      error: {
        message: expect.stringMatching(/could not parse the JSON body/),
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect(model.requests).toHaveLength(0);
  });

  it('rejects a body without messages with a 400 naming the missing field', async () => {
    const { status, json } = await postRawChatBody(JSON.stringify({ model: 'offline-rules' }));
    expect(status).toBe(400);
    expect(json).toMatchObject({
      error: { message: expect.stringMatching(/^Invalid chat completion request: messages:/) },
    });
  });

  it('answers unknown routes with a 404 in the OpenAI error format', async () => {
    const error = await rejectionOf(client.embeddings.create({ model: 'offline-rules', input: 'hi' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe('404 Invalid URL (POST /v1/embeddings)');
  });

  it('fails a hanging request and stops promptly when closed', async () => {
    const separateModel = await startOfflineModel();
    separateModel.enqueue({ hang: true });
    const separateClient = new OpenAI({ apiKey: 'test', baseURL: separateModel.baseURL, maxRetries: 0 });
    const pending = rejectionOf(separateClient.chat.completions.create({ model: 'offline-rules', messages: [{ role: 'user', content: 'hi' }] }));
    while (separateModel.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const closing = Date.now();
    await separateModel.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(await pending).toHaveProperty('message');
    await expect(rejectionOf(separateClient.models.list())).resolves.toBeInstanceOf(APIConnectionError);
  });
});

describe('attachments, structured output and new script steps on Chat Completions', () => {
  it('mentions image and file parts of the last user message', async () => {
    const reply = await replyTo([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'My name is Ada' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'file', file: { filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
        ],
      },
    ]);
    expect(reply).toBe('I see 1 image and 1 file (report.pdf). Nice to meet you, Ada!');
  });

  it('refuses an image whose host cannot be reached (.invalid) with a 400', async () => {
    const url = 'https://cdn.example.invalid/cat.png';
    const error = await rejectionOf(replyTo([{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }]));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toBe(`400 Error while downloading ${url}.`);
  });

  it('answers a JSON document satisfying a json_schema response_format', async () => {
    const completion = await client.chat.completions.create({
      model: 'offline-rules',
      messages: [{ role: 'user', content: 'Ship it' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'shipment',
          strict: true,
          schema: {
            type: 'object',
            properties: { note: { type: 'string' }, count: { type: 'integer', minimum: 2 }, kind: { enum: ['box', 'crate'] } },
            required: ['note', 'count', 'kind'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(JSON.parse(completion.choices[0].message.content ?? '')).toEqual({ note: 'Ship it', count: 2, kind: 'box' });
  });

  it('serves incomplete steps with finish reason length, and failed steps as a 500', async () => {
    model.enqueue({ incomplete: 'max_output_tokens', text: 'Half' }, { failed: { message: 'broken' } });
    const completion = await ask([{ role: 'user', content: 'hi' }]);
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'Half' } });
    const error = await rejectionOf(ask([{ role: 'user', content: 'hi' }]));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).message).toBe('500 broken');
  });
});
