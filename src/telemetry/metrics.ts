/**
 * Prometheus metrics of a process (the worker, `serve`): one prom-client registry, every name prefixed
 * `agent_sessions_`, Node's default process metrics beside them, and small functions the instrumented
 * code calls (`recordTurn`, `recordModelCall`, `recordToolCall`, …). Labels are names a deployment
 * declares (agents, tools, models, routes, failure types), never session ids, user ids or text, so the
 * number of series stays bounded. The registry is made on first use: a process that never records or
 * scrapes pays nothing.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readBacklogs } from './task-queue-backlog';
import { errorTypeOf } from './error-type';

/** The prefix of every metric this project defines (Node's default metrics keep their usual names). */
export const METRIC_PREFIX = 'agent_sessions_';

/** How a turn ended: answered, failed (with a failure type), or paused for a human's approval. */
export type TurnOutcome = 'completed' | 'failed' | 'paused';

/**
 * How a tool call attempt ended: `ok`; `error_output` (the model gets an error as the output: invalid
 * arguments, an unknown tool, or the tool answered with a failure); `failed` (it threw: Temporal retries it).
 */
export type ToolOutcome = 'ok' | 'error_output' | 'failed';

/** Token kinds counted by `agent_sessions_tokens_total`. */
export type TokenKind = 'input' | 'output' | 'cached_input' | 'reasoning';

/** Where an error was counted: an operation's outcome (in the worker), one activity attempt (retried by Temporal), or a call of the client library (by error class). */
export type ErrorScope = 'operation' | 'activity' | 'client';

/** Bucket bounds in seconds, from a fast call to a long agent turn. */
const TURN_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];
const MODEL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const FIRST_TOKEN_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const TOOL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The metrics of one process, in one registry. */
class SessionMetrics {
  readonly registry = new Registry();
  private readonly name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;
  /** Waiting approval counts by session, from the pauses and resumptions this process saw. */
  readonly waiting = new Map<string, number>();

