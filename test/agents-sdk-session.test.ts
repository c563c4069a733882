/**
 * The `@openai/agents` Session adapter: the SDK's own `run()` keeps its history in a durable session,
 * a second process continues the conversation, and the SDK's session semantics hold (limit order,
 * pop, clear, isolation, history transactions idempotent by operation id).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Agent, OpenAIProvider, run, setTracingDisabled, type AgentInputItem } from '@openai/agents';
import { DurableAgentSession } from '../src/client/agents-sdk-session';
import { InvalidInputError } from '../src/client/errors';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  setTracingDisabled(true);
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function sdkAgent(): Promise<Agent> {
  const model = await new OpenAIProvider({ baseURL: stack.model.baseURL, apiKey: 'offline', useResponses: false }).getModel(OFFLINE_MODEL_ID);
  return new Agent({ name: 'assistant', instructions: 'You are helpful.', model });
}

/** Runs one SDK turn in another process on the same durable session (async: this process serves the model). */
async function runInOtherProcess(sessionId: string, text: string): Promise<string> {
  const script = path.join(__dirname, 'fixtures', 'agents-sdk-turn.ts');
  const child = spawn(process.execPath, ['-e', `require('tsx/cjs/api').register(); require(${JSON.stringify(script)});`], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: stack.db.url,
      AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue,
      MODEL_BASE_URL: stack.model.baseURL,
      SESSION_ID: sessionId,
      TEXT: text,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the other process failed (${code}): ${stderr}`);
  return stdout.trim();
}

const user = (content: string): AgentInputItem => ({ type: 'message', role: 'user', content });

test('run() remembers across processes: one process is told the name, another is asked it', async () => {
  const session = new DurableAgentSession(stack.client, 'sdk:memory');
  const first = await run(await sdkAgent(), 'My name is Sam.', { session });
  expect(first.finalOutput).toBe('Nice to meet you, Sam!');
  expect(await runInOtherProcess('sdk:memory', "What's my name?")).toBe('Your name is Sam.');
  const items = await session.getItems();
  expect(items.map((item) => ('role' in item ? item.role : item.type))).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(items[3]).toMatchObject({ role: 'assistant', content: [{ type: 'output_text', text: 'Your name is Sam.' }] });
});

test('getItems(limit) gives the latest items in chronological order; pop removes the latest; clear empties', async () => {
  const session = new DurableAgentSession(stack.client, 'sdk:semantics');
  expect(await session.getItems()).toEqual([]);
  await session.addItems([user('one'), user('two'), user('three')]);
  expect((await session.getItems(2)).map((item) => ('content' in item ? item.content : ''))).toEqual(['two', 'three']);
  expect(await session.popItem()).toMatchObject({ role: 'user', content: 'three' });
  expect(await session.getItems()).toHaveLength(2);
  await session.clearSession();
  expect(await session.getItems()).toEqual([]);
  expect(await new DurableAgentSession(stack.client, 'sdk:other').getItems()).toEqual([]);
  expect(await new DurableAgentSession(stack.client, 'sdk:never').popItem()).toBeUndefined();
});

test('a tool call and its result round-trip; the result gets its tool name back', async () => {
  const session = new DurableAgentSession(stack.client, 'sdk:tools');
  await session.addItems([
    user('weather?'),
    { type: 'function_call', callId: 'call-1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    { type: 'function_call_result', callId: 'call-1', name: 'get_weather', status: 'completed', output: 'rainy' },
  ]);
  const items = await session.getItems();
  expect(items[2]).toEqual({ type: 'function_call_result', callId: 'call-1', name: 'get_weather', status: 'completed', output: 'rainy' });
  const popped = await session.popItem();
  expect(popped).toMatchObject({ type: 'function_call_result' });
  expect(await session.getItems()).toHaveLength(1);
});

test('history transactions apply once per operation id; a replace_suffix that does not match changes nothing', async () => {
  const session = new DurableAgentSession(stack.client, 'sdk:transactions');
  const append = { operationId: 'op-1', transaction: { type: 'append_items' as const, items: [user('hello')] } };
  await session.applyHistoryTransaction(append);
  await session.applyHistoryTransaction(append);
  expect(await session.getItems()).toHaveLength(1);
  const wrong = { operationId: 'op-2', transaction: { type: 'replace_suffix' as const, expectedSuffix: [user('not there')], replacement: [user('x')] } };
  await expect(session.applyHistoryTransaction(wrong)).rejects.toThrow(InvalidInputError);
  const right = { operationId: 'op-3', transaction: { type: 'replace_suffix' as const, expectedSuffix: [user('hello')], replacement: [user('hello, again')] } };
  await session.applyHistoryTransaction(right);
  await session.applyHistoryTransaction(right);
  expect((await session.getItems()).map((item) => ('content' in item ? item.content : ''))).toEqual(['hello, again']);
});
