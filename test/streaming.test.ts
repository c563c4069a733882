/**
 * Streamed turns: the caller sees the reply's text while the model generates it, tool calls and their
 * outputs as they happen, and the result last; a retried model call is voided by a `discard`; a
 * zombie attempt cannot write; a caller that reconnects with its last offset gets the rest, once.
 */
import { randomUUID } from 'node:crypto';
import { InvalidInputError, ModelRequestRejectedError, SessionDeletedError } from '../src/client/errors';
import { SessionsClient } from '../src/client/sessions-client';
import { appendStreamEvents, readStreamEvents } from '../src/postgres/stream-events';
import type { StreamEvent } from '../src/shared/stream';
import { runCli } from './support/cli';
import { refundTool } from './support/refund-tool';
import { startTestStack, type TestStack } from './support/stack';
import { getEventListeners } from 'node:events';
import { z } from 'zod';
import { defineAgent, defineTool } from '../src/agents';
import { supportAgent } from '../src/dev/demo-agent';
import { StreamNotifications } from '../src/postgres/stream-notifications';

const explode = defineTool({
  name: 'explode',
  description: 'Always fails.',
  parameters: z.object({}),
  execute: () => {
    throw new Error('the fuse blew');
  },
});
const risky = defineAgent({ name: 'risky', instructions: 'You try things.', tools: [explode, refundTool] });

let stack: TestStack;
let counter = 0;
const newSession = (kind: string) => `streaming-${++counter}:${kind}`;

