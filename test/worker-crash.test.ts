/** A worker process killed in the middle of a turn loses nothing: another worker finishes the turn. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;
let child: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await stack?.stop();
});

/** Starts `agent-sessions worker` as its own process and waits until it polls. */
async function spawnWorkerProcess(): Promise<ChildProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-worker-'));
  const proc = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'agent-sessions.js'), 'worker'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: stack.db.url,
      AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue,
      AGENT_SESSIONS_DATA_DIR: dataDir,
      OPENAI_API_KEY: 'offline',
      OPENAI_BASE_URL: stack.model.baseURL,
      OPENAI_MODEL: OFFLINE_MODEL_ID,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) resolve();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the worker process exited (${code}): ${output}`)));
  });
  return proc;
}

/** Polls until the condition holds (at most 30 s). */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a worker killed during a model call loses no message and duplicates no item', async () => {
  const session = 'crash:bob';
  await stack.client.send(session, 'My name is Bob.');
  const inProcessWorkers = await stack.stopWorkers();
  expect(inProcessWorkers).toBe(1);
  child = await spawnWorkerProcess();

  stack.model.reset();
  stack.model.enqueue({ hang: true });
  const reply = stack.client.send(session, "What's my name?");
  await waitFor(() => stack.model.requests.length === 1);
  child.kill('SIGKILL');
  await new Promise((resolve) => child?.once('exit', resolve));

  await stack.startWorker();
  const result = await reply;
  expect(result.reply).toBe('Your name is Bob.');
  expect(stack.model.requests.length).toBe(2);
  const items = await stack.client.items(session);
  expect(items.map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
  expect(items).toEqual(await stack.client.workflowItems(session));
});
