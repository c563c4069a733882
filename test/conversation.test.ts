/** The conversation core, end to end on real parts: dev server, Postgres, offline model over HTTP. */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { SessionsClient } from '../src/client/sessions-client';
import { InvalidInputError, SessionNotFoundError, TurnFailedError } from '../src/client/errors';
import { sendMessageUpdate, userMessageSignal } from '../src/shared/messages';
import { startTestStack, type TestStack } from './support/stack';

let stack: TestStack;
let sessionCounter = 0;

/** A session id no other test uses. */
function newSession(kind: string): string {
  sessionCounter += 1;
  return `test-${sessionCounter}:${kind}`;
}

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

describe('memory across turns', () => {
  test('a session remembers a name told in an earlier turn', async () => {
    const session = newSession('memory');
    const first = await stack.client.send(session, 'Hi, my name is Alice.');
    expect(first.reply).toContain('Alice');
    const second = await stack.client.send(session, "What's my name?");
    expect(second.reply).toBe('Your name is Alice.');
    expect(second.items.map((entry) => entry.seq)).toEqual([3, 4]);
  });

  test("a new session starts fresh and does not know another session's facts", async () => {
    await stack.client.send(newSession('memory'), 'My name is Carol.');
    const other = await stack.client.send(newSession('memory'), "What's my name?");
    expect(other.reply).toBe("I don't know your name yet.");
  });

  test('every earlier item is sent to the model in order, with the agent instructions first', async () => {
    const session = newSession('memory');
    await stack.client.send(session, 'My name is Dan.');
    await stack.client.send(session, 'Thanks');
    const last = stack.model.requests[stack.model.requests.length - 1];
    expect(last.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(last.messages[1]).toMatchObject({ role: 'user', content: 'My name is Dan.' });
  });
});

describe('tools and context', () => {
  test('a tool call changes the context and its output reaches the reply', async () => {
    const session = newSession('tools');
    const result = await stack.client.send(session, 'Where is my order 1234?', { context: { customerId: 'c-1' } });
    expect(result.reply).toContain('shipped on Monday');
    expect(result.items.map((entry) => entry.item.type)).toEqual(['message', 'function_call', 'function_call_output', 'message']);
    expect(await stack.client.context(session)).toEqual({ customerId: 'c-1', ordersLookedUp: ['1234'] });
  });

  test('the context never reaches the model, not even when a tool reads it', async () => {
    const secret = 'ctx-secret-7f3a91';
    const session = newSession('tools');
    await stack.client.send(session, 'Where is my order 5678?', { context: { apiToken: secret, tier: 'enterprise' } });
    await stack.client.send(session, 'And my order 9012?');
    expect(stack.model.requests.length).toBeGreaterThanOrEqual(4);
    for (const request of stack.model.requests) expect(JSON.stringify(request)).not.toContain(secret);
    expect(await stack.client.context(session)).toMatchObject({ apiToken: secret, ordersLookedUp: ['5678', '9012'] });
  });

  test('dynamic instructions are computed from the context', async () => {
    await stack.client.send(newSession('tools'), 'Hello', { context: { tier: 'enterprise' } });
    const system = stack.model.requests[0].messages[0];
    expect(system).toMatchObject({ role: 'system' });
    expect(JSON.stringify(system)).toContain('priority line');
  });

  test('the client changes the context with a shallow merge', async () => {
    const session = newSession('tools');
    await stack.client.send(session, 'Hello', { context: { customerId: 'c-9', tier: 'free' } });
    const updated = await stack.client.updateContext(session, { tier: 'plus' });
    expect(updated).toEqual({ customerId: 'c-9', tier: 'plus' });
    expect(await stack.client.context(session)).toEqual(updated);
  });

  test('bad tool arguments from the model are answered to the model, and the turn goes on', async () => {
    const session = newSession('tools');
    stack.model.enqueue({ toolCalls: [{ name: 'lookup_order', arguments: { order: 1 } }] });
    const result = await stack.client.send(session, 'Check something');
    const output = result.items.find((entry) => entry.item.type === 'function_call_output');
    expect(output?.item).toMatchObject({ output: expect.stringContaining('invalid arguments for lookup_order') });
  });
});

describe('exactly-once messages and ordering', () => {
  test('a repeated message id runs once and is answered with the first result', async () => {
    const session = newSession('dedupe');
    const first = await stack.client.send(session, { id: 'msg-1', text: 'My name is Erin.' });
    const again = await stack.client.send(session, { id: 'msg-1', text: 'My name is Erin.' });
    expect(again).toEqual(first);
    await stack.client.signal(session, { id: 'msg-1', text: 'My name is Erin.' });
    const status = await stack.client.status(session);
    expect(status.itemCount).toBe(2);
    expect(status.turns).toBe(1);
    expect(stack.model.requests).toHaveLength(1);
  });

  test('concurrent senders are served one turn at a time, each reply right after its message', async () => {
    const session = newSession('order');
    await stack.client.send(session, 'first');
    const texts = ['a1', 'b2', 'c3', 'd4', 'e5'];
    const results = await Promise.all(texts.map((text) => stack.client.send(session, `message ${text}`)));
    for (const result of results) {
      expect(result.items).toHaveLength(2);
      expect(result.items[1].seq).toBe(result.items[0].seq + 1);
    }
    const items = await stack.client.items(session);
    expect(items.map((entry) => entry.seq)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
  });

  test('30 concurrent senders on one busy session are all answered, though waiting for an update slot outlasts retryForMs', async () => {
    const session = newSession('busy');
    const connection = await Connection.connect({ address: stack.temporal.address });
    const impatient = new SessionsClient({ temporal: new Client({ connection }), taskQueue: stack.taskQueue, retryForMs: 1_500 });
    try {
      await impatient.send(session, 'first');
      stack.model.enqueue(...Array.from({ length: 30 }, (_, index) => ({ text: `answer ${index}`, delayMs: 150 })));
      const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, index) => impatient.send(session, `message ${index}`)));
      expect(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => String((outcome as PromiseRejectedResult).reason))).toEqual([]);
      expect((await stack.client.status(session)).turns).toBe(31);
    } finally {
      await connection.close();
    }
  });

  test('a signalled message runs as a turn and its reply appears in the projection', async () => {
    const session = newSession('signal');
    await stack.client.signal(session, 'My name is Fay.');
    await waitFor(async () => (await stack.client.items(session).catch(() => [])).length === 2);
    const items = await stack.client.items(session);
    expect(items[1].item).toMatchObject({ role: 'assistant', content: 'Nice to meet you, Fay!' });
  });
});

