/** The offline model's held replies: a test waits for a request to arrive and lets it go, instead of sleeping. */
import OpenAI from 'openai';
import { startOfflineModel, type OfflineModel } from '../../src/offline-model/server';

let model: OfflineModel;
let client: OpenAI;

beforeAll(async () => {
  model = await startOfflineModel();
  client = new OpenAI({ apiKey: 'x', baseURL: model.baseURL, maxRetries: 0 });
});

beforeEach(() => model.reset());

afterAll(() => model.close());

/** Whether the promise has settled by the time queued callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test('a held Chat reply waits for release; held() resolves once the request reached the step', async () => {
  model.enqueue({ text: 'held reply', hold: 'slow' });
  const reached = model.held('slow');
  expect(await settled(reached)).toBe(false);
  const answer = client.chat.completions.create({ model: 'offline', messages: [{ role: 'user', content: 'hi' }] });
  await reached;
  expect(model.requests).toHaveLength(1);
  expect(await settled(answer)).toBe(false);
  model.release('slow');
  expect((await answer).choices[0].message.content).toBe('held reply');
});

test('a held streamed Responses tool call, and a release given before the request arrives', async () => {
  model.enqueue({ toolCalls: [{ name: 'lookup_order', arguments: { order_id: '1' } }], hold: 'early' });
  model.release('early');
  const stream = await client.responses.create({ model: 'offline', input: 'where is order 1?', stream: true });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type);
  expect(types).toContain('response.function_call_arguments.done');
  await model.held('early');
});

test('an error step can be held, and reset releases every hold', async () => {
  model.enqueue({ error: { status: 503, message: 'busy' }, hold: 'error' });
  const answer = client.chat.completions.create({ model: 'offline', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
  await model.held('error');
  model.reset();
  expect(String(await answer)).toContain('busy');
});

test('a held reply is dropped with its connection when the client gives up', async () => {
  model.enqueue({ text: 'never sent', hold: 'abandoned' });
  const controller = new AbortController();
  const answer = client.chat.completions.create({ model: 'offline', messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal }).catch((error: unknown) => error);
  await model.held('abandoned');
  controller.abort();
  expect(String(await answer)).toMatch(/abort/i);
  model.release('abandoned');
  expect((await client.chat.completions.create({ model: 'offline', messages: [{ role: 'user', content: 'My name is Ada.' }] })).choices[0].message.content).toBe(
    'Nice to meet you, Ada!',
  );
});