beforeAll(async () => {
  stack = await startTestStack({ agents: [supportAgent, risky] });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const seen: StreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

/** The text a caller keeps: text deltas, minus those of steps a `discard` voided. */
function keptText(events: StreamEvent[]): string {
  const kept: Array<{ step: number; delta: string }> = [];
  for (const event of events) {
    if (event.type === 'text') kept.push({ step: event.step, delta: event.delta });
    if (event.type === 'discard') kept.splice(0, kept.length, ...kept.filter((entry) => entry.step !== event.step));
  }
  return kept.map((entry) => entry.delta).join('');
}

describe('a streamed turn', () => {
  it('shows the reply text while the model is still generating it, then the result', async () => {
    const sessionId = newSession('live');
    stack.model.enqueue({ text: 'one two three four five six', chunkDelayMs: 150 });
    const seen: StreamEvent[] = [];
    let stateAtFirstText: string | undefined;
    for await (const event of stack.client.stream(sessionId, 'count for me')) {
      if (event.type === 'text' && stateAtFirstText === undefined) stateAtFirstText = (await stack.client.status(sessionId)).state;
      seen.push(event);
    }
    expect(stateAtFirstText).toBe('running');
    expect(seen[0]).toEqual({ type: 'started', messageId: expect.any(String) });
    const done = seen.at(-1);
    expect(done?.type).toBe('done');
    expect(seen.filter((event) => event.type === 'text').length).toBeGreaterThan(1);
    expect(keptText(seen)).toBe(done?.type === 'done' ? done.result.reply : 'no result');
    expect(await stack.client.items(sessionId)).toHaveLength(2);
  });

  it('gives the tool call, its output and the final text, each once and in order', async () => {
    const events = await collect(stack.client.stream(newSession('tool'), 'Where is order 1234?'));
    const kinds = events.map((event) => event.type).filter((type, index, all) => type !== all[index - 1]);
    expect(kinds).toEqual(['started', 'tool_call', 'tool_output', 'text', 'done']);
    const call = events.find((event) => event.type === 'tool_call');
    const output = events.find((event) => event.type === 'tool_output');
    expect(call).toMatchObject({ name: 'lookup_order', agent: 'support', arguments: JSON.stringify({ order_id: '1234' }) });
    expect(output).toMatchObject({ callId: call?.type === 'tool_call' ? call.callId : '', output: expect.stringContaining('shipped'), failed: false });
    const offsets = events.flatMap((event) => ('offset' in event ? [event.offset] : []));
    expect(offsets).toEqual(offsets.map((_, index) => index + 1));
  });

  it('tells the caller to discard the text of a model call that broke mid-stream, and keeps the retry once', async () => {
    stack.model.enqueue({ text: 'alpha beta gamma delta', dropAfterChunks: 3, chunkDelayMs: 50 }, { text: 'alpha beta gamma delta' });
    const events = await collect(stack.client.stream(newSession('retried'), 'say the letters'));
    const textOf = (part: StreamEvent[]) => part.flatMap((event) => (event.type === 'text' ? [event.delta] : [])).join('');
    const discardAt = events.findIndex((event) => event.type === 'discard');
    expect(events[discardAt]).toMatchObject({ step: 2 });
    expect(textOf(events.slice(0, discardAt))).toBe('alpha ');
    expect(textOf(events.slice(discardAt))).toBe('alpha beta gamma delta');
    expect(keptText(events)).toBe('alpha beta gamma delta');
    expect(stack.model.requests).toHaveLength(2);
  });

  it('retries a model call whose stream ends early without an error (no finish reason), never committing the cut reply', async () => {
    stack.model.enqueue({ text: 'one two three four', endAfterChunks: 3, chunkDelayMs: 30 }, { text: 'one two three four' });
    const events = await collect(stack.client.stream(newSession('cut'), 'count'));
    const done = events.at(-1);
    expect(done?.type === 'done' && done.result.reply).toBe('one two three four');
    expect(events.some((event) => event.type === 'discard')).toBe(true);
    expect(keptText(events)).toBe('one two three four');
    expect(stack.model.requests).toHaveLength(2);
  });

  it('lets a caller that reconnects with its last offset get the rest, nothing twice, with the turn run once', async () => {
    const sessionId = newSession('resume');
    stack.model.enqueue({ text: 'a b c d e f g h', chunkDelayMs: 100 });
    const message = { id: randomUUID(), text: 'spell it' };
    const first: StreamEvent[] = [];
    for await (const event of stack.client.stream(sessionId, message)) {
      first.push(event);
      if (first.filter((seen) => seen.type === 'text').length === 2) break;
    }
    const lastOffset = Math.max(...first.flatMap((event) => ('offset' in event ? [event.offset] : [])));
    const rest = await collect(stack.client.stream(sessionId, message, { after: lastOffset }));
    const done = rest.at(-1);
    expect(done?.type).toBe('done');
    expect(keptText([...first, ...rest])).toBe(done?.type === 'done' ? done.result.reply : 'no result');
    const offsets = [...first, ...rest].flatMap((event) => ('offset' in event ? [event.offset] : []));
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(stack.model.requests).toHaveLength(1);
    expect(await stack.client.items(sessionId)).toHaveLength(2);
  });

  it('keeps the streams of two messages of one session apart', async () => {
    const sessionId = newSession('two');
    const [a, b] = await Promise.all([collect(stack.client.stream(sessionId, 'first message')), collect(stack.client.stream(sessionId, 'second message'))]);
    for (const [events, word] of [
      [a, 'first'],
      [b, 'second'],
    ] as const) {
      const done = events.at(-1);
      expect(done?.type === 'done' && done.result.reply).toContain(word);
      expect(keptText(events)).toBe(done?.type === 'done' ? done.result.reply : 'no result');
    }
  });

  it('throws the typed error of a failed turn after the events it wrote', async () => {
    stack.model.enqueue({ error: { status: 400, message: 'unsupported parameter' } });
    const seen: StreamEvent[] = [];
    const error = await (async () => {
      for await (const event of stack.client.stream(newSession('failed'), 'hello')) seen.push(event);
    })().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ModelRequestRejectedError);
    expect(seen.map((event) => event.type)).toEqual(['started']);
  });

  it('shows the error output of a tool that failed, and the output of a rejected call, as tool outputs marked failed', async () => {
    stack.model.enqueue({ toolCalls: [{ name: 'explode', arguments: {} }] }, { text: 'It failed.' });
    const failed = await collect(stack.client.stream(newSession('tool-error'), { text: 'try it', agent: 'risky' }));
    expect(failed.find((event) => event.type === 'tool_output')).toMatchObject({ output: expect.stringContaining('the fuse blew'), failed: true });

    const sessionId = newSession('rejected');
    stack.model.enqueue({ toolCalls: [{ name: 'refund', arguments: { order: 'A-1' } }] }, { text: 'Not refunded.' });
    const seen: StreamEvent[] = [];
    for await (const event of stack.client.stream(sessionId, { text: 'refund A-1', agent: 'risky' })) {
      seen.push(event);
      if (event.type === 'approval') await stack.client.reject(sessionId, event.callId, { reason: 'too late' });
    }
    const kinds = seen.map((event) => event.type).filter((type, index, all) => type !== all[index - 1]);
    expect(kinds).toEqual(['started', 'tool_call', 'approval', 'tool_output', 'text', 'done']);
    expect(seen.find((event) => event.type === 'tool_output')).toMatchObject({ output: expect.stringContaining('too late'), failed: true });
  });

  it('stops following when the caller aborts, even while the turn waits for a human', async () => {
    const sessionId = newSession('abort');
    stack.model.enqueue({ toolCalls: [{ name: 'refund', arguments: { order: 'B-2' } }] }, { text: 'Refunded.' });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of stack.client.stream(sessionId, { text: 'refund B-2', agent: 'risky' }, { signal: controller.signal })) {
      seen.push(event.type);
      if (event.type === 'approval') controller.abort();
    }
    expect(seen).toEqual(['started', 'tool_call', 'approval']);
    expect((await stack.client.status(sessionId)).state).toBe('awaiting-approval');
    const [waiting] = await stack.client.pendingApprovals(sessionId);
    await stack.client.approve(sessionId, waiting.callId);
  });

  it('throws before `started` when the message is refused (bad start options, a deleted session)', async () => {
    const seen: StreamEvent[] = [];
    const refused = await (async () => {
      for await (const event of stack.client.stream(newSession('refused-start'), 'hi', { settings: { bogus: 1 } as never })) seen.push(event);
    })().catch((thrown: unknown) => thrown);
    expect(refused).toBeInstanceOf(InvalidInputError);
    const deleted = newSession('deleted');
    await stack.client.send(deleted, 'hello');
    await stack.client.deleteSession(deleted);
    const gone = await (async () => {
      for await (const event of stack.client.stream(deleted, 'again')) seen.push(event);
    })().catch((thrown: unknown) => thrown);
    expect(gone).toBeInstanceOf(SessionDeletedError);
    expect(seen).toEqual([]);
  });

  it('refuses to resume after an offset the message stream never reached, and runs nothing', async () => {
    const sessionId = newSession('resume-unknown');
    await stack.client.send(sessionId, 'hello');
    const before = stack.model.requests.length;
    const resumed = stack.client.stream(sessionId, { id: randomUUID(), text: 'resume me' }, { after: 2 });
    await expect(collect(resumed)).rejects.toThrow(/has no events after offset 2|reached offset/);
    expect(stack.model.requests.length).toBe(before);
    expect(await stack.client.items(sessionId)).toHaveLength(2);
  });

  it('refuses a negative offset and a client without Postgres before sending anything', async () => {
    const sessionId = newSession('refused');
    expect(() => stack.client.stream(sessionId, 'hi', { after: -1 })).toThrow(InvalidInputError);
    const withoutPostgres = await SessionsClient.connect({ temporalAddress: stack.temporal.address, taskQueue: stack.taskQueue });
    try {
      expect(() => withoutPostgres.stream(sessionId, 'hi')).toThrow(/needs Postgres/);
    } finally {
      await withoutPostgres.close();
    }
    expect(stack.model.requests).toHaveLength(0);
  });
});