describe('bad input', () => {
  test('the client refuses empty text before anything is sent', async () => {
    await expect(stack.client.send(newSession('bad'), '   ')).rejects.toThrow(InvalidInputError);
    await expect(stack.client.send(newSession('bad'), '   ')).rejects.toThrow('text must not be empty');
  });

  test('the update validator refuses bad payloads with their reason, and nothing enters history', async () => {
    const session = newSession('bad');
    await stack.client.send(session, 'My name is Gus.');
    const handle = stack.client.temporalHandle(session);
    const attempts: Array<[unknown, string]> = [
      [{ text: '' }, 'text must not be empty'],
      [{ text: 42 }, 'text must be a string'],
      [{}, 'a message needs text'],
      [{ text: 'x'.repeat(40_000) }, 'at most 32000 characters'],
      [{ text: 'hi', extra: true }, 'Unrecognized key'],
    ];
    for (const [payload, reason] of attempts) {
      const failure = await handle.executeUpdate(sendMessageUpdate, { args: [payload as never] }).catch((error) => error);
      expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String(failure.cause?.message)).toContain(reason);
    }
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
    expect((await stack.client.status(session)).itemCount).toBe(2);
  });

  test('a bad signal is dropped and the session keeps working', async () => {
    const session = newSession('bad');
    await stack.client.send(session, 'My name is Hal.');
    await stack.client.temporalHandle(session).signal(userMessageSignal, { text: '' } as never);
    const next = await stack.client.send(session, "What's my name?");
    expect(next.reply).toBe('Your name is Hal.');
    expect((await stack.client.status(session)).itemCount).toBe(4);
  });
});

