/**
 * The `callTool` activity in @temporalio/testing's MockActivityEnvironment: no Temporal server, no Postgres (the
 * worker does not stream, and no output here is a data URL, so the pool is never touched).
 */
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment as BaseEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { z } from 'zod';
import { AgentRegistry, defineAgent, defineTool, type ToolRunContext } from '../../../src/agents';
import { capOutput, createCallTool, toolIdempotencyKey } from '../../../src/activities/tools';
import { MAX_TOOL_OUTPUT_CHARS } from '../../../src/shared/limits';
import { MemoryOptions } from '../../../src/shared/memory';
import type { ToolCallInput } from '../../../src/shared/activity-io';
import type { JsonObject } from '../../../src/shared/schemas';

/** The mock environment, its activity log lines kept quiet. */
class MockActivityEnvironment extends BaseEnvironment {
  constructor(info: ConstructorParameters<typeof BaseEnvironment>[0] = {}) {
    super(info, { logger: new DefaultLogger('ERROR', () => undefined) });
  }

  /** `run`, typed by the activity's own parameters and result. */
  override run<P extends unknown[], R>(fn: (...args: P) => Promise<R>, ...args: P): Promise<R> {
    return super.run(fn as never, ...(args as unknown as never[])) as Promise<R>;
  }
}

/** A pool that fails the test if the activity reaches for Postgres. */
const noPool = new Proxy(
  {},
  {
    get: (_target, property) => () => {
      throw new Error(`the activity used the pool (${String(property)})`);
    },
  },
) as unknown as Pool;

/** Each run the tools saw, and a gate the slow tool waits on. */
const seen: Array<ToolRunContext<JsonObject>> = [];
let gate: { promise: Promise<void>; open(): void };
function newGate(): typeof gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const echo = defineTool({
  name: 'echo',
  description: 'Echoes.',
  parameters: z.object({ text: z.string() }),
  execute: ({ text }, run) => {
    seen.push(run);
    run.context.echoed = text;
    return { echoed: text };
  },
});
const literal = defineTool({
  name: 'literal',
  description: 'Returns text that starts like an error.',
  parameters: z.object({}),
  execute: () => 'Error: 404 is what the page says.',
});
const huge = defineTool({ name: 'huge', description: 'Says a lot.', parameters: z.object({}), execute: () => 'x'.repeat(MAX_TOOL_OUTPUT_CHARS + 10) });
const failing = defineTool({
  name: 'failing',
  description: 'Throws with the secret in its message.',
  parameters: z.object({}),
  execute: (_args, run) => {
    throw new Error(`could not reach the CRM with ${String(run.context.token)}`, { cause: new Error(`token ${String(run.context.token)} refused`) });
  },
});
const slow = defineTool({
  name: 'slow',
  description: 'Waits for the test.',
  parameters: z.object({}),
  execute: async (_args, run) => {
    seen.push(run);
    await Promise.race([gate.promise, new Promise((resolve) => run.signal.addEventListener('abort', resolve))]);
    return run.signal.aborted ? 'aborted' : 'done';
  },
});
const agents = new AgentRegistry([defineAgent({ name: 'support', instructions: 'x', tools: [echo, literal, huge, failing, slow] })]);
const callTool = createCallTool({ agents, pool: noPool, memory: MemoryOptions.parse({ tools: false }), streaming: false });
const callToolWithMemory = createCallTool({ agents, pool: noPool, memory: MemoryOptions.parse({ tools: true }), streaming: false });

function input(name: string, args: JsonObject, context: JsonObject = {}): ToolCallInput {
  return {
    sessionId: 'unit:tools',
    agent: 'support',
    call: { type: 'function_call', call_id: `call_${name}`, name, arguments: JSON.stringify(args) },
    context,
  } as ToolCallInput;
}

beforeEach(() => {
  seen.length = 0;
  gate = newGate();
});

afterEach(() => jest.useRealTimers());