  readonly turns = new Counter({
    name: this.name('turns_total'),
    help: 'Turns that ended, by agent and outcome (completed, failed, paused for approval).',
    labelNames: ['agent', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly turnDuration = new Histogram({
    name: this.name('turn_duration_seconds'),
    help: 'How long a turn ran, from its start (or resumption after approvals) to its end or pause, in workflow time.',
    labelNames: ['agent', 'outcome'] as const,
    buckets: TURN_BUCKETS,
    registers: [this.registry],
  });
  readonly modelCalls = new Counter({
    name: this.name('model_calls_total'),
    help: 'Model calls (one request each, retries included), by model, API and outcome (ok, error).',
    labelNames: ['model', 'api', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly modelDuration = new Histogram({
    name: this.name('model_call_duration_seconds'),
    help: 'How long one model request took, to the end of its answer.',
    labelNames: ['model', 'api'] as const,
    buckets: MODEL_BUCKETS,
    registers: [this.registry],
  });
  readonly firstToken = new Histogram({
    name: this.name('model_time_to_first_token_seconds'),
    help: 'How long a streamed model request took to its first text delta.',
    labelNames: ['model', 'api'] as const,
    buckets: FIRST_TOKEN_BUCKETS,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: this.name('tokens_total'),
    help: 'Tokens the model endpoint reported, by model and kind (input, output, cached_input, reasoning).',
    labelNames: ['model', 'kind'] as const,
    registers: [this.registry],
  });
  readonly toolCalls = new Counter({
    name: this.name('tool_calls_total'),
    help: 'Tool call attempts by tool and outcome (ok; error_output: the model got an error as the output; failed: the tool threw and Temporal retries it).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly toolDuration = new Histogram({
    name: this.name('tool_call_duration_seconds'),
    help: 'How long one tool call attempt took.',
    labelNames: ['tool'] as const,
    buckets: TOOL_BUCKETS,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: this.name('errors_total'),
    help: 'Failures by failure type: scope="operation" for what a caller saw (a failed turn or operation), scope="activity" for one attempt of an activity (Temporal retries it).',
    labelNames: ['type', 'scope'] as const,
    registers: [this.registry],
  });
  readonly sentMessages = new Counter({
    name: this.name('client_turns_total'),
    help: 'Messages this process sent through the client library (serve, an application) and how their turns ended for the caller: completed, or failed (its error class in errors_total, scope="client").',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly sentMessageDuration = new Histogram({
    name: this.name('client_turn_duration_seconds'),
    help: 'How long a caller waited from sending a message to its turn result, queueing behind other operations included.',
    labelNames: ['outcome'] as const,
    buckets: TURN_BUCKETS,
    registers: [this.registry],
  });
  readonly rollovers = new Counter({
    name: this.name('rollovers_total'),
    help: 'Sessions that continued as new (a run handing its snapshot to the next).',
    registers: [this.registry],
  });
  readonly approvalsWaiting: Gauge = new Gauge({
    name: this.name('approvals_waiting'),
    help: 'Tool calls waiting for a human decision in turns this worker paused (sum over workers for the deployment).',
    registers: [this.registry],
    collect: () => this.approvalsWaiting.set([...this.waiting.values()].reduce((sum, count) => sum + count, 0)),
  });
  readonly httpRequests = new Counter({
    name: this.name('http_requests_total'),
    help: 'HTTP requests `serve` answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: this.name('http_request_duration_seconds'),
    help: 'How long `serve` took to answer a request (a streamed message: until its stream ended).',
    labelNames: ['method', 'route'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  readonly httpInFlight = new Gauge({
    name: this.name('http_requests_in_flight'),
    help: 'HTTP requests `serve` is answering now (open event streams included).',
    registers: [this.registry],
  });

  readonly backlog: Gauge<'task_queue' | 'type'> = new Gauge({
    name: this.name('task_queue_backlog'),
    help: 'Tasks waiting for a worker on the task queue, as Temporal reports it (read at scrape time, cached 5 s), by queue and type (workflow, activity).',
    labelNames: ['task_queue', 'type'] as const,
    registers: [this.registry],
    collect: async () => {
      this.backlog.reset();
      for (const reading of await readBacklogs()) this.backlog.set({ task_queue: reading.taskQueue, type: reading.type }, reading.tasks);
    },
  });
  readonly backlogAge: Gauge<'task_queue' | 'type'> = new Gauge({
    name: this.name('task_queue_backlog_age_seconds'),
    help: 'How long the oldest task waiting on the task queue has waited, by queue and type.',
    labelNames: ['task_queue', 'type'] as const,
    registers: [this.registry],
    collect: async () => {
      this.backlogAge.reset();
      for (const reading of await readBacklogs()) this.backlogAge.set({ task_queue: reading.taskQueue, type: reading.type }, reading.ageSeconds);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

let metrics: SessionMetrics | undefined;

/** The process's metrics, made on first use. */
export function sessionMetrics(): SessionMetrics {
  return (metrics ??= new SessionMetrics());
}

/** The process's registry (for a test, or to register metrics of one's own beside these). */
export function metricsRegistry(): Registry {
  return sessionMetrics().registry;
}

/** A label value for a name that may be absent. */
const named = (value: string | undefined) => (value && value.length > 0 ? value : 'unknown');

/** Counts an ended (or paused) turn and observes its duration; a failed one counts its failure type too. */
export function recordTurn(turn: { agent: string | undefined; outcome: TurnOutcome; durationSeconds: number; failureType?: string }): void {
  const m = sessionMetrics();
  const labels = { agent: named(turn.agent), outcome: turn.outcome };
  m.turns.inc(labels);
  m.turnDuration.observe(labels, Math.max(0, turn.durationSeconds));
  if (turn.outcome === 'failed') recordError({ type: turn.failureType ?? 'TurnFailed', scope: 'operation' });
}

/**
 * Times a message sent through the client library until its turn result (or error): counted by
 * outcome, and a failure by its error class in errors_total (scope client).
 */
export async function timedSentMessage<T>(send: () => Promise<T>): Promise<T> {
  const m = sessionMetrics();
  const started = performance.now();
  const observe = (outcome: 'completed' | 'failed') => {
    m.sentMessages.inc({ outcome });
    m.sentMessageDuration.observe({ outcome }, (performance.now() - started) / 1000);
  };
  try {
    const result = await send();
    observe('completed');
    return result;
  } catch (error) {
    observe('failed');
    recordError({ type: error instanceof Error ? error.name : 'Error', scope: 'client' });
    throw error;
  }
}

/** Counts one failure of this type (see ErrorScope). */
export function recordError(error: { type: string; scope: ErrorScope }): void {
  sessionMetrics().errors.inc({ type: named(error.type), scope: error.scope });
}

/** Counts a session continuing as new. */
export function recordRollover(): void {
  sessionMetrics().rollovers.inc();
}

/** Notes that a session's turn paused with `count` tool calls waiting for decisions (replacing what it waited for before). */
export function recordApprovalsWaiting(sessionId: string, count: number): void {
  const waiting = sessionMetrics().waiting;
  if (count > 0) waiting.set(sessionId, count);
  else waiting.delete(sessionId);
}

/** Notes that a session's paused turn resumed or ended: nothing of it waits any more. */
export function recordApprovalsSettled(sessionId: string): void {
  sessionMetrics().waiting.delete(sessionId);
}

/** Token counts of one model reply (absent kinds count nothing). */
export interface TokenCounts {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

/**
 * Counts one model request and observes its duration (and time to first token when it streamed); an
 * answer counts its tokens by kind, a failure its failure type (scope activity).
 */
export function recordModelCall(call: { model: string; api: string; durationSeconds: number; timeToFirstTokenSeconds?: number; usage?: TokenCounts; failureType?: string }): void {
  const m = sessionMetrics();
  const labels = { model: named(call.model), api: named(call.api) };
  m.modelCalls.inc({ ...labels, outcome: call.failureType === undefined ? 'ok' : 'error' });
  m.modelDuration.observe(labels, Math.max(0, call.durationSeconds));
  if (call.timeToFirstTokenSeconds !== undefined) m.firstToken.observe(labels, Math.max(0, call.timeToFirstTokenSeconds));
  if (call.failureType !== undefined) recordError({ type: call.failureType, scope: 'activity' });
  const usage = call.usage ?? {};
  const kinds: Array<[TokenKind, number | undefined]> = [
    ['input', usage.inputTokens],
    ['output', usage.outputTokens],
    ['cached_input', usage.cachedInputTokens],
    ['reasoning', usage.reasoningTokens],
  ];
  for (const [kind, count] of kinds) if (count !== undefined && count > 0) m.tokens.inc({ model: labels.model, kind }, count);
}

/** Counts one tool call attempt by outcome and observes its duration; a tool that threw counts its error type (scope activity). */
export function recordToolCall(call: { tool: string; outcome: ToolOutcome; durationSeconds: number; errorType?: string }): void {
  const m = sessionMetrics();
  m.toolCalls.inc({ tool: named(call.tool), outcome: call.outcome });
  m.toolDuration.observe({ tool: named(call.tool) }, Math.max(0, call.durationSeconds));
  if (call.outcome === 'failed') recordError({ type: call.errorType ?? 'ToolFailed', scope: 'activity' });
}

/**
 * Starts timing one HTTP request (in flight until the returned function is called with its route
 * pattern, or `unmatched`, and status).
 */
export function startHttpRequest(method: string | undefined): (route: string, status: number) => void {
  const m = sessionMetrics();
  const started = performance.now();
  m.httpInFlight.inc();
  let ended = false;
  return (route, status) => {
    if (ended) return;
    ended = true;
    m.httpInFlight.dec();
    const labels = { method: method ?? 'GET', route };
    m.httpRequests.inc({ ...labels, status: String(status) });
    m.httpDuration.observe(labels, (performance.now() - started) / 1000);
  };
}

/**
 * Runs one model request and records it (`recordModelCall`): its duration, its time to first token (when
 * the request calls the `firstToken` it is given), its tokens, or its failure type when it throws.
 */
export async function timedModelCall<Reply extends { usage?: { inputTokens?: number; outputTokens?: number; cachedTokens?: number; reasoningTokens?: number } }>(
  call: { model: string; api: string },
  request: (firstToken: () => void) => Promise<Reply>,
): Promise<Reply> {
  const started = performance.now();
  let firstTokenSeconds: number | undefined;
  const firstToken = () => {
    firstTokenSeconds ??= (performance.now() - started) / 1000;
  };
  const durationSeconds = () => (performance.now() - started) / 1000;
  try {
    const reply = await request(firstToken);
    const usage = reply.usage ?? {};
    recordModelCall({
      ...call,
      durationSeconds: durationSeconds(),
      timeToFirstTokenSeconds: firstTokenSeconds,
      usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, cachedInputTokens: usage.cachedTokens, reasoningTokens: usage.reasoningTokens },
    });
    return reply;
  } catch (error) {
    recordModelCall({ ...call, durationSeconds: durationSeconds(), timeToFirstTokenSeconds: firstTokenSeconds, failureType: errorTypeOf(error) });
    throw error;
  }
}

/** Runs one tool call attempt and records it (`recordToolCall`): ok, an error output (`failed: true` in its result), or thrown. */
export async function timedToolCall<Result extends { failed?: boolean }>(tool: string, run: () => Promise<Result>): Promise<Result> {
  const started = performance.now();
  const durationSeconds = () => (performance.now() - started) / 1000;
  try {
    const result = await run();
    recordToolCall({ tool, outcome: result.failed ? 'error_output' : 'ok', durationSeconds: durationSeconds() });
    return result;
  } catch (error) {
    recordToolCall({ tool, outcome: 'failed', durationSeconds: durationSeconds(), errorType: errorTypeOf(error) });
    throw error;
  }
}
