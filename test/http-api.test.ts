/**
 * The HTTP API: JSON in and out over the library, the library's error types with fitting status
 * codes, a bearer token, and bad input refused with a 4xx that changes nothing. On a real stack; the
 * `serve` command is started as a user would.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { defineAgent } from '../src/agents';
import { supportAgent } from '../src/dev/demo-agent';
import { startHttpServer, type RunningHttpServer } from '../src/server/http-server';
import { refundTool } from './support/refund-tool';
import { startTestStack, type TestStack } from './support/stack';

const TOKEN = 'test-token-7f3a';

const cashier = defineAgent({ name: 'cashier', instructions: 'You refund orders.', tools: [refundTool] });

let stack: TestStack;
let server: RunningHttpServer;
let counter = 0;
const newSession = (kind: string) => `http-${++counter}:${kind}`;

beforeAll(async () => {
  stack = await startTestStack({ agents: [supportAgent, cashier] });
  server = await startHttpServer({ client: stack.client, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

/** Calls the API with the token; the status and the parsed JSON body. */
async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: Record<string, unknown> } };
}

const at = (id: string) => `/v1/sessions/${encodeURIComponent(id)}`;

test('a message answers the turn result; items, status and the listing show the session', async () => {
  const session = newSession('basics');
  const sent = await call('POST', `${at(session)}/messages`, { text: 'Where is order 1234?', start: { labels: { channel: 'web' }, userId: 'ada' } });
  expect(sent.status).toBe(200);
  expect(sent.body).toMatchObject({ reply: expect.stringContaining('1234'), agent: 'support' });

  const items = await call('GET', `${at(session)}/items?limit=2`);
  expect(items.body.items).toEqual((sent.body.items as unknown[]).slice(-2));
  expect((await call('GET', at(session))).body).toMatchObject({ sessionId: session, userId: 'ada', labels: { channel: 'web' }, turns: 1 });
  const listed = await call('GET', `/v1/sessions?prefix=${encodeURIComponent(session)}&label=channel:web&user=ada`);
  expect((listed.body.sessions as { sessionId: string }[]).map((entry) => entry.sessionId)).toEqual([session]);
  expect((await call('GET', `${at(session)}/usage`)).body).toMatchObject({ sessionId: session, entries: [expect.objectContaining({ turn: 1 })] });
});

test('context, labels, pop, clear and delete work like the library; a deleted session answers 410', async () => {
  const session = newSession('operations');
  await call('POST', `${at(session)}/messages`, { text: 'Hello' });
  expect((await call('PATCH', `${at(session)}/context`, { patch: { tier: 'gold' } })).body).toEqual({ tier: 'gold' });
  expect((await call('GET', `${at(session)}/context`)).body).toEqual({ tier: 'gold' });
  expect((await call('PATCH', `${at(session)}/labels`, { labels: { team: 'emea' } })).body).toEqual({ team: 'emea' });
  expect((await call('POST', `${at(session)}/pop`)).body.item).toMatchObject({ item: { role: 'assistant' } });
  expect((await call('POST', `${at(session)}/clear`)).body).toEqual({ cleared: session });
  expect((await call('GET', `${at(session)}/items`)).body.items).toEqual([]);
  expect((await call('DELETE', at(session))).body).toEqual({ deleted: session });
  const after = await call('POST', `${at(session)}/messages`, { text: 'Hello again' });
  expect(after).toMatchObject({ status: 410, body: { error: { type: 'SessionDeletedError', kind: 'caller' } } });
});