test('the tool gets the call idempotency key (sessionId:callId) and the attempt, and its context changes come back as the patch', async () => {
  const env = new MockActivityEnvironment({ attempt: 3 });
  const result = await env.run(callTool, input('echo', { text: 'hi' }, { tier: 'plus' }));
  expect(result).toEqual({ output: '{"echoed":"hi"}', failed: false, contextPatch: { echoed: 'hi' } });
  expect(seen[0]).toMatchObject({ sessionId: 'unit:tools', callId: 'call_echo', idempotencyKey: 'unit:tools:call_echo', attempt: 3 });
  expect(toolIdempotencyKey('unit:tools', 'call_echo')).toBe('unit:tools:call_echo');
  const again = new MockActivityEnvironment({ attempt: 1 });
  await again.run(callTool, input('echo', { text: 'hi' }));
  expect(seen[1].idempotencyKey).toBe(seen[0].idempotencyKey);
});

test('heartbeats every 2 s while the tool runs, and stops when it returns', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => (beats += 1));
  const running = env.run(callTool, input('slow', {}));
  await jest.advanceTimersByTimeAsync(6_100);
  expect(beats).toBe(3);
  gate.open();
  expect((await running).output).toBe('done');
  await jest.advanceTimersByTimeAsync(10_000);
  expect(beats).toBe(3);
});

test('cancelling the activity aborts the tool signal', async () => {
  const env = new MockActivityEnvironment();
  const running = env.run(callTool, input('slow', {}));
  while (seen.length === 0) await new Promise((resolve) => setImmediate(resolve));
  env.cancel('CANCELLED');
  await expect(running).resolves.toMatchObject({ output: 'aborted' });
  expect(seen[0].signal.aborted).toBe(true);
});

test('an output longer than the limit is cut, with a note saying how much was not kept', async () => {
  const { output } = await new MockActivityEnvironment().run(callTool, input('huge', {}));
  expect(output).toBe(capOutput('x'.repeat(MAX_TOOL_OUTPUT_CHARS + 10)));
  expect(output.endsWith('\n[output cut: 10 more characters were not kept]')).toBe(true);
});

test('bad arguments and unknown tools answer the model with an error output, marked failed (not a failure to retry)', async () => {
  const env = new MockActivityEnvironment();
  expect(await env.run(callTool, input('echo', { text: 5 }))).toEqual({ output: expect.stringMatching(/^Error: invalid arguments for echo: text/), failed: true });
  expect(await env.run(callTool, { ...input('echo', {}), call: { type: 'function_call', call_id: 'c', name: 'echo', arguments: '{' } } as ToolCallInput)).toEqual({
    output: 'Error: the arguments for echo are not valid JSON.',
    failed: true,
  });
  expect(await env.run(callTool, input('nope', {}))).toEqual({ output: 'Error: the agent support has no tool named nope.', failed: true });
});

test('a memory tool called with bad arguments answers with an error output, marked failed, without reaching the store', async () => {
  const env = new MockActivityEnvironment();
  const result = await env.run(callToolWithMemory, { ...input('remember', { text: 5 }), userId: 'ada' });
  expect(result).toEqual({ output: expect.stringMatching(/^Error: invalid arguments for remember: text/), failed: true });
});

test('what a tool returns is never a failure, whatever its text: the mark is structural, not a prefix', async () => {
  expect(await new MockActivityEnvironment().run(callTool, input('literal', {}))).toEqual({ output: 'Error: 404 is what the page says.', failed: false });
});

test('a tool that throws fails the attempt (to be retried), its message and causes scrubbed of secret context values', async () => {
  const token = 'sk-live-123456789';
  const thrown = await new MockActivityEnvironment().run(callTool, input('failing', {}, { token: { $secret: token } })).catch((error: unknown) => error);
  expect(thrown).toBeInstanceOf(Error);
  const error = thrown as Error;
  expect(error.message).toBe('could not reach the CRM with [secret]');
  expect((error.cause as Error).message).toBe('token [secret] refused');
  expect(error.stack).not.toContain(token);
});

test('input that is not a ToolCallInput fails without running any tool', async () => {
  await expect(new MockActivityEnvironment().run(callTool, { sessionId: 'x' } as unknown as ToolCallInput)).rejects.toMatchObject({ nonRetryable: true, type: 'TurnFailed' });
  expect(seen).toHaveLength(0);
});
