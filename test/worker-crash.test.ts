/** A worker process killed in the middle of a turn loses nothing: another worker finishes the turn. */
import type { ChildProcess } from 'node:child_process';
import { startTestStack, type TestStack } from './support/stack';
import { killWorker, spawnWorker } from './support/worker-process';

let stack: TestStack;
let child: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await stack?.stop();
});

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
  child = await spawnWorker(stack);

  stack.model.reset();
  stack.model.enqueue({ hang: true });
  const reply = stack.client.send(session, "What's my name?");
  await waitFor(() => stack.model.requests.length === 1);
  await killWorker(child);

  await stack.startWorker();
  const result = await reply;
  expect(result.reply).toBe('Your name is Bob.');
  expect(stack.model.requests.length).toBe(2);
  const items = await stack.client.items(session);
  expect(items.map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
  expect(items).toEqual(await stack.client.workflowItems(session));
});
