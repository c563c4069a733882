/**
 * Sessions without end: on a dev server whose per-run limits are lowered (a rollover suggested after
 * 60 events, at most 40 updates a run), several clients send concurrently through many rollovers.
 * Every message is answered exactly once, reads never fail while runs roll over, the projection has
 * no seq gaps, retries of old ids are answered from what the session remembers, and every run's
 * history replays.
 */
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { TurnResult } from '../src/shared/schemas';
import { startTestStack, type TestStack } from './support/stack';
import { sessionMetricsSinks } from '../src/worker/metrics-sinks';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    dynamicConfig: {
      'limit.historyCount.suggestContinueAsNew': 60,
      'history.maxTotalUpdates': 40,
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

test('four concurrent clients, 100 messages and signals through many rollovers: each answered once, no gaps, reads never fail', async () => {
  const session = 'rollover:many-clients';
  await stack.client.send(session, { id: 'start', text: 'My name is Rita.' }, { context: { n: 0 }, settings: { window: { maxItems: 500 } } });
  const clients = 4;
  const perClient = 25;
  const sent = Array.from({ length: clients }, (_, client) =>
    (async () => {
      const results: TurnResult[] = [];
      for (let index = 0; index < perClient; index += 1) {
        results.push(await stack.client.send(session, { id: `c${client}-${index}`, text: `client ${client} message ${index}` }));
        if (index % 10 === 5) await stack.client.signal(session, { id: `s${client}-${index}`, text: `signal ${client} ${index}` });
      }
      return results;
    })(),
  );
  let sending = true;
  const readErrors: string[] = [];
  const reader = (async () => {
    while (sending) {
      await stack.client.status(session).catch((error: Error) => readErrors.push(`${error.name}: ${error.message}`));
    }
  })();
  const patches = (async () => {
    for (let index = 1; index <= 5; index += 1) await stack.client.updateContext(session, { [`patch${index}`]: index });
  })();
  const results = (await Promise.all([...sent, patches])).filter((entry): entry is TurnResult[] => Array.isArray(entry)).flat();
  sending = false;
  await reader;
  expect(readErrors).toEqual([]);

  expect(results).toHaveLength(clients * perClient);
  for (const result of results) expect(result.reply).toContain(result.messageId.replace(/^c(\d+)-(\d+)$/, 'client $1 message $2'));

  const waitDeadline = Date.now() + 30_000;
  const signals = clients * Array.from({ length: perClient }, (_, index) => index).filter((index) => index % 10 === 5).length;
  const expectedUserItems = 1 + clients * perClient + signals;
  let items = await stack.client.items(session);
  while (items.filter(isUserItem).length < expectedUserItems && Date.now() < waitDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    items = await stack.client.items(session);
  }
  const userTexts = items.filter(isUserItem).map((entry) => String(entry.item.type === 'message' ? entry.item.content : ''));
  expect(userTexts).toHaveLength(expectedUserItems);
  expect(new Set(userTexts).size).toBe(userTexts.length);
  expect(items.map((entry) => entry.seq)).toEqual(Array.from({ length: items.length }, (_, index) => index + 1));

  const status = await stack.client.status(session);
  expect(status.run).toBeGreaterThanOrEqual(4);
  expect(status.itemCount).toBe(items.length);
  expect(status.window.items).toBe(items.length);
  expect(await stack.client.context(session)).toEqual({ n: 0, patch1: 1, patch2: 2, patch3: 3, patch4: 4, patch5: 5 });
  expect((await stack.client.send(session, "What's my name?")).reply).toBe('Your name is Rita.');
});

test('a retry of a message answered in an earlier run gets the same answer and runs nothing', async () => {
  const session = 'rollover:retry';
  const first = await stack.client.send(session, { id: 'keep-me', text: 'My name is Otto.' });
  for (let index = 0; index < 45; index += 1) await stack.client.send(session, `filler ${index}`);
  const status = await stack.client.status(session);
  expect(status.run).toBeGreaterThanOrEqual(2);
  const requestsBefore = stack.model.requests.length;
  const again = await stack.client.send(session, { id: 'keep-me', text: 'My name is Otto.' });
  expect(again).toEqual(first);
  expect(stack.model.requests.length).toBe(requestsBefore);
  expect((await stack.client.status(session)).itemCount).toBe(status.itemCount);
});

test('every run of a rolled-over session replays without a determinism error', async () => {
  const session = 'rollover:retry';
  const connection = await Connection.connect({ address: stack.temporal.address });
  try {
    const temporal = new Client({ connection });
    const runs: string[] = [];
    for await (const execution of temporal.workflow.list({ query: `WorkflowId = "${session}"` })) runs.push(execution.runId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const runId of runs) {
      const history = await temporal.workflow.getHandle(session, runId).fetchHistory();
      await expect(Worker.runReplayHistory({ workflowBundle: stack.bundle, replayName: runId, sinks: sessionMetricsSinks('') }, history)).resolves.toBeUndefined();
    }
  } finally {
    await connection.close();
  }
});

function isUserItem(entry: { item: { type?: string; role?: unknown } }): boolean {
  return entry.item.type === 'message' && entry.item.role === 'user';
}
