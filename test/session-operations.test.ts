/**
 * Every session operation, durable and in one total order with turns, on real parts: add, pop, clear,
 * delete, context patches, settings (window, input callback, compaction, time-to-live), and the
 * boundaries that keep a session from ever blocking.
 */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { CompactionFailedError, InvalidInputError, SessionDeletedError, SessionExpiredError, WorkerUnavailableError } from '../src/client/errors';
import { SessionsClient } from '../src/client/sessions-client';
import { sendMessageUpdate } from '../src/shared/messages';
import type { Item } from '../src/shared/schemas';
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;
let sessionCounter = 0;

function newSession(kind: string): string {
  sessionCounter += 1;
  return `ops-${sessionCounter}:${kind}`;
}

beforeAll(async () => {
  stack = await startTestStack({
    inputCallbacks: {
      'user-messages-only': (history, turnItems) => [...history, ...turnItems].filter((item) => item.type === 'message' && item.role === 'user'),
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

/** The roles of the messages the model was sent in its latest request. */
function lastRequestRoles(): string[] {
  return stack.model.requests[stack.model.requests.length - 1].messages.map((message) => message.role);
}

/** Waits until the session has run everything queued (automatic compaction runs after a turn's caller is answered). */
async function waitUntilIdle(session: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await stack.client.status(session)).state !== 'idle') {
    if (Date.now() > deadline) throw new Error('the session did not become idle within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many updates the session's workflow has accepted (from its history). */
async function acceptedUpdates(session: string): Promise<number> {
  const connection = await Connection.connect({ address: stack.temporal.address });
  try {
    const history = await new Client({ connection }).workflow.getHandle(session).fetchHistory();
    return (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes != null).length;
  } finally {
    await connection.close();
  }
}

/** Waits until the session's workflow has accepted more than `before` updates: an update sent is then running. */
async function untilAccepted(session: string, before: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await acceptedUpdates(session)) <= before) {
    if (Date.now() > deadline) throw new Error('the workflow did not accept the update within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The projection's items equal the workflow's in-memory tail. */
async function expectProjectionMatchesWorkflow(session: string): Promise<void> {
  const projected = await stack.client.items(session, { limit: 50 }).catch(() => []);
  expect(projected).toEqual(await stack.client.workflowItems(session));
  const status = await stack.client.status(session);
  const { rows } = await stack.db.pool.query('SELECT count(*)::int AS n FROM items WHERE session_id = $1', [session]);
  expect(rows[0].n).toBe(status.itemCount);
}

describe('addItems', () => {
  test('appends items without a turn, with new seqs, and the model sees them next turn', async () => {
    const session = newSession('add');
    await stack.client.send(session, 'Hello');
    const added = await stack.client.addItems(session, [
      { type: 'message', role: 'user', content: 'My name is Zoe.' },
      { type: 'message', role: 'assistant', content: 'Noted.' },
    ]);
    expect(added.map((entry) => entry.seq)).toEqual([3, 4]);
    expect((await stack.client.send(session, "What's my name?")).reply).toBe('Your name is Zoe.');
    await expectProjectionMatchesWorkflow(session);
  });

  test('keeps a tool call saved before its output (the Agents SDK saves one so when a run pauses); the model is never sent it alone', async () => {
    const session = newSession('add');
    await stack.client.send(session, 'Hello');
    const orphan: Item[] = [{ type: 'function_call', call_id: 'c1', name: 'lookup_order', arguments: '{}' }];
    await stack.client.addItems(session, orphan);
    expect((await stack.client.status(session)).itemCount).toBe(3);
    expect((await stack.client.send(session, 'My name is Zed.')).reply).toBe('Nice to meet you, Zed!');
    expect(JSON.stringify(stack.model.requests.at(-1))).not.toContain('"c1"');
  });
});

describe('popItem', () => {
  test('removes and returns the latest item; a tool output takes its call with it, never leaving an orphan', async () => {
    const session = newSession('pop');
    await stack.client.send(session, 'Where is my order 1234?');
    const reply = await stack.client.popItem(session);
    expect(reply?.item).toMatchObject({ type: 'message', role: 'assistant' });
    const output = await stack.client.popItem(session);
    expect(output?.item.type).toBe('function_call_output');
    const left = await stack.client.items(session);
    expect(left.map((entry) => entry.item.type)).toEqual(['message']);
    await expectProjectionMatchesWorkflow(session);
    expect((await stack.client.popItem(session))?.seq).toBe(1);
    expect(await stack.client.popItem(session)).toBeNull();
  });

  test("a pop sent during a running turn waits for it and removes that turn's reply", async () => {
    const session = newSession('pop');
    await stack.client.send(session, 'first');
    stack.model.enqueue({ text: 'slow reply', hold: 'pop' });
    const turn = stack.client.send(session, 'second');
    await stack.model.held('pop'); // the turn is running: its model request has arrived and waits
    const accepted = await acceptedUpdates(session);
    const pop = stack.client.popItem(session);
    await untilAccepted(session, accepted); // the pop is in the workflow, behind the turn
    stack.model.release('pop');
    const popped = await pop;
    expect((await turn).reply).toBe('slow reply');
    expect(popped?.item).toEqual({ type: 'message', role: 'assistant', content: 'slow reply' });
    expect((await stack.client.items(session)).map((entry) => entry.seq)).toEqual([1, 2, 3]);
  });
});

describe('clearSession and deleteSession', () => {
  test('clear empties the items but keeps the context; seqs go on and the model starts fresh', async () => {
    const session = newSession('clear');
    await stack.client.send(session, 'My name is Ann.', { context: { tier: 'plus' } });
    await stack.client.clearSession(session);
    await expect(stack.client.items(session)).resolves.toEqual([]);
    expect(await stack.client.context(session)).toEqual({ tier: 'plus' });
    const next = await stack.client.send(session, "What's my name?");
    expect(next.reply).toBe("I don't know your name yet.");
    expect(next.items[0].seq).toBe(3);
  });

  test('delete ends the session and removes its rows; the id is never reused', async () => {
    const session = newSession('delete');
    await stack.client.send(session, 'Hello');
    await stack.client.deleteSession(session);
    const { rows } = await stack.db.pool.query('SELECT count(*)::int AS n FROM items WHERE session_id = $1', [session]);
    expect(rows[0].n).toBe(0);
    await expect(stack.client.items(session)).rejects.toThrow(SessionDeletedError);
    await expect(stack.client.send(session, 'Hello again')).rejects.toThrow(SessionDeletedError);
    await expect(stack.client.popItem(session)).rejects.toThrow(SessionDeletedError);
  });
});

describe('context patches', () => {
  test('a patch sent during a running turn is never lost when the turn commits its own context change', async () => {
    const session = newSession('context');
    await stack.client.send(session, 'Hello', { context: { customerId: 'c-1' } });
    stack.model.enqueue({ toolCalls: [{ name: 'lookup_order', arguments: { order_id: '1234' } }], hold: 'context' });
    const turn = stack.client.send(session, 'Where is my order 1234?');
    await stack.model.held('context'); // the turn is running: its model request has arrived and waits
    const accepted = await acceptedUpdates(session);
    const patched = stack.client.updateContext(session, { tier: 'enterprise' });
    await untilAccepted(session, accepted);
    stack.model.release('context');
    await patched;
    await turn;
    expect(await stack.client.context(session)).toEqual({ customerId: 'c-1', tier: 'enterprise', ordersLookedUp: ['1234'] });
  });
});

describe('what the model sees', () => {
  test('a window of N items sends only the latest N committed items', async () => {
    const session = newSession('window');
    await stack.client.send(session, 'one', { settings: { window: { maxItems: 2 } } });
    await stack.client.send(session, 'two');
    await stack.client.send(session, 'three');
    expect(lastRequestRoles()).toEqual(['system', 'user', 'assistant', 'user']);
    expect(stack.model.requests.at(-1)?.messages[1]).toMatchObject({ content: 'two' });
  });

  test('a session input callback registered with the worker shapes history plus new input', async () => {
    const session = newSession('callback');
    await stack.client.send(session, 'one', { settings: { inputCallback: 'user-messages-only' } });
    await stack.client.send(session, 'two');
    expect(lastRequestRoles()).toEqual(['system', 'user', 'user']);
  });
});

describe('compaction', () => {
  test('older turns become a summary item marked as one; the model still knows what was said', async () => {
    const session = newSession('compact');
    await stack.client.send(session, 'Hi, my name is Alice.', { settings: { compaction: { afterItems: 4, keepTurns: 1 } } });
    await stack.client.send(session, 'Nice weather');
    await stack.client.send(session, 'Tell me more');
    await waitUntilIdle(session);
    const items = await stack.client.items(session);
    const summaries = items.filter((entry) => entry.summary);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries[0].item).toMatchObject({ role: 'system', content: expect.stringContaining('my name is Alice') });
    expect(items.filter((entry) => !entry.summary)).toHaveLength(6);
    const answer = await stack.client.send(session, "What's my name?");
    expect(answer.reply).toBe('Your name is Alice.');
    expect(stack.model.requests.at(-1)?.messages.length).toBeLessThanOrEqual(6);
  });

  test('manual compaction answers what it summarised; a failed one changes nothing', async () => {
    const session = newSession('compact');
    for (const text of ['one', 'two', 'three']) await stack.client.send(session, text);
    stack.model.enqueue({ error: { status: 400, message: 'summaries are off today' } });
    await expect(stack.client.compact(session)).rejects.toThrow(CompactionFailedError);
    expect((await stack.client.status(session)).window.items).toBe(6);
    const result = await stack.client.compact(session);
    expect(result?.summarizedItems).toBe(2);
    expect(result?.summary.summary).toBe(true);
    expect((await stack.client.status(session)).window.items).toBe(5);
    expect(await stack.client.compact(session)).toBeNull();
    await expectProjectionMatchesWorkflow(session);
  });

  test('pop after a compaction removes the latest reply, not the summary', async () => {
    const session = newSession('compact');
    for (const text of ['one', 'two', 'three']) await stack.client.send(session, text);
    await stack.client.compact(session);
    const popped = await stack.client.popItem(session);
    expect(popped?.item).toMatchObject({ role: 'assistant', content: expect.stringContaining('three') });
    expect((await stack.client.items(session)).filter((entry) => entry.summary)).toHaveLength(1);
  });
});

describe('replaceSuffix', () => {
  test('replaces the latest items in one operation; replacing an output alone keeps its call (left out of what the model is sent)', async () => {
    const session = newSession('replace');
    await stack.client.addItems(session, [
      { type: 'message', role: 'user', content: 'weather?' },
      { type: 'function_call', call_id: 'w1', name: 'weather', arguments: '{}' },
      { type: 'function_call_output', call_id: 'w1', output: 'rain' },
    ]);
    await stack.client.replaceSuffix(session, [{ type: 'function_call_output', call_id: 'w1', output: 'rain' }], [{ type: 'message', role: 'assistant', content: 'x' }]);
    expect((await stack.client.items(session)).map((entry) => entry.seq)).toEqual([1, 2, 4]);
    const replaced = await stack.client.replaceSuffix(
      session,
      [
        { type: 'function_call', call_id: 'w1', name: 'weather', arguments: '{}' },
        { type: 'message', role: 'assistant', content: 'x' },
      ],
      [{ type: 'message', role: 'assistant', content: 'It rains.' }],
    );
    expect(replaced.map((entry) => entry.seq)).toEqual([5]);
    expect((await stack.client.items(session)).map((entry) => entry.seq)).toEqual([1, 5]);
    await expectProjectionMatchesWorkflow(session);
  });
});

describe('bounded turns', () => {
  test('a model reply that makes the turn too large fails the turn with a typed error; the session is unchanged', async () => {
    const session = newSession('huge');
    await stack.client.send(session, 'Hello');
    stack.model.enqueue({ text: 'x'.repeat(1_100_000) });
    await expect(stack.client.send(session, 'Say a lot')).rejects.toThrow(/passed 1048576 bytes/);
    expect((await stack.client.status(session)).itemCount).toBe(2);
    expect((await stack.client.send(session, 'again')).items[0].seq).toBe(3);
  });
});

describe('text every store can keep', () => {
  test('NUL and lone surrogates in a message are refused at the boundary, by the library and by the validator', async () => {
    const session = newSession('text');
    await stack.client.send(session, 'Hello');
    await expect(stack.client.send(session, 'nul \u0000 here')).rejects.toThrow(InvalidInputError);
    await expect(stack.client.send(session, 'lone \ud800')).rejects.toThrow(/lone surrogate/);
    const raw = await stack.client
      .temporalHandle(session)
      .executeUpdate(sendMessageUpdate, { args: [{ text: 'x\u0000' }] })
      .catch((error) => error);
    expect(raw).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((await stack.client.send(session, 'still here')).reply).toContain('still here');
  });

  test('a session id with NUL or spaces is refused with InvalidInputError, never a raw zod error', async () => {
    await expect(stack.client.send('bad\u0000id', 'Hello')).rejects.toThrow(InvalidInputError);
    await expect(stack.client.items('has space')).rejects.toThrow(InvalidInputError);
  });

  test('a model reply with a truncated emoji is repaired, and the session keeps working', async () => {
    const session = newSession('text');
    stack.model.enqueue({ text: 'truncated emoji \ud83d' });
    const result = await stack.client.send(session, 'Hello');
    expect(result.reply).toBe('truncated emoji \ufffd');
    expect((await stack.client.send(session, 'again')).items[0].seq).toBe(3);
  });
});

describe('concurrent senders', () => {
  test('50 concurrent senders to an existing session are all answered, each once, in one order', async () => {
    const session = newSession('many');
    await stack.client.send(session, 'first');
    const results = await Promise.all(Array.from({ length: 50 }, (_, index) => stack.client.send(session, `message ${index}`)));
    expect(new Set(results.map((result) => result.items[0].seq)).size).toBe(50);
    const items = await stack.client.items(session);
    expect(items.map((entry) => entry.seq)).toEqual(Array.from({ length: 102 }, (_, index) => index + 1));
    expect(items.filter((entry) => entry.item.type === 'message' && entry.item.role === 'user')).toHaveLength(51);
  });
});

describe('no worker', () => {
  test('a send with no worker polling says so within seconds; a retry with the same id runs once', async () => {
    const session = newSession('no-worker');
    await stack.client.send(session, 'Hello');
    await stack.stopWorkers();
    const otherQueue = await SessionsClient.connect({ temporalAddress: stack.temporal.address, taskQueue: `${stack.taskQueue}-empty` });
    try {
      const started = Date.now();
      await expect(otherQueue.send(newSession('no-worker'), { id: 'nw-1', text: 'Anyone?' })).rejects.toThrow(WorkerUnavailableError);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await otherQueue.close();
      await stack.startWorker();
    }
    expect((await stack.client.send(session, { id: 'again-1', text: 'My name is Max.' })).reply).toBe('Nice to meet you, Max!');
    expect((await stack.client.send(session, { id: 'again-1', text: 'My name is Max.' })).items[0].seq).toBe(3);
  });
});

describe('expiry', () => {
  test('a session idle past its time-to-live ends as expired; its items stay readable; a later message is refused', async () => {
    const session = newSession('ttl');
    const sent = Date.now();
    await stack.client.send(session, 'Hello', { settings: { ttlSeconds: 1 } });
    const status = async () => (await stack.db.pool.query('SELECT status FROM sessions WHERE id = $1', [session])).rows[0].status as string;
    while ((await status()) !== 'expired') {
      if (Date.now() - sent > 20_000) throw new Error(`the session is still ${await status()} 20 s after a 1 s time-to-live`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1_000);
    expect(await stack.client.items(session)).toHaveLength(2);
    await expect(stack.client.send(session, 'Hello?')).rejects.toThrow(SessionExpiredError);
  });
});

describe('retention', () => {
  test('deletes sessions idle for more than N days and leaves the others alone', async () => {
    const old = newSession('retention');
    const fresh = newSession('retention');
    await stack.client.send(old, 'Hello');
    await stack.client.send(fresh, 'Hello');
    await stack.db.pool.query(`UPDATE sessions SET updated_at = now() - interval '40 days' WHERE id = $1`, [old]);
    const { deleted } = await stack.client.applyRetention({ olderThanDays: 30 });
    expect(deleted).toBe(1);
    await expect(stack.client.send(old, 'Still there?')).rejects.toThrow(SessionDeletedError);
    expect((await stack.client.send(fresh, 'Still there?')).items[0].seq).toBe(3);
  });

  test('a Temporal Schedule runs the retention pass; scheduling twice updates the one schedule', async () => {
    const id = await stack.client.scheduleRetention({ olderThanDays: 30 });
    expect(await stack.client.scheduleRetention({ olderThanDays: 60, everyHours: 12 })).toBe(id);
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const description = await new Client({ connection }).schedule.getHandle(id).describe();
      expect(description.action).toMatchObject({ workflowType: 'retention', args: [{ olderThanDays: 60 }] });
      expect(description.spec.intervals?.[0].every).toBe(12 * 3600 * 1000);
    } finally {
      await connection.close();
    }
  });
});