describe('model failures', () => {
  test('while the model fails, status says which activity is retried, how often, why and since when; then nothing', async () => {
    const session = newSession('errors');
    await stack.client.send(session, 'Hello');
    stack.model.enqueue({ error: { status: 503, message: 'overloaded' } }, { error: { status: 503, message: 'overloaded' } }, { text: 'Back.' });
    const reply = stack.client.send(session, 'Are you there?');
    let retrying: Awaited<ReturnType<typeof stack.client.status>>['retrying'] = [];
    for (let tries = 0; retrying?.length === 0 && tries < 100; tries++) {
      retrying = (await stack.client.status(session)).retrying;
      if (retrying?.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(retrying).toEqual([
      expect.objectContaining({ activity: 'callModel', attempt: expect.any(Number), lastError: expect.stringContaining('503'), since: expect.stringMatching(/^\d{4}-/) }),
    ]);
    expect(retrying?.[0].attempt).toBeGreaterThanOrEqual(2);
    expect((await reply).reply).toBe('Back.');
    expect((await stack.client.status(session)).retrying).toEqual([]);
  });

  test('a 429 and a 500 from the model are retried and the turn succeeds', async () => {
    const session = newSession('errors');
    stack.model.enqueue({ error: { status: 429, retryAfterSeconds: 1 } }, { error: { status: 500 } }, { text: 'Recovered.' });
    const result = await stack.client.send(session, 'Hello');
    expect(result.reply).toBe('Recovered.');
    expect(stack.model.requests).toHaveLength(3);
  });

  test('a model call that times out is abandoned and retried, and the turn succeeds', async () => {
    const session = newSession('errors');
    expect(await stack.stopWorkers()).toBe(1);
    const impatient = await stack.startWorker({ modelTimeoutMs: 300 });
    try {
      stack.model.enqueue({ hang: true });
      const result = await stack.client.send(session, 'My name is Kim.');
      expect(result.reply).toBe('Nice to meet you, Kim!');
      expect(stack.model.requests).toHaveLength(2);
    } finally {
      await impatient.stop();
      await stack.startWorker();
    }
  });

  test('a 400 from the model fails the turn at once, the caller sees why, and the session is unchanged', async () => {
    const session = newSession('errors');
    await stack.client.send(session, 'My name is Ivy.');
    stack.model.enqueue({ error: { status: 400, message: 'unsupported parameter' } });
    const failure = await stack.client.send(session, 'Hello').catch((error) => error);
    expect(failure).toBeInstanceOf(TurnFailedError);
    expect(failure.failureType).toBe('ModelRequestRejected');
    expect(failure.message).toContain('unsupported parameter');
    expect(stack.model.requests).toHaveLength(2);
    expect((await stack.client.items(session)).map((entry) => entry.seq)).toEqual([1, 2]);
    const next = await stack.client.send(session, "What's my name?");
    expect(next.reply).toBe('Your name is Ivy.');
    expect(next.items[0].seq).toBe(3);
  });

  test('a model that never stops calling tools ends the turn with MaxTurnsExceeded', async () => {
    const session = newSession('errors');
    const call = { toolCalls: [{ name: 'lookup_order', arguments: { order_id: '1234' } }] };
    stack.model.enqueue(...Array.from({ length: 10 }, () => call));
    const failure = await stack.client.send(session, 'Loop').catch((error) => error);
    expect(failure).toBeInstanceOf(TurnFailedError);
    expect(failure.failureType).toBe('MaxTurnsExceeded');
    await expect(stack.client.items(session)).rejects.toThrow(SessionNotFoundError);
    expect(await stack.client.context(session)).toEqual({});
  });
});

describe('reading items', () => {
  test('getItems with a limit gives the latest items in chronological order', async () => {
    const session = newSession('items');
    for (const text of ['one', 'two', 'three']) await stack.client.send(session, text);
    const latest = await stack.client.workflowItems(session, { limit: 3 });
    expect(latest.map((entry) => entry.seq)).toEqual([4, 5, 6]);
    expect((await stack.client.items(session, { limit: 3 })).map((entry) => entry.seq)).toEqual([4, 5, 6]);
  });

  test("the projection holds exactly the workflow's items", async () => {
    const session = newSession('items');
    await stack.client.send(session, 'My name is Jo.');
    await stack.client.send(session, 'Where is my order 1234?');
    const projected = await stack.client.items(session);
    expect(projected).toHaveLength(6);
    expect(projected).toEqual(await stack.client.workflowItems(session));
    const { rows } = await stack.db.pool.query('SELECT item_count, last_seq, current_agent FROM sessions WHERE id = $1', [session]);
    expect(rows[0]).toEqual({ item_count: 6, last_seq: 6, current_agent: 'support' });
  });

  test('status reports counters and usage from the model responses', async () => {
    const session = newSession('items');
    await stack.client.send(session, 'Where is my order 1234?');
    const status = await stack.client.status(session);
    expect(status).toMatchObject({ sessionId: session, agent: 'support', state: 'idle', itemCount: 4, lastSeq: 4, turns: 1 });
    expect(status.usage.requests).toBe(2);
    expect(status.usage.totalTokens).toBeGreaterThan(0);
    expect(status.historyLength).toBeGreaterThan(0);
  });
});

/** Polls until the condition holds (at most 20 s). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
