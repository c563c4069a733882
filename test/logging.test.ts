/**
 * Structured logs, as a user runs the processes: `agent-sessions worker` and `agent-sessions serve`
 * write one JSON object a line on stderr. A turn's lines from the workflow, the model call, the tool
 * call and the projection write carry the session id, turn, agent and message id; the HTTP API writes
 * one line per request. No line holds the user's text, a context value or the API token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { runCli } from './support/cli';
import { startTestStack, type TestStack } from './support/stack';
import { killWorker, spawnWorker } from './support/worker-process';

const TOKEN = 'logging-token-5d1e';
const SESSION = 'logs:zoe';
const MESSAGE_ID = 'msg-logs-1';
const USER_TEXT = 'Where is order 1234? My locker code is 88-violet-harbor.';
const CONTEXT_VALUES = { customerName: 'Zoe Quintana-Okafor', customerId: 'cust-secret-7731' };
const SECRET_VALUE = 'log-secret-token-9931';

type Line = Record<string, unknown>;

let stack: TestStack;
let worker: ChildProcess | undefined;
let serve: ChildProcess | undefined;
let apiUrl: string;
const workerLines: Line[] = [];
const serveLines: Line[] = [];
let workerText = '';
let serveText = '';

/** Collects a process's stderr: the text as is, and each line that is JSON parsed. */
function collect(child: ChildProcess, lines: Line[], onText: (text: string) => void): void {
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    onText(text);
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      if (part.startsWith('{')) lines.push(JSON.parse(part) as Line);
    }
  });
}

/** The first line with these fields, waiting for it (at most 20 s: the worker buffers its lines briefly). */
async function lineWith(lines: Line[], fields: Line): Promise<Line> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = lines.find((line) => Object.entries(fields).every(([key, value]) => line[key] === value));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no log line with ${JSON.stringify(fields)} among:\n${lines.map((line) => JSON.stringify(line)).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts `agent-sessions serve` with a token and resolves with the URL it prints. */
async function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.temporal.address,
    DATABASE_URL: stack.db.url,
    AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue,
    AGENT_SESSIONS_API_TOKEN: TOKEN,
    AGENT_SESSIONS_LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, [path.resolve(__dirname, '..', 'bin', 'agent-sessions.js'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  collect(child, serveLines, (text) => (serveText += text));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}${serveText}`)));
  });
  return { child, url };
}

beforeAll(async () => {
  stack = await startTestStack();
  await stack.stopWorkers(); // the worker process below is the only one
  worker = await spawnWorker(stack, stack.db.url, { AGENT_SESSIONS_LOG_LEVEL: 'info' });
  collect(worker, workerLines, (text) => (workerText += text));
  ({ child: serve, url: apiUrl } = await startServe());

  // The model fails once (503, retried), asks for the order tool, then answers.
  stack.model.enqueue({ error: { status: 503 } }, { toolCalls: [{ name: 'lookup_order', arguments: { order_id: '1234' } }] }, { text: 'It ships Thursday.' });
  const response = await fetch(`${apiUrl}/v1/sessions/${encodeURIComponent(SESSION)}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: MESSAGE_ID, text: USER_TEXT, start: { context: { ...CONTEXT_VALUES, apiToken: { $secret: SECRET_VALUE } } } }),
  });
  expect(response.status).toBe(200);
  const missing = await fetch(`${apiUrl}/v1/sessions/nobody:here`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(missing.status).toBe(404);
}, 120_000);

afterAll(async () => {
  serve?.kill('SIGTERM');
  if (worker) await killWorker(worker);
  await stack?.stop();
});

/** The fields every line about the turn carries. */
const TURN = { sessionId: SESSION, turn: 1, messageId: MESSAGE_ID };

test("the workflow logs the turn's start and its end with the agent, outcome and duration", async () => {
  const started = await lineWith(workerLines, { msg: 'turn started', ...TURN });
  expect(started).toMatchObject({ level: 'info', workflowId: SESSION, workflowType: 'conversation', sdkComponent: 'workflow' });
  const ended = await lineWith(workerLines, { msg: 'turn ended', ...TURN });
  expect(ended).toMatchObject({ level: 'info', agent: 'support', outcome: 'completed', modelCalls: 2, durationMs: expect.any(Number) });
});

test('the model call logs the agent, model, attempt, duration and tokens', async () => {
  const call = await lineWith(workerLines, { msg: 'model call completed', ...TURN, functionCalls: 1 });
  expect(call).toMatchObject({
    agent: 'support',
    model: OFFLINE_MODEL_ID,
    activityType: 'callModel',
    attempt: 2,
    workflowId: SESSION,
    durationMs: expect.any(Number),
    totalTokens: expect.any(Number),
  });
  expect(call).not.toHaveProperty('taskToken');
});

test("a failed model attempt is Temporal's line with the failure type, the error and the turn's fields", async () => {
  const failed = await lineWith(workerLines, { msg: 'Activity failed', ...TURN, activityType: 'callModel' });
  expect(failed).toMatchObject({ level: 'warn', attempt: 1, failureType: 'ModelHttpError', err: { message: expect.stringContaining('503') } });
});

test('the tool call logs the tool, call id, outcome and duration', async () => {
  const tool = await lineWith(workerLines, { msg: 'tool call completed', ...TURN });
  expect(tool).toMatchObject({
    agent: 'support',
    tool: 'lookup_order',
    callId: expect.any(String),
    outcome: 'ok',
    contextKeysChanged: 1,
    activityType: 'callTool',
    durationMs: expect.any(Number),
  });
});

test('the projection write logs the items it stored', async () => {
  const written = await lineWith(workerLines, { msg: 'projection written', ...TURN });
  expect(written).toMatchObject({ agent: 'support', items: 4, lastSeq: 4, activityType: 'projectTurn' });
});

test('the HTTP API logs one line per request: route, status, duration, session and message ids, error type', async () => {
  const sent = await lineWith(serveLines, { msg: 'HTTP request', method: 'POST' });
  expect(sent).toMatchObject({ level: 'info', route: '/v1/sessions/:id/messages', status: 200, sessionId: SESSION, messageId: MESSAGE_ID, durationMs: expect.any(Number) });
  const missing = await lineWith(serveLines, { msg: 'HTTP request', method: 'GET' });
  expect(missing).toMatchObject({ route: '/v1/sessions/:id', status: 404, sessionId: 'nobody:here', errorType: 'SessionNotFoundError' });
});

test("no line holds the user's text, a context value, a secret one or the API token", async () => {
  await lineWith(workerLines, { msg: 'turn ended', ...TURN });
  for (const text of [workerText, serveText]) {
    for (const secret of [USER_TEXT, 'violet-harbor', ...Object.values(CONTEXT_VALUES), SECRET_VALUE, TOKEN, 'It ships Thursday']) {
      expect(text).not.toContain(secret);
    }
  }
});

test('a log level that does not exist is refused with the levels there are', async () => {
  const run = await runCli(['worker'], { AGENT_SESSIONS_LOG_LEVEL: 'loud' });
  expect(run.code).toBe(2);
  expect(run.stderr.trim()).toBe('error: AGENT_SESSIONS_LOG_LEVEL is "loud"; use one of trace, debug, info, warn, error, fatal, silent');
});