describe('send --stream', () => {
  const env = () => ({ TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue });

  it('prints the reply as it streams, with the tool call, its output and the message id on stderr', async () => {
    const run = await runCli(['send', '--stream', '--session', newSession('cli'), 'Where is order 5678?'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/5678.*delivered yesterday/s);
    expect(run.stderr).toMatch(/\[message [\w-]+: resume with --id [\w-]+ --after OFFSET\]/);
    expect(run.stderr).toMatch(/\[1\] support calls lookup_order\(\{"order_id":"5678"\}\)/);
    expect(run.stderr).toMatch(/\[2\] call_\w+ answered: Order 5678: delivered yesterday/);
  });

  it('prints one JSON event a line with --json, and refuses --after without --stream and --id', async () => {
    const run = await runCli(['send', '--stream', '--json', '--session', newSession('cli-json'), 'hello there'], env());
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StreamEvent);
    expect(events[0].type).toBe('started');
    expect(events.at(-1)).toMatchObject({ type: 'done', result: { reply: expect.stringContaining('hello there') } });
    const refused = await runCli(['send', '--after', '3', '--session', newSession('cli-after'), 'hi'], env());
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('--after resumes a stream') });
  });
});

describe('the stored stream', () => {
  it('leaves no listener behind on the signal a reader waits with, however often it waits', async () => {
    const notifications = new StreamNotifications(stack.db.pool);
    const controller = new AbortController();
    try {
      for (let wait = 0; wait < 200; wait++) await notifications.wait('no-such-session', 0, controller.signal);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      await notifications.close();
    }
  });

  it('fences out an attempt once a newer attempt of the same step has written, and voids the older text', async () => {
    const key = { sessionId: newSession('fence'), messageId: randomUUID(), step: 4 };
    const text = (delta: string) => ({ type: 'text' as const, step: 4, agent: 'support', delta });
    expect(await appendStreamEvents(stack.db.pool, { ...key, attempt: 1 }, [text('old ')])).toBe(1);
    expect(await appendStreamEvents(stack.db.pool, { ...key, attempt: 2 }, [])).toBe(2);
    expect(await appendStreamEvents(stack.db.pool, { ...key, attempt: 1 }, [text('zombie ')])).toBeUndefined();
    expect(await appendStreamEvents(stack.db.pool, { ...key, attempt: 2 }, [text('new')])).toBe(3);
    expect(await appendStreamEvents(stack.db.pool, { ...key, step: 3, attempt: 9 }, [text('earlier step')])).toBeUndefined();
    const stored = await readStreamEvents(stack.db.pool, key.sessionId, key.messageId, 0);
    expect(stored.map(({ type, offset }) => `${offset}:${type}`)).toEqual(['1:text', '2:discard', '3:text']);
  });

  it('gives each of 20 concurrent writers of one stream its own offsets, with none lost', async () => {
    const key = { sessionId: newSession('concurrent'), messageId: randomUUID(), step: 1, attempt: 1 };
    const writes = Array.from({ length: 20 }, (_, index) =>
      appendStreamEvents(stack.db.pool, key, [
        { type: 'text', step: 1, agent: 'a', delta: `${index}.` },
        { type: 'text', step: 1, agent: 'a', delta: `${index}!` },
      ]),
    );
    expect((await Promise.all(writes)).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(Array.from({ length: 20 }, (_, index) => 2 * index + 2));
    const stored = await readStreamEvents(stack.db.pool, key.sessionId, key.messageId, 0);
    expect(stored.map((event) => event.offset)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
  });
});
