/**
 * The `@openai/agents` Session adapter: the SDK's own `run()` keeps its history in a durable session,
 * a second process continues the conversation, and the SDK's session semantics hold (limit order,
 * pop, clear, isolation, history transactions idempotent by operation id).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Agent, MemorySession, OpenAIProvider, protocol, run, RunState, setTracingDisabled, type AgentInputItem } from '@openai/agents';
import { DurableAgentSession } from '../src/client/agents-sdk-session';
import { InvalidInputError, OperationIdReusedError } from '../src/client/errors';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { startTestStack, type TestStack } from './support/stack';
import { startOfflineModel } from '../src/offline-model/server';
import { approvalAgent } from './fixtures/agents-sdk-approval-agent';

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
  return runFixture('agents-sdk-turn.ts', { SESSION_ID: sessionId, TEXT: text });
}

/** Runs a fixture script in a process of its own against this test's stack; returns what it printed. */
async function runFixture(fixture: string, env: Record<string, string>): Promise<string> {
  const script = path.join(__dirname, 'fixtures', fixture);
  const child = spawn(process.execPath, ['-e', `require('tsx/cjs/api').register(); require(${JSON.stringify(script)});`], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: stack.db.url,
      AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue,
      MODEL_BASE_URL: stack.model.baseURL,
      ...env,
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

/** A tiny PNG and PDF as data URLs (what the session's item schema accepts inline). */
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'data:application/pdf;base64,JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';

/** One item of every kind the SDK defines (with the variants of content parts and tool outputs). */
const EVERY_SDK_ITEM: AgentInputItem[] = [
  { type: 'message', role: 'user', content: 'plain text' },
  { role: 'user', content: 'a message without a type' },
  {
    type: 'message',
    role: 'user',
    content: [
      { type: 'input_text', text: 'look at these' },
      { type: 'input_image', image: PNG, detail: 'low' },
      { type: 'input_image', image: { id: 'file-img' } },
      { type: 'input_file', file: PDF, filename: 'report.pdf' },
      { type: 'input_file', file: { url: 'https://example.com/a.pdf' } },
      { type: 'input_file', file: { id: 'file-doc' } },
      { type: 'audio', audio: 'UklGRg==', format: 'wav', transcript: 'hello' },
    ],
    providerData: { cache: true },
  },
  {
    type: 'message',
    role: 'assistant',
    id: 'msg_1',
    status: 'completed',
    phase: 'final_answer',
    content: [
      { type: 'output_text', text: 'answer', providerData: { annotations: [] } },
      { type: 'refusal', refusal: 'no' },
      { type: 'audio', audio: { id: 'audio-1' } },
      { type: 'image', image: PNG },
    ],
  },
  { type: 'message', role: 'system', content: 'be brief' },
  { type: 'tool_search_call', callId: 'ts-1', execution: 'client', arguments: { query: 'weather' }, status: 'completed' },
  { type: 'tool_search_output', callId: 'ts-1', execution: 'client', status: 'completed', tools: [{ type: 'function', name: 'get_weather' }] },
  { type: 'hosted_tool_call', id: 'ws_1', name: 'web_search_call', arguments: '{"query":"x"}', status: 'completed', output: 'found', providerData: { action: { type: 'search' } } },
  { type: 'program', callId: 'pg-1', code: 'print(1)', fingerprint: 'fp' },
  { type: 'program_output', callId: 'pg-1', output: '1', status: 'completed' },
  { type: 'function_call', callId: 'fc-1', name: 'get_weather', arguments: '{"city":"Oslo"}', status: 'completed', namespace: 'tools', caller: { type: 'direct' } },
  { type: 'function_call_result', callId: 'fc-1', name: 'get_weather', status: 'completed', output: 'rainy' },
  { type: 'function_call_result', callId: 'fc-2', name: 'f', status: 'completed', output: { type: 'text', text: 'text output' } },
  { type: 'function_call_result', callId: 'fc-3', name: 'f', status: 'completed', output: { type: 'image', image: { url: 'https://example.com/i.png' }, detail: 'high' } },
  { type: 'function_call_result', callId: 'fc-4', name: 'f', status: 'completed', output: { type: 'file', file: { id: 'file-1', filename: 'a.txt' } } },
  {
    type: 'function_call_result',
    callId: 'fc-5',
    name: 'f',
    status: 'incomplete',
    output: [
      { type: 'input_text', text: 'parts' },
      { type: 'input_image', image: PNG },
      { type: 'input_file', file: PDF, filename: 'b.pdf' },
    ],
  },
  { type: 'computer_call', callId: 'cc-1', status: 'completed', action: { type: 'click', x: 1, y: 2, button: 'left' } },
  { type: 'computer_call_result', callId: 'cc-1', output: { type: 'computer_screenshot', data: PNG } },
  { type: 'shell_call', callId: 'sh-1', status: 'completed', action: { commands: ['ls'], timeoutMs: 1000 } },
  { type: 'shell_call_output', callId: 'sh-1', output: [{ stdout: 'a', stderr: '', outcome: { type: 'exit', exitCode: 0 } }] },
  { type: 'apply_patch_call', callId: 'ap-1', status: 'completed', operation: { type: 'update_file', path: 'a.ts', diff: '@@ -1 +1 @@' } },
  { type: 'apply_patch_call_output', callId: 'ap-1', status: 'completed', output: 'patched' },
  {
    type: 'reasoning',
    id: 'rs_1',
    content: [{ type: 'input_text', text: 'thinking' }],
    rawContent: [{ type: 'reasoning_text', text: 'raw thoughts' }],
    providerData: { encryptedContent: 'opaque' },
  },
  { type: 'compaction', id: 'cmp_1', encrypted_content: 'opaque', created_by: 'server' },
  { type: 'unknown', id: 'u_1', providerData: { anything: [1, 'two', { three: null }] } },
];

test('every item kind the SDK defines is covered by the list: each of the SDK schema ModelItem options matches one', () => {
  for (const item of EVERY_SDK_ITEM) expect({ item, valid: protocol.ModelItem.safeParse(item).success }).toEqual({ item, valid: true });
  const options = protocol.ModelItem.options as unknown as Array<{ safeParse(value: unknown): { success: boolean } }>;
  const uncovered = options.map((option, index) => ({ index, covered: EVERY_SDK_ITEM.some((item) => option.safeParse(item).success) })).filter((entry) => !entry.covered);
  expect(uncovered).toEqual([]);
});

test('every SDK item comes back deep-equal from getItems, getItems(limit) and popItem, as a new copy each time', async () => {
  const session = new DurableAgentSession(stack.client, 'sdk:lossless');
  const memory = new MemorySession();
  await session.addItems(EVERY_SDK_ITEM);
  await memory.addItems(EVERY_SDK_ITEM);
  const items = await session.getItems();
  expect(items).toEqual(EVERY_SDK_ITEM);
  expect(items).toEqual(await memory.getItems());
  expect(await session.getItems(3)).toEqual(EVERY_SDK_ITEM.slice(-3));
  (items[0] as { content: string }).content = 'changed by the caller';
  expect((await session.getItems())[0]).toEqual(EVERY_SDK_ITEM[0]);
  expect(await session.popItem()).toEqual(EVERY_SDK_ITEM[EVERY_SDK_ITEM.length - 1]);
  expect(await session.getItems()).toEqual(EVERY_SDK_ITEM.slice(0, -1));
});

test('a call saved before its output is kept; its output comes later; popping the output takes its call (SDK spelling too)', async () => {
  const session = new DurableAgentSession(stack.client, 'sdk:call-first');
  const call: AgentInputItem = { type: 'function_call', callId: 'late', name: 'get_weather', arguments: '{}' };
  const result: AgentInputItem = { type: 'function_call_result', callId: 'late', name: 'get_weather', status: 'completed', output: 'sunny' };
  await session.addItems([user('weather?'), call]);
  expect(await session.getItems()).toEqual([user('weather?'), call]);
  await session.addItems([user('meanwhile')]);
  await session.addItems([result]);
  expect(await session.getItems()).toEqual([user('weather?'), call, user('meanwhile'), result]);
  expect(await session.popItem()).toEqual(result);
  expect(await session.getItems()).toEqual([user('weather?'), user('meanwhile')]);
  expect(await session.popItem()).toEqual(user('meanwhile'));
  await session.addItems([{ ...result, callId: 'no-call' }]);
  expect(await session.popItem()).toEqual({ ...result, callId: 'no-call' });
  expect(await session.getItems()).toEqual([user('weather?')]);
});

test('reusing an operation id with a different transaction is refused and changes nothing; the same transaction stays idempotent', async () => {
  const session = new DurableAgentSession(stack.client, 'sdk:reused-id');
  const append = { operationId: 'op-1', transaction: { type: 'append_items' as const, items: [user('hello')] } };
  await session.applyHistoryTransaction(append);
  const other = { operationId: 'op-1', transaction: { type: 'append_items' as const, items: [user('something else')] } };
  await expect(session.applyHistoryTransaction(other)).rejects.toThrow(OperationIdReusedError);
  await expect(session.applyHistoryTransaction(other)).rejects.toThrow(/use a new id/);
  const replace = { operationId: 'op-1', transaction: { type: 'replace_suffix' as const, expectedSuffix: [user('hello')], replacement: [user('x')] } };
  await expect(session.applyHistoryTransaction(replace)).rejects.toThrow(OperationIdReusedError);
  await session.applyHistoryTransaction(append);
  expect(await session.getItems()).toEqual([user('hello')]);
  // MemorySession, the SDK's reference, refuses the same way (with its UserError).
  const memory = new MemorySession();
  await memory.applyHistoryTransaction(append);
  await expect(memory.applyHistoryTransaction(other)).rejects.toThrow(/already applied with a different transaction/);
});

test('every operation that takes an id refuses it with other arguments: messages, context, pop', async () => {
  const id = 'sdk:reused-ops';
  await stack.client.send(id, { id: 'm-1', text: 'My name is Ann.' });
  await expect(stack.client.send(id, { id: 'm-1', text: 'My name is Bob.' })).rejects.toThrow(OperationIdReusedError);
  expect((await stack.client.send(id, { id: 'm-1', text: 'My name is Ann.' })).reply).toBe('Nice to meet you, Ann!');
  await stack.client.updateContext(id, { tier: 'gold' }, { id: 'c-1' });
  await expect(stack.client.updateContext(id, { tier: 'silver' }, { id: 'c-1' })).rejects.toThrow(OperationIdReusedError);
  await expect(stack.client.popItem(id, { id: 'c-1' })).rejects.toThrow(OperationIdReusedError);
  expect(await stack.client.context(id)).toEqual({ tier: 'gold' });
  expect((await stack.client.items(id)).map((entry) => entry.item)).toHaveLength(2);
});

test("the SDK's runner over the Responses API: reasoning, a tool that needs approval, the resume in another process; the session ends holding what MemorySession holds", async () => {
  // Each run gets a fresh offline model, so the ids it derives from its response count are the same in both.
  const durableModel = await startOfflineModel();
  const memoryModel = await startOfflineModel();
  try {
    const input = 'What is the weather in Oslo?';
    const session = new DurableAgentSession(stack.client, 'sdk:responses-approval');
    const first = await run(await approvalAgent(durableModel.baseURL), input, { session });
    expect(first.interruptions.map((item) => item.name)).toEqual(['get_weather']);
    const resumed = await runFixture('agents-sdk-resume.ts', {
      MODEL_BASE_URL: durableModel.baseURL,
      SESSION_ID: 'sdk:responses-approval',
      RUN_STATE: first.state.toString(),
    });
    expect(resumed).toBe('Here is what I found: Sunny in What is the weather in Oslo?');

    const memory = new MemorySession();
    const memoryAgent = await approvalAgent(memoryModel.baseURL);
    const paused = await run(memoryAgent, input, { session: memory });
    const state = await RunState.fromString(memoryAgent, paused.state.toString());
    for (const interruption of state.getInterruptions()) state.approve(interruption);
    const finished = await run(memoryAgent, state, { session: memory });
    expect(finished.finalOutput).toBe(resumed);

    const items = await session.getItems();
    expect(items).toEqual(await memory.getItems());
    expect(items.map((item) => item.type ?? 'message')).toEqual(['message', 'reasoning', 'function_call', 'function_call_result', 'reasoning', 'message']);
    expect(items[1]).toMatchObject({ type: 'reasoning', providerData: { encrypted_content: expect.any(String) } });
  } finally {
    await Promise.all([durableModel.close(), memoryModel.close()]);
  }
});
