/**
 * Metrics and health on a real stack: a worker's metrics port and `serve` answer `/metrics`, `/healthz`
 * and `/readyz` without a token; turns, model calls, tokens, tool calls, failures, approvals and
 * rollovers move the counters by what happened; Temporal's own worker metrics come in the same scrape;
 * readiness names what fails (Postgres, migrations, a stopping worker); SIGTERM drains the real
 * `worker` and `serve` processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineAgent } from '../src/agents';
import { SessionsClient } from '../src/client/sessions-client';
import { supportAgent } from '../src/dev/demo-agent';
import { connectPool } from '../src/postgres/pool';
import { checkProjectionReady } from '../src/postgres/readiness';
import { startHttpServer, type RunningHttpServer } from '../src/server/http-server';
import { startMetricsServer, type RunningMetricsServer } from '../src/telemetry/exposition';
import { Probes } from '../src/telemetry/health';
import { registerBacklogSource } from '../src/telemetry/task-queue-backlog';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { installRuntimeWithMetrics } from '../src/worker/temporal-metrics';
import type { RunningWorker } from '../src/worker/run-worker';
import { refundTool } from './support/refund-tool';
import { startTestStack, type TestStack } from './support/stack';

const TOKEN = 'observability-token-5c1e';
const cashier = defineAgent({ name: 'cashier', instructions: 'You refund orders.', tools: [refundTool] });

let stack: TestStack;
let worker: RunningWorker;
let workerMetrics: RunningMetricsServer;
let serve: RunningHttpServer;
let stopBacklog: () => void;
let counter = 0;
const newSession = (kind: string) => `obs-${++counter}:${kind}`;

beforeAll(async () => {
  // Before the stack: the process's Temporal runtime serves its own metrics, which /metrics appends.
  await installRuntimeWithMetrics({ defaultLevel: 'warn' });
  stack = await startTestStack({
    agents: [supportAgent, cashier],
    // A run is suggested to continue as new after 60 events, so a few turns roll a session over.
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 },
  });
  await stack.stopWorkers();
  worker = await stack.startWorker();
  workerMetrics = await startMetricsServer({ port: 0, host: '127.0.0.1', probes: new Probes(worker.health) });
  serve = await startHttpServer({ client: stack.client, token: TOKEN, probes: new Probes(stack.client.health()) });
  stopBacklog = registerBacklogSource(stack.client.backlogSource());
});

afterAll(async () => {
  stopBacklog?.();
  await serve?.close();
  await workerMetrics?.close();
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

/** The text of one scrape of `url`/metrics (no token). */
async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The sum of a metric's samples whose labels include `labels` (0 when there is none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

/** Scrapes the worker until `ready(text)` holds (sink events are counted just after the workflow task that made them), within 10 s. */
async function scrapeUntil(ready: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let tries = 0; tries < 100; tries++) {
    text = await scrape(workerMetrics.url);
    if (ready(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return text;
}

/** The status and JSON body of a GET without a token. */
async function probe(url: string): Promise<{ status: number; body: { status: string; checks: Record<string, { ok: boolean; error?: string }> } }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> } };
}

