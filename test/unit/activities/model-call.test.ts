/**
 * The model activity's request to the endpoint, in MockActivityEnvironment against the offline model over HTTP: no
 * Temporal server, no Postgres. Held replies (not sleeps) keep a request in flight while the test acts.
 */
import OpenAI from 'openai';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment as BaseEnvironment } from '@temporalio/testing';
import { completeChat, streamChat, completeResponse } from '../../../src/activities/model';
import { toChatMessages } from '../../../src/activities/chat-format';
import { applyInputCallback } from '../../../src/activities/input-callbacks';
import { startOfflineModel, type OfflineModel } from '../../../src/offline-model/server';
import type { Item } from '../../../src/shared/schemas';

class MockActivityEnvironment extends BaseEnvironment {
  constructor(info: ConstructorParameters<typeof BaseEnvironment>[0] = {}) {
    super(info, { logger: new DefaultLogger('ERROR', () => undefined) });
  }

  /** `run`, typed by the activity's own parameters and result. */
  override run<P extends unknown[], R>(fn: (...args: P) => Promise<R>, ...args: P): Promise<R> {
    return super.run(fn as never, ...(args as unknown as never[])) as Promise<R>;
  }
}

let model: OfflineModel;
let deps: { openai: OpenAI; modelTimeoutMs: number };

beforeAll(async () => {
  model = await startOfflineModel();
  deps = { openai: new OpenAI({ apiKey: 'offline', baseURL: model.baseURL, maxRetries: 0 }), modelTimeoutMs: 5_000 };
});
beforeEach(() => model.reset());
afterAll(() => model.close());

const history: Item[] = [
  { type: 'message', role: 'user', content: 'My name is Ada.' },
  { type: 'message', role: 'assistant', content: 'Nice to meet you, Ada!' },
];
const turn: Item[] = [{ type: 'message', role: 'user', content: "What's my name?" }];

function chatRequest(items: Item[]) {
  return { model: 'offline', messages: toChatMessages('You are helpful.', items).messages };
}

test('a chat completion: the request carries the instructions then the items; the reply comes back as items with usage', async () => {
  const reply = await new MockActivityEnvironment().run(completeChat, deps, chatRequest([...history, ...turn]));
  expect(model.requests[0].messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
  expect(reply.items).toEqual([{ type: 'message', role: 'assistant', content: 'Your name is Ada.' }]);
  expect(reply.usage.totalTokens).toBeGreaterThan(0);
});

test('streamed: every text delta reaches onText, and the reply equals the whole answer', async () => {
  model.enqueue({ text: 'one two three' });
  const deltas: string[] = [];
  const reply = await new MockActivityEnvironment().run(streamChat, deps, chatRequest(turn), (delta: string) => deltas.push(delta));
  expect(deltas.join('')).toBe('one two three');
  expect(reply.items).toEqual([{ type: 'message', role: 'assistant', content: 'one two three' }]);
});

test('the Responses API: a tool call comes back as a function_call item', async () => {
  model.enqueue({ toolCalls: [{ name: 'lookup_order', arguments: { order_id: '7' } }] });
  const reply = await new MockActivityEnvironment().run(completeResponse, deps, { model: 'offline', input: 'where is order 7?' });
  expect(reply.items).toEqual([expect.objectContaining({ type: 'function_call', name: 'lookup_order', arguments: '{"order_id":"7"}' })]);
});

test('a reply held past the model deadline fails the attempt as ModelDeadline (retryable), and the request is abandoned', async () => {
  model.enqueue({ text: 'too late', hold: 'deadline' });
  const failure = await new MockActivityEnvironment().run(completeChat, { ...deps, modelTimeoutMs: 200 }, chatRequest(turn)).catch((error: unknown) => error);
  expect(failure).toMatchObject({ type: 'ModelDeadline', nonRetryable: false });
  await model.held('deadline');
});

test('cancelling the activity while the request is held aborts it', async () => {
  model.enqueue({ text: 'never read', hold: 'cancel' });
  const env = new MockActivityEnvironment();
  const running = env.run(completeChat, deps, chatRequest(turn)).catch((error: unknown) => error);
  await model.held('cancel');
  env.cancel('CANCELLED');
  expect(String(await running)).toMatch(/abort|cancel/i);
});

test('heartbeats every 2 s while a held request waits', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  try {
    model.enqueue({ text: 'at last', hold: 'beats' });
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => (beats += 1));
    const running = env.run(completeChat, { ...deps, modelTimeoutMs: 60_000 }, chatRequest(turn));
    await model.held('beats');
    await jest.advanceTimersByTimeAsync(4_100);
    expect(beats).toBe(2);
    model.release('beats');
    expect((await running).items).toEqual([{ type: 'message', role: 'assistant', content: 'at last' }]);
  } finally {
    jest.useRealTimers();
  }
});

test('HTTP errors are marked: 429 retryable with its Retry-After, 400 non-retryable ModelRequestRejected', async () => {
  model.enqueue({ error: { status: 429, message: 'Slow down', retryAfterSeconds: 3 } }, { error: { status: 400, message: 'bad schema' } });
  const env = new MockActivityEnvironment();
  await expect(env.run(completeChat, deps, chatRequest(turn))).rejects.toMatchObject({
    type: 'ModelHttpError',
    details: [{ status: 429 }],
    nonRetryable: false,
    nextRetryDelay: 3000,
  });
  await expect(env.run(completeChat, deps, chatRequest(turn))).rejects.toMatchObject({ type: 'ModelRequestRejected', nonRetryable: true });
});

test('a malformed answer is an InvalidModelResponse, retried', async () => {
  model.enqueue({ malformed: true });
  await expect(new MockActivityEnvironment().run(completeChat, deps, chatRequest(turn))).rejects.toMatchObject({ type: 'InvalidModelResponse', nonRetryable: false });
});

describe('input callbacks', () => {
  test('shape what the model is sent from the window and the turn', async () => {
    const usersOnly = { 'users-only': (past: Item[], now: Item[]) => [...past, ...now].filter((item) => item.type === 'message' && item.role === 'user') };
    expect(await applyInputCallback(usersOnly, 'users-only', history, turn)).toEqual([history[0], turn[0]]);
    expect(await applyInputCallback(usersOnly, undefined, history, turn)).toEqual([...history, ...turn]);
  });

  test('an unknown callback or invalid items fail the call for good', async () => {
    await expect(applyInputCallback({}, 'missing', history, turn)).rejects.toMatchObject({ nonRetryable: true, type: 'UnknownAgentOrTool' });
    await expect(applyInputCallback({ bad: () => ['not an item'] as unknown as Item[] }, 'bad', history, turn)).rejects.toMatchObject({ nonRetryable: true, type: 'TurnFailed' });
  });
});
