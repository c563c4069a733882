/**
 * The worker on the Responses API (OPENAI_API=responses): turns whole and streamed, reasoning items
 * carried back verbatim within a turn and across turns, images, hosted tools, structured output; and
 * the default, Chat Completions, still answering sessions that hold items only Responses can carry.
 * Real parts: a Temporal dev server, Postgres, the offline model over HTTP, real workers.
 */
import { z } from 'zod';
import { defineAgent } from '../src/agents';
import { InvalidOutputError, ModelRequestRejectedError } from '../src/client/errors';
import { formatItem } from '../src/cli/format';
import { loadConfig } from '../src/config';
import { lookupOrder, supportAgent } from '../src/dev/demo-agent';
import type { StreamEvent } from '../src/shared/stream';
import type { Item } from '../src/shared/schemas';
import { startTestStack, type TestStack } from './support/stack';

const reasoner = defineAgent({ name: 'reasoner', model: 'o4-mini', instructions: 'You help with orders. Think first.', tools: [lookupOrder] });
const researcher = defineAgent({
  name: 'researcher',
  instructions: 'You look things up.',
  hostedTools: [{ type: 'web_search' }, { type: 'file_search', vectorStoreIds: ['vs_offline'] }, { type: 'code_interpreter' }],
});
const City = z.object({ city: z.string(), population: z.number() });
const cities = defineAgent({ name: 'cities', instructions: 'You answer with a city and its population.', outputType: City });

/** A 1×1 PNG as a data URL. */
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

let stack: TestStack;
let counter = 0;
const newSession = (kind: string) => `responses-${++counter}:${kind}`;

/** Restarts the stack's workers with these options (one worker at a time, so every call speaks one API). */
async function workerWith(options: Parameters<TestStack['startWorker']>[0]): Promise<void> {
  await stack.stopWorkers();
  await stack.startWorker(options);
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const seen: StreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

const typesOf = (items: unknown[]) => items.map((item) => (item as { type?: string }).type ?? 'message');

beforeAll(async () => {
  stack = await startTestStack({ agents: [supportAgent, reasoner, researcher, cities] });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

describe('the default API', () => {
  it('is chat_completions, for the environment and for a worker given no openaiApi', async () => {
    expect(loadConfig({}).openaiApi).toBe('chat_completions');
    expect(loadConfig({ OPENAI_API: 'responses' }).openaiApi).toBe('responses');
    expect(() => loadConfig({ OPENAI_API: 'assistants' })).toThrow(/OPENAI_API/);
    const turn = await stack.client.send(newSession('default'), 'Hello there');
    expect(turn.reply).toContain('Hello there');
    expect(stack.model.requests).toHaveLength(1);
    expect(stack.model.responsesRequests).toHaveLength(0);
    expect(turn.finishReason).toBe('stop');
  });

  it('answers a session holding a reasoning item and a web search call, leaving both out of the chat request', async () => {
    const sessionId = newSession('chat-with-responses-items');
    await stack.client.addItems(sessionId, [
      { type: 'message', role: 'user', content: 'My name is Ada' },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'The user said their name.' }], encrypted_content: 'opaque' },
      { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'Ada' } },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Nice to meet you, Ada!', annotations: [] }] },
    ]);
    const turn = await stack.client.send(sessionId, 'What is my name?');
    expect(turn.reply).toBe('Your name is Ada.');
    const sent = JSON.stringify(stack.model.requests[0].messages);
    expect(sent).not.toContain('opaque');
    expect(sent).not.toContain('ws_1');
  });

  it('sends an image in a user message as an image_url part', async () => {
    await stack.client.send(newSession('chat-image'), {
      input: [
        { type: 'input_text', text: 'What is this?' },
        { type: 'input_image', image_url: PIXEL },
      ],
    });
    const user = stack.model.requests[0].messages.find((message) => message.role === 'user');
    expect(user?.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: PIXEL } },
    ]);
  });

  it('holds structured output to the schema through response_format', async () => {
    const turn = await stack.client.send(newSession('chat-structured'), 'Name a big city', { agent: 'cities' });
    expect(City.parse(turn.output)).toEqual(turn.output);
    expect(stack.model.requests[0]).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'final_output', strict: true } } });
  });
});