test('approvals: list what waits, approve it over HTTP, and the waiting message answers', async () => {
  const session = newSession('approvals');
  stack.model.enqueue({ toolCalls: [{ name: 'refund', arguments: { order: 'A-1' } }] }, { text: 'Refunded.' });
  const waiting = call('POST', `${at(session)}/messages`, { text: 'Refund A-1', agent: 'cashier' });
  let approvals: { callId: string }[] = [];
  for (let tries = 0; approvals.length === 0 && tries < 600; tries++) {
    approvals = ((await call('GET', `${at(session)}/approvals`)).body.approvals as { callId: string }[] | undefined) ?? [];
    if (approvals.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(approvals).toEqual([expect.objectContaining({ tool: 'refund' })]);
  const unknown = await call('POST', `${at(session)}/approvals/call_nope`, { approved: true });
  expect(unknown).toMatchObject({ status: 409, body: { error: { type: 'ApprovalNotPendingError' } } });
  expect((await call('POST', `${at(session)}/approvals/${approvals[0].callId}`, { approved: true })).body).toMatchObject({ approved: true, stillPending: 0 });
  expect((await waiting).body).toMatchObject({ reply: 'Refunded.' });
});

/** One server-sent event as the wire carries it. */
interface Sse {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

/** POSTs a message asking for server-sent events; reads frames until the stream ends or `stopAfter` says so. */
async function postStream(route: string, body: unknown, headers: Record<string, string> = {}, stopAfter?: (seen: Sse[]) => boolean) {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const events: Sse[] = [];
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) return { response, events, json: await response.json() };
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (frame.startsWith(':')) continue;
        const fields = Object.fromEntries(frame.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
        events.push({ ...(fields.id ? { id: fields.id } : {}), event: fields.event, data: JSON.parse(fields.data) });
        if (stopAfter?.(events)) {
          controller.abort();
          return { response, events };
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { response, events };
}

const streamedText = (events: Sse[]) =>
  events
    .filter((event) => event.event === 'text')
    .map((event) => event.data.delta)
    .join('');

test('a message asked for as text/event-stream streams the turn: started, text with offsets as ids, done with the result', async () => {
  stack.model.enqueue({ text: 'streamed over HTTP, word by word', chunkDelayMs: 20 });
  const { response, events } = await postStream(`${at(newSession('sse'))}/messages`, { text: 'Hi' });
  expect(response.status).toBe(200);
  expect(events[0]).toEqual({ event: 'started', data: { type: 'started', messageId: expect.any(String) } });
  const texts = events.filter((event) => event.event === 'text');
  expect(texts.length).toBeGreaterThan(3);
  expect(texts.map((event) => Number(event.id))).toEqual(texts.map((_, index) => index + 1));
  expect(events.at(-1)).toMatchObject({ event: 'done', data: { result: { reply: 'streamed over HTTP, word by word' } } });
  expect(streamedText(events)).toBe('streamed over HTTP, word by word');
});

test('a stream resumed with Last-Event-ID gives the rest once, and the turn runs once', async () => {
  const session = newSession('sse-resume');
  stack.model.enqueue({ text: 'one two three four five six seven', chunkDelayMs: 80 });
  const first = await postStream(`${at(session)}/messages`, { text: 'count' }, {}, (seen) => seen.filter((event) => event.event === 'text').length === 2);
  const messageId = String(first.events[0].data.messageId);
  const lastId = first.events.at(-1)?.id as string;
  const rest = await postStream(`${at(session)}/messages`, { id: messageId, text: 'count' }, { 'last-event-id': lastId });
  expect(rest.events.filter((event) => event.id !== undefined).every((event) => Number(event.id) > Number(lastId))).toBe(true);
  expect(streamedText([...first.events, ...rest.events])).toBe('one two three four five six seven');
  expect(stack.model.requests).toHaveLength(1);
  expect((await call('GET', `${at(session)}/items`)).body.items).toHaveLength(2);
});

test('a streamed turn that fails ends with an error event carrying the JSON error; bad stream input is a 400 before any event', async () => {
  stack.model.enqueue({ error: { status: 400, message: 'unsupported parameter' } });
  const failed = await postStream(`${at(newSession('sse-failed'))}/messages`, { text: 'Hi' });
  expect(failed.events.map((event) => event.event)).toEqual(['started', 'error']);
  expect(failed.events[1].data).toMatchObject({ status: 502, error: { type: 'ModelRequestRejectedError' } });
  const badId = await postStream(`${at(newSession('sse-bad'))}/messages`, { id: 'm-1', text: 'Hi' }, { 'last-event-id': 'abc' });
  expect(badId).toMatchObject({ response: { status: 400 }, json: { error: { message: expect.stringMatching(/Last-Event-ID/) } } });
  const noId = await postStream(`${at(newSession('sse-bad'))}/messages`, { text: 'Hi' }, { 'last-event-id': '3' });
  expect(noId).toMatchObject({ response: { status: 400 }, json: { error: { message: expect.stringMatching(/same message with the id/) } } });
  const badStart = await postStream(`${at(newSession('sse-bad'))}/messages`, { text: 'Hi', start: { settings: { bogus: 1 } } });
  expect(badStart).toMatchObject({ response: { status: 400 }, json: { error: { type: 'InvalidInputError' } } });
  const deleted = newSession('sse-deleted');
  await call('POST', `${at(deleted)}/messages`, { text: 'Hello' });
  await call('DELETE', at(deleted));
  const gone = await postStream(`${at(deleted)}/messages`, { text: 'Hello again' });
  expect(gone).toMatchObject({ response: { status: 410 }, json: { error: { type: 'SessionDeletedError' } } });
  expect(stack.model.requests).toHaveLength(2);
});

test('bad input gets a 4xx with the reason and changes nothing', async () => {
  const session = newSession('bad');
  await call('POST', `${at(session)}/messages`, { text: 'Hello' });
  const before = (await call('GET', `${at(session)}/items`)).body.items;

  const cases: [string, string, unknown, number, RegExp][] = [
    ['POST', `${at(session)}/messages`, {}, 400, /a message needs text/],
    ['POST', `${at(session)}/messages`, '{"text": "unterminated', 400, /not JSON/],
    ['POST', `${at(session)}/messages`, { text: 'nul \u0000 here' }, 400, /NUL/],
    ['POST', `${at(session)}/messages`, '{"text": "lone \\ud800 surrogate"}', 400, /surrogate/],
    ['POST', `${at(session)}/messages`, { text: 'Hi', extra: 1 }, 400, /extra/],
    ['POST', `${at(session)}/messages`, { text: 'Hi', start: { context: 'no' } }, 400, /context/],
    ['POST', `${at(session)}/messages`, { text: 'x'.repeat(1_100_000) }, 400, /text must be at most 32000 characters/],
    ['PATCH', `${at(session)}/context`, { patch: { note: 'x'.repeat(1_100_000) } }, 413, /1048576 bytes/],
    ['GET', `${at(session)}/items?limit=0`, undefined, 400, /limit/],
    ['GET', `${at(session)}/items?limt=3`, undefined, 400, /limt/],
    ['GET', '/v1/sessions?label=nocolon', undefined, 400, /key:value/],
    ['PATCH', `${at(session)}/labels`, { labels: { 'bad key': 'x' } }, 400, /label key/],
    ['GET', '/v1/sessions/%E0%A4%A', undefined, 400, /percent-escape/],
    ['GET', '/v1/nothing', undefined, 404, /no route/],
    ['PUT', at(session), undefined, 405, /PUT is not allowed/],
    ['GET', at('no-such-session'), undefined, 404, /no session "no-such-session"/],
    ['GET', at('bad id with spaces'), undefined, 400, /whitespace/],
  ];
  for (const [method, route, body, status, reason] of cases) {
    const answer = await call(method, route, body);
    expect({ route, status: answer.status, message: String(answer.body.error?.message) }).toEqual({ route, status, message: expect.stringMatching(reason) });
  }
  expect((await call('GET', `${at(session)}/items`)).body.items).toEqual(before);
});

test('without the bearer token, or with a wrong one, every route answers 401 and runs nothing', async () => {
  const session = newSession('token');
  for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`]) {
    const response = await fetch(`${server.url}${at(session)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ text: 'Hello' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  }
  expect((await call('GET', at(session))).status).toBe(404);
});

test('the serve command prints where it listens and answers there', async () => {
  const bin = path.resolve(__dirname, '..', 'bin', 'agent-sessions.js');
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue };
  delete env.AGENT_SESSIONS_API_TOKEN;
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    });
    const response = await fetch(`${url}/v1/sessions?limit=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sessions: expect.any(Array) });
  } finally {
    child.kill('SIGTERM');
  }
});