describe('metrics', () => {
  test('two turns, one with a tool call, move the turn, model-call, token and tool-call metrics by exactly that much', async () => {
    const before = await scrape(workerMetrics.url);
    const turns = (text: string) => sample(text, 'agent_sessions_turns_total', { agent: 'support', outcome: 'completed' });
    stack.model.enqueue({ toolCalls: [{ name: 'lookup_order', arguments: { order_id: '5678' } }] }, { text: 'It was delivered yesterday.' }, { text: 'Glad to help.' });
    const session = newSession('tool');
    await stack.client.send(session, 'Where is order 5678?');
    await stack.client.send(session, 'Thanks!');

    const after = await scrapeUntil((text) => turns(text) >= turns(before) + 2);
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('agent_sessions_turns_total', { agent: 'support', outcome: 'completed' })).toBe(2);
    expect(delta('agent_sessions_turn_duration_seconds_count', { agent: 'support', outcome: 'completed' })).toBe(2);
    expect(delta('agent_sessions_model_calls_total', { model: OFFLINE_MODEL_ID, outcome: 'ok' })).toBe(3);
    expect(delta('agent_sessions_model_call_duration_seconds_count', { model: OFFLINE_MODEL_ID })).toBe(3);
    // The two text answers streamed a first token; the tool call carried none.
    expect(delta('agent_sessions_model_time_to_first_token_seconds_count', { model: OFFLINE_MODEL_ID })).toBe(2);
    expect(delta('agent_sessions_tokens_total', { model: OFFLINE_MODEL_ID, kind: 'input' })).toBeGreaterThan(0);
    expect(delta('agent_sessions_tokens_total', { model: OFFLINE_MODEL_ID, kind: 'output' })).toBeGreaterThan(0);
    expect(delta('agent_sessions_tool_calls_total', { tool: 'lookup_order', outcome: 'ok' })).toBe(1);
    expect(delta('agent_sessions_tool_call_duration_seconds_count', { tool: 'lookup_order' })).toBe(1);
    expect(delta('agent_sessions_errors_total')).toBe(0);
    // The client library in this process counted the two messages it sent, as their caller saw them.
    expect(delta('agent_sessions_client_turns_total', { outcome: 'completed' })).toBe(2);
    expect(delta('agent_sessions_client_turn_duration_seconds_count', { outcome: 'completed' })).toBe(2);
  });

  test("Temporal's own worker metrics come in the same scrape, and Node's process metrics", async () => {
    const text = await scrape(workerMetrics.url);
    expect(text).toMatch(/^temporal_workflow_task_schedule_to_start_latency_bucket\{/m);
    expect(text).toMatch(/^temporal_activity_execution_latency_count\{/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // Every Temporal metric the Grafana dashboard queries is in the scrape under that name.
    const dashboard = readFileSync(path.resolve(__dirname, '..', 'docs', 'grafana-dashboard.json'), 'utf8');
    const queried = new Set([...dashboard.matchAll(/\b(temporal_[a-z0-9_]+?)(?:_bucket)?\b/g)].map((match) => match[1]));
    expect(queried.size).toBeGreaterThanOrEqual(3);
    for (const name of queried) expect(text).toMatch(new RegExp(`^${name}(_bucket)?\\{`, 'm'));
  });

  test('a turn the model endpoint refuses counts as failed, and under errors_total by its failure type', async () => {
    const before = await scrape(workerMetrics.url);
    const failed = (text: string) => sample(text, 'agent_sessions_turns_total', { outcome: 'failed' });
    stack.model.enqueue({ error: { status: 400, message: 'refused by the test' } });
    await expect(stack.client.send(newSession('refused'), 'Hello')).rejects.toThrow();

    const after = await scrapeUntil((text) => failed(text) > failed(before));
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('agent_sessions_turns_total', { agent: 'support', outcome: 'failed' })).toBe(1);
    expect(delta('agent_sessions_errors_total', { type: 'ModelRequestRejected', scope: 'operation' })).toBe(1);
    expect(delta('agent_sessions_errors_total', { type: 'ModelRequestRejected', scope: 'activity' })).toBe(1);
    expect(delta('agent_sessions_model_calls_total', { outcome: 'error' })).toBe(1);
    expect(delta('agent_sessions_client_turns_total', { outcome: 'failed' })).toBe(1);
    expect(delta('agent_sessions_errors_total', { type: 'ModelRequestRejectedError', scope: 'client' })).toBe(1);
  });

  test('a turn waiting for approval counts its waiting call in approvals_waiting until it is decided', async () => {
    const session = newSession('approval');
    const waiting = () => scrape(workerMetrics.url).then((text) => sample(text, 'agent_sessions_approvals_waiting'));
    const before = await waiting();
    stack.model.enqueue({ toolCalls: [{ name: 'refund', arguments: { order: 'A-7' } }] }, { text: 'Refunded.' });
    const answer = stack.client.send(session, { text: 'Refund A-7', agent: 'cashier' });
    let approvals: { callId: string }[] = [];
    for (let tries = 0; approvals.length === 0 && tries < 300; tries++) {
      approvals = await stack.client.pendingApprovals(session).catch(() => []);
      if (approvals.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(sample(await scrapeUntil((text) => sample(text, 'agent_sessions_approvals_waiting') > before), 'agent_sessions_approvals_waiting')).toBe(before + 1);
    expect(sample(await scrape(workerMetrics.url), 'agent_sessions_turns_total', { agent: 'cashier', outcome: 'paused' })).toBeGreaterThanOrEqual(1);

    await stack.client.approve(session, approvals[0].callId);
    await answer;
    expect(await waiting()).toBe(before);
  });

  test('a session that continues as new counts one rollover', async () => {
    const rollovers = (text: string) => sample(text, 'agent_sessions_rollovers_total');
    const before = rollovers(await scrape(workerMetrics.url));
    const session = newSession('rollover');
    for (let turn = 0; turn < 20 && rollovers(await scrape(workerMetrics.url)) === before; turn++) await stack.client.send(session, `Message ${turn}`);
    expect(rollovers(await scrapeUntil((text) => rollovers(text) > before))).toBe(before + 1);
  });

  test("serve's /metrics counts requests by route pattern and status, and reports the task queue's backlog", async () => {
    const before = await scrape(serve.url);
    const session = newSession('http');
    const unauthorized = await fetch(`${serve.url}/v1/sessions/${encodeURIComponent(session)}`);
    expect(unauthorized.status).toBe(401);
    const sent = await fetch(`${serve.url}/v1/sessions/${encodeURIComponent(session)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello' }),
    });
    expect(sent.status).toBe(200);

    const after = await scrape(serve.url);
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('agent_sessions_http_requests_total', { method: 'POST', route: '/v1/sessions/:id/messages', status: '200' })).toBe(1);
    expect(delta('agent_sessions_http_requests_total', { method: 'GET', route: 'other', status: '401' })).toBe(1);
    expect(delta('agent_sessions_http_request_duration_seconds_count', { method: 'POST', route: '/v1/sessions/:id/messages' })).toBe(1);
    // The scrape before this one was answered, and counted under its own path.
    expect(delta('agent_sessions_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    expect(after).toMatch(new RegExp(`^agent_sessions_task_queue_backlog\\{task_queue="${stack.taskQueue}",type="workflow"\\} \\d+`, 'm'));
    expect(after).toMatch(new RegExp(`^agent_sessions_task_queue_backlog_age_seconds\\{task_queue="${stack.taskQueue}",type="activity"\\} [\\d.e-]+`, 'm'));
  });
});

describe('health', () => {
  test("/healthz and /readyz answer 200 with every check named, on the worker's port and on serve's, without the token", async () => {
    expect(await probe(`${workerMetrics.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok', checks: { worker: { ok: true } } } });
    expect(await probe(`${workerMetrics.url}/readyz`)).toEqual({
      status: 200,
      body: { status: 'ok', checks: { worker: { ok: true }, temporal: { ok: true }, postgres: { ok: true } } },
    });
    expect(await probe(`${serve.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok', checks: { process: { ok: true } } } });
    expect(await probe(`${serve.url}/readyz`)).toEqual({ status: 200, body: { status: 'ok', checks: { temporal: { ok: true }, postgres: { ok: true } } } });
    // The API itself still asks for the token.
    expect((await fetch(`${serve.url}/v1/sessions`)).status).toBe(401);
  });

  test('/readyz is 503 naming postgres when Postgres does not answer; /healthz stays 200', async () => {
    const unreachable = await SessionsClient.connect({
      temporalAddress: stack.temporal.address,
      databaseUrl: 'postgres://postgres@127.0.0.1:1/postgres',
      taskQueue: stack.taskQueue,
    });
    const server = await startHttpServer({ client: unreachable, probes: new Probes(unreachable.health()) });
    try {
      const ready = await probe(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('failing');
      expect(ready.body.checks.temporal).toEqual({ ok: true });
      expect(ready.body.checks.postgres).toEqual({ ok: false, error: expect.stringMatching(/^Postgres does not answer: .*ECONNREFUSED/) });
      expect((await probe(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
      await unreachable.close();
    }
  });

  test('readiness names the missing migrations of a schema that was never migrated', async () => {
    const pool = connectPool(stack.db.url, { max: 1, schema: 'never_migrated' });
    try {
      await expect(checkProjectionReady(pool)).rejects.toThrow(/the schema never_migrated lacks migrations 001_sessions_and_items, .*: run `npx agent-sessions migrate`/);
      await expect(checkProjectionReady(stack.db.pool)).resolves.toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  test('a stopping worker is not ready at once (its model call still running), and stays live until it stopped', async () => {
    await stack.stopWorkers(); // the held call must go to this worker
    const stopping = await stack.startWorker({ shutdownGraceMs: 30_000 });
    const probes = new Probes(stopping.health);
    expect((await probes.ready()).status).toBe('ok');

    stack.model.enqueue({ text: 'Late but whole.', hold: 'drain' });
    const answer = stack.client.send(newSession('drain'), 'Hello');
    await stack.model.held('drain');
    const stopped = stopping.stop();
    const ready = await probes.ready();
    expect(ready.status).toBe('failing');
    expect(ready.checks.worker).toEqual({ ok: false, error: expect.stringMatching(/^the worker is (STOPPING|DRAINING|DRAINED), not RUNNING/) });
    expect((await probes.live()).status).toBe('ok');
    probes.startDraining();
    expect((await probes.ready()).checks).toEqual({ shutdown: { ok: false, error: expect.stringMatching(/^draining since .*: a stop was asked for/) } });

    stack.model.release('drain');
    await stopped;
    expect((await probes.live()).checks.worker).toEqual({ ok: false, error: expect.stringMatching(/^the worker is STOPPED/) });
    worker = await stack.startWorker();
    await expect(answer).resolves.toMatchObject({ reply: 'Late but whole.' });
  });
});

describe('SIGTERM', () => {
  const BIN = path.resolve(__dirname, '..', 'bin', 'agent-sessions.js');

  /** Starts the built CLI with the stack's endpoints; resolves with the child and the first URL printed after `marker`. */
  async function startCli(
    args: string[],
    marker: RegExp,
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ child: ChildProcess; url: string; output: () => string; exit: Promise<number | null> }> {
    const inherited = { ...process.env };
    delete inherited.AGENT_SESSIONS_API_TOKEN;
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...inherited,
        TEMPORAL_ADDRESS: stack.temporal.address,
        DATABASE_URL: stack.db.url,
        AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue,
        OPENAI_API_KEY: 'offline',
        OPENAI_BASE_URL: stack.model.baseURL,
        OPENAI_MODEL: OFFLINE_MODEL_ID,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = marker.exec(output);
        if (match) resolve(match[1]);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exit.then((code) => reject(new Error(`${args[0]} exited with ${code}: ${output.slice(-800)}`)));
      setTimeout(() => reject(new Error(`${args[0]} printed no ${marker} within 60 s: ${output.slice(-800)}`)), 60_000).unref();
    });
    return { child, url, output: () => output, exit };
  }

  test('the worker process drains: readiness 503 at once, liveness 200, its running model call finishes and answers, and it exits 0', async () => {
    await stack.stopWorkers(); // the held call must go to the process
    const cli = await startCli(['worker', '--metrics-port', '0', '--shutdown-grace-seconds', '30'], /metrics: (http:\/\/\S+)\/metrics/);
    try {
      expect((await probe(`${cli.url}/readyz`)).status).toBe(200);
      expect(await scrape(cli.url)).toMatch(/^temporal_worker_task_slots_available\{/m);
      stack.model.enqueue({ text: 'Answered while draining.', hold: 'sigterm' });
      const answer = stack.client.send(newSession('sigterm'), 'Hello');
      await stack.model.held('sigterm');

      cli.child.kill('SIGTERM');
      // At once: as soon as the process has taken the signal (within a second).
      let ready = await probe(`${cli.url}/readyz`);
      for (let tries = 0; ready.status === 200 && tries < 20; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        ready = await probe(`${cli.url}/readyz`);
      }
      expect(ready.status).toBe(503);
      expect(ready.body.checks.shutdown).toEqual({ ok: false, error: expect.stringMatching(/^draining since/) });
      expect((await probe(`${cli.url}/healthz`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await probe(`${cli.url}/readyz`)).status).toBe(503); // still draining: the call is held
      expect(cli.child.exitCode).toBeNull();

      stack.model.release('sigterm');
      expect(await cli.exit).toBe(0);
      expect(cli.output()).toMatch(/"activityType":"callModel".*"msg":"model call completed"/);
      // The turn goes on with the next worker: the model's answer was not lost.
      worker = await stack.startWorker();
      await expect(answer).resolves.toMatchObject({ reply: 'Answered while draining.' });
    } finally {
      cli.child.kill('SIGKILL');
      if ((await worker.health.live()).status !== 'ok') worker = await stack.startWorker();
    }
  });

  test('serve drains: a request in flight finishes, new connections are refused, and it exits 0', async () => {
    const cli = await startCli(['serve', '--port', '0'], /listening on (http:\/\/\S+)/);
    try {
      expect((await probe(`${cli.url}/readyz`)).status).toBe(200);
      stack.model.enqueue({ text: 'Finished during the drain.', hold: 'serve-drain' });
      const session = newSession('serve-drain');
      const inFlight = fetch(`${cli.url}/v1/sessions/${encodeURIComponent(session)}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Hello' }),
      });
      await stack.model.held('serve-drain');

      cli.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(fetch(`${cli.url}/readyz`)).rejects.toThrow();
      stack.model.release('serve-drain');
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(await answered.json()).toMatchObject({ reply: 'Finished during the drain.' });
      expect(await cli.exit).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