describe('on the Responses API, streamed', () => {
  beforeAll(() => workerWith({ openaiApi: 'responses' }));

  it('answers a turn from streamed events, never storing on the provider and asking for encrypted reasoning', async () => {
    const sessionId = newSession('streamed');
    const events = await collect(stack.client.stream(sessionId, 'Hello over the Responses API'));
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    const result = done?.type === 'done' ? done.result : undefined;
    expect(result?.reply).toContain('Hello over the Responses API');
    expect(
      events
        .filter((event) => event.type === 'text')
        .map((event) => (event.type === 'text' ? event.delta : ''))
        .join(''),
    ).toBe(result?.reply);
    expect(stack.model.requests).toHaveLength(0);
    expect(stack.model.responsesRequests).toHaveLength(1);
    expect(stack.model.responsesRequests[0]).toMatchObject({ stream: true, store: false, include: ['reasoning.encrypted_content'], instructions: expect.any(String) });
    const [, reply] = await stack.client.items(sessionId);
    expect(reply.item).toEqual(stack.model.responses[0].output[0]);
  });

  it('carries reasoning back verbatim after a tool call and on the next turn, and counts reasoning tokens', async () => {
    const sessionId = newSession('reasoning');
    const first = await stack.client.send(sessionId, 'Where is order 1234?', { agent: 'reasoner' });
    expect(typesOf(first.items.map((entry) => entry.item))).toEqual(['message', 'reasoning', 'function_call', 'function_call_output', 'reasoning', 'message']);
    const [callReasoning, answerReasoning] = stack.model.responses.map((response) => response.output[0]);
    expect(callReasoning).toMatchObject({ type: 'reasoning', encrypted_content: expect.any(String) });
    const followUp = stack.model.responsesRequests[1].input as unknown[];
    expect(followUp).toContainEqual(callReasoning);
    expect(typesOf(followUp)).toEqual(['message', 'reasoning', 'function_call', 'function_call_output']);
    expect(first.usage.reasoningTokens).toBeGreaterThan(0);

    const second = await stack.client.send(sessionId, 'Thanks! And order 5678?');
    const nextTurn = stack.model.responsesRequests[2].input as unknown[];
    expect(nextTurn.filter((item) => (item as Item).type === 'reasoning')).toEqual([callReasoning, answerReasoning]);
    expect(second.reply).toContain('Here is what I found');
    expect(second.usage.reasoningTokens).toBeGreaterThan(0);
  });

  it('offers hosted tools, and stores, streams and shows their calls', async () => {
    const sessionId = newSession('hosted');
    const events = await collect(stack.client.stream(sessionId, 'Please search the web for the latest news on otters', { agent: 'researcher' }));
    expect(stack.model.responsesRequests[0].tools).toEqual([
      { type: 'web_search' },
      { type: 'file_search', vector_store_ids: ['vs_offline'] },
      { type: 'code_interpreter', container: { type: 'auto' } },
    ]);
    const streamed = events.flatMap((event) => (event.type === 'item' ? [event.item] : []));
    expect(typesOf(streamed)).toEqual(['web_search_call']);
    const items = await stack.client.items(sessionId);
    expect(items[1].item).toEqual(stack.model.responses[0].output[0]);
    expect(items.map(formatItem).join('\n')).toMatch(/\[web search: Please search the web/);
  });

  it('sends an image in a user message as an input_image', async () => {
    await stack.client.send(newSession('image'), {
      input: [
        { type: 'input_text', text: 'What is this?' },
        { type: 'input_image', image_url: PIXEL },
      ],
    });
    expect(stack.model.responsesRequests[0].input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'What is this?' },
          { type: 'input_image', image_url: PIXEL, detail: 'auto' },
        ],
      },
    ]);
  });

  it('gives structured output typed, and refuses an answer that does not meet the schema, leaving the session unchanged', async () => {
    const sessionId = newSession('structured');
    const turn = await stack.client.send(sessionId, 'Name a big city', { agent: 'cities' });
    const city: z.infer<typeof City> = City.parse(turn.output);
    expect(city).toEqual(turn.output);
    expect(stack.model.responsesRequests[0].text).toMatchObject({ format: { type: 'json_schema', name: 'final_output', strict: true } });

    const before = await stack.client.items(sessionId);
    stack.model.enqueue({ text: 'Paris, about two million people' });
    await expect(stack.client.send(sessionId, 'Another one')).rejects.toThrow(InvalidOutputError);
    stack.model.enqueue({ text: JSON.stringify({ city: 'Paris', population: 'many' }) });
    const refused = stack.client.send(sessionId, 'One more');
    await expect(refused).rejects.toThrow(InvalidOutputError);
    await expect(refused).rejects.toThrow(/population/);
    expect(await stack.client.items(sessionId)).toEqual(before);
    expect((await stack.client.send(sessionId, 'And a last one')).output).toEqual(expect.objectContaining({ city: expect.any(String) }));
  });

  it('fails a turn whose response the service failed for the request (response.failed), and retries a stream cut before it completed', async () => {
    stack.model.enqueue({ failed: { code: 'invalid_prompt', message: 'Your prompt was flagged.' } });
    await expect(stack.client.send(newSession('failed'), 'Hello')).rejects.toThrow(ModelRequestRejectedError);
    stack.model.enqueue({ text: 'one two three', endAfterChunks: 4 });
    const turn = await stack.client.send(newSession('cut'), 'Hello after a cut');
    expect(turn.reply).toContain('Hello after a cut');
    expect(stack.model.responsesRequests).toHaveLength(3);
  });

  it('keeps an incomplete response as the reply, with its finish reason', async () => {
    stack.model.enqueue({ incomplete: 'max_output_tokens', text: 'Cut sh' });
    const turn = await stack.client.send(newSession('incomplete'), 'Tell me a long story');
    expect(turn.reply).toBe('Cut sh');
    expect(turn.finishReason).toBe('length');
  });

  it('marks a reply without text as empty, with why the model stopped, so a caller can tell it from an answer; a retry says the same', async () => {
    const session = newSession('empty');
    stack.model.enqueue({ incomplete: 'max_output_tokens' });
    const turn = await stack.client.send(session, { text: 'Tell me a story', id: 'empty-1' });
    expect(turn).toMatchObject({ reply: '', empty: true, finishReason: 'length' });
    expect(await stack.client.send(session, { text: 'Tell me a story', id: 'empty-1' })).toMatchObject({ reply: '', empty: true, finishReason: 'length' });
    const answered = await stack.client.send(session, 'Hello again');
    expect(answered.empty).toBeUndefined();
  });
});

describe('on the Responses API, whole', () => {
  beforeAll(() => workerWith({ openaiApi: 'responses', stream: false }));

  it('answers a turn from the whole response, with a tool call in between', async () => {
    const sessionId = newSession('whole');
    const turn = await stack.client.send(sessionId, 'Where is order 9012?');
    expect(turn.reply).toContain('waiting for stock');
    expect(stack.model.responsesRequests.map((request) => request.stream ?? false)).toEqual([false, false]);
    expect(typesOf(turn.items.map((entry) => entry.item))).toEqual(['message', 'function_call', 'function_call_output', 'message']);
    expect(turn.usage).toMatchObject({ requests: 2, reasoningTokens: 0, cachedTokens: 0 });
  });

  it('retries a response the service failed for a transient reason', async () => {
    stack.model.enqueue({ error: { status: 500 } });
    const turn = await stack.client.send(newSession('retried'), 'Hello again');
    expect(turn.reply).toContain('Hello again');
    expect(stack.model.responsesRequests).toHaveLength(2);
  });
});
