/**
 * Tracing: one trace follows a message from the HTTP request through the update, the workflow, the
 * model call, the tool call and the projection write; in one process (an in-memory exporter) and across
 * the CLI's `serve` and `worker` processes (OTLP over HTTP, JSON and protobuf, to a receiver of the test's).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import protobuf from 'protobufjs';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startHttpServer, type RunningHttpServer } from '../src/server/http-server';
import { startTracing, type Tracing } from '../src/telemetry/tracing';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { startTestStack, type TestStack } from './support/stack';
import { killWorker, spawnWorker } from './support/worker-process';

jest.setTimeout(180_000);

const memory = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let stack: TestStack;
let server: RunningHttpServer;

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'tracing-test', spanProcessor: new SimpleSpanProcessor(memory) });
  stack = await startTestStack({ traced: true });
  server = await startHttpServer({ client: stack.client });
});

afterAll(async () => {
  await server?.close();
  await stack?.stop();
  await tracing?.shutdown();
});

/** A span as both kinds of export give it: ids in hex, attributes as plain values. */
interface SeenSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  attributes: Record<string, unknown>;
}

const seen = (span: ReadableSpan): SeenSpan => ({
  name: span.name,
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanId,
  service: String(span.resource.attributes['service.name']),
  attributes: { ...span.attributes },
});

/** Waits until `spans()` holds a span that `wanted` accepts, and returns them all. */
async function until(spans: () => SeenSpan[], wanted: (span: SeenSpan) => boolean, what: string): Promise<SeenSpan[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const all = spans();
    if (all.some(wanted)) return all;
    if (Date.now() > deadline) throw new Error(`no ${what} span arrived; seen: ${all.map((span) => span.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The names on the way from `span` up to the root of its trace. */
function ancestry(spans: SeenSpan[], span: SeenSpan): string[] {
  const byId = new Map(spans.map((each) => [each.spanId, each]));
  const names: string[] = [];
  for (let at: SeenSpan | undefined = span; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) names.push(at.name);
  return names;
}

const messagesRoute = 'POST /v1/sessions/:id/messages';

async function post(url: string, session: string, text: string): Promise<void> {
  const response = await fetch(`${url}/v1/sessions/${encodeURIComponent(session)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  expect(response.status).toBe(200);
}

test("a message's model and tool calls join the trace of the HTTP request that sent it, the second message's too", async () => {
  const session = 'traced:second-message';
  await post(server.url, session, 'Hello');
  const firstTurn = await until(
    () => memory.getFinishedSpans().map(seen),
    (span) => span.name === 'RunActivity:projectTurn',
    'first projection write',
  );
  const firstTrace = firstTurn.find((span) => span.name === messagesRoute)!.traceId;

  stack.model.enqueue({ toolCalls: [{ name: 'lookup_order', arguments: { order_id: '5678' } }] }, { text: 'It was delivered yesterday.' });
  await post(server.url, session, 'Where is order 5678?');
  const spans = await until(
    () => memory.getFinishedSpans().map(seen),
    (span) => span.name === 'execute_tool lookup_order',
    'tool',
  );
  const request = spans.filter((span) => span.name === messagesRoute).find((span) => span.traceId !== firstTrace)!;
  expect(request).toBeDefined();
  const trace = await until(
    () => memory.getFinishedSpans().map(seen),
    (span) => span.traceId === request.traceId && span.name === 'RunActivity:projectTurn',
    'second projection write',
  ).then((all) => all.filter((span) => span.traceId === request.traceId));

  const names = trace.map((span) => span.name);
  for (const name of [
    'UpdateWithStartWorkflow:sendMessage',
    'HandleUpdate:sendMessage',
    'StartActivity:callModel',
    'RunActivity:callModel',
    `chat ${OFFLINE_MODEL_ID}`,
    'RunActivity:callTool',
    'execute_tool lookup_order',
    'RunActivity:projectTurn',
  ]) {
    expect(names).toContain(name);
  }
  // Each is a descendant of the request (the workflow's loop runs the turn in the trace of the update that queued it).
  for (const name of [`chat ${OFFLINE_MODEL_ID}`, 'execute_tool lookup_order', 'RunActivity:projectTurn']) {
    for (const span of trace.filter((each) => each.name === name)) expect(ancestry(trace, span).at(-1)).toBe(messagesRoute);
  }
  const modelCalls = trace.filter((span) => span.name === `chat ${OFFLINE_MODEL_ID}`);
  expect(modelCalls).toHaveLength(2);
  expect(modelCalls.map((span) => span.attributes['gen_ai.response.finish_reasons'])).toEqual(expect.arrayContaining([['tool_calls'], ['stop']]));
  for (const span of modelCalls) {
    expect(span.attributes).toMatchObject({
      'gen_ai.system': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': OFFLINE_MODEL_ID,
      'gen_ai.conversation.id': session,
    });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  }
  expect(trace.find((span) => span.name === 'execute_tool lookup_order')!.attributes).toMatchObject({
    'gen_ai.tool.name': 'lookup_order',
    'gen_ai.tool.call.id': expect.any(String),
  });
  expect(trace.find((span) => span.name === messagesRoute)!.attributes).toMatchObject({ 'http.route': '/v1/sessions/:id/messages', 'http.response.status_code': 200 });

  // Message text, tool arguments and replies are not recorded unless the operator opts in.
  const recorded = JSON.stringify(memory.getFinishedSpans().map((span) => span.attributes));
  for (const text of ['Where is order 5678', 'order_id', 'delivered yesterday']) expect(recorded).not.toContain(text);
});

/** A stand-in for an OpenTelemetry collector: keeps what is POSTed to /v1/traces, JSON or protobuf. */
class OtlpReceiver {
  readonly spans: SeenSpan[] = [];
  readonly contentTypes = new Set<string>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    const decode = await protobufTraces();
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const type = String(request.headers['content-type']);
        this.contentTypes.add(type);
        const body = Buffer.concat(chunks);
        this.spans.push(...(type.includes('json') ? fromJson(JSON.parse(body.toString('utf8'))) : decode(body)));
        response.writeHead(200, { 'content-type': type.includes('json') ? 'application/json' : 'application/x-protobuf' });
        response.end(type.includes('json') ? '{}' : '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections(); // the exporters' keep-alive sockets
    });
  }
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };
interface OtlpJson {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { spans: { name: string; traceId: string; spanId: string; parentSpanId?: string; attributes?: OtlpAttribute[] }[] }[];
  }[];
}

const plain = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue]));

function fromJson(body: OtlpJson): SeenSpan[] {
  return body.resourceSpans.flatMap((resourceSpans) =>
    resourceSpans.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => ({
        name: span.name,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        service: String(plain(resourceSpans.resource.attributes)['service.name']),
        attributes: plain(span.attributes),
      })),
    ),
  );
}

/** A decoder of OTLP's ExportTraceServiceRequest, written from opentelemetry-proto (only the fields the test reads). */
async function protobufTraces(): Promise<(body: Buffer) => SeenSpan[]> {
  const root = protobuf.parse(`
    syntax = "proto3";
    message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
    message KeyValue { string key = 1; AnyValue value = 2; }
    message Resource { repeated KeyValue attributes = 1; }
    message Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; repeated KeyValue attributes = 9; }
    message ScopeSpans { repeated Span spans = 2; }
    message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
  `).root;
  const Request = root.lookupType('ExportTraceServiceRequest');
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  return (body) => {
    const request = Request.toObject(Request.decode(body), { longs: String, defaults: true }) as {
      resourceSpans: {
        resource: { attributes: OtlpAttribute[] };
        scopeSpans: { spans: { name: string; traceId: Uint8Array; spanId: Uint8Array; parentSpanId: Uint8Array; attributes: OtlpAttribute[] }[] }[];
      }[];
    };
    return fromJson({
      resourceSpans: request.resourceSpans.map((resourceSpans) => ({
        resource: resourceSpans.resource,
        scopeSpans: resourceSpans.scopeSpans.map((scope) => ({
          spans: scope.spans.map((span) => ({ ...span, traceId: hex(span.traceId), spanId: hex(span.spanId), parentSpanId: hex(span.parentSpanId) })),
        })),
      })),
    });
  };
}

/** Starts `agent-sessions serve` on a free port with `env` added; resolves with its URL once it listens. */
async function spawnServe(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'agent-sessions.js'), 'serve', '--port', '0'], {
    env: { ...process.env, TEMPORAL_ADDRESS: stack.temporal.address, DATABASE_URL: stack.db.url, AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      if (listening) resolve(listening[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${output.slice(-500)}`)));
  });
  return { child, url };
}

test('across the serve and worker processes, spans sent over OTLP (JSON from one, protobuf from the other) join one trace', async () => {
  const receiver = new OtlpReceiver();
  await receiver.start();
  await stack.stopWorkers(); // the CLI's worker alone serves the task queue
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
  let worker: ChildProcess | undefined;
  let serve: { child: ChildProcess; url: string } | undefined;
  try {
    worker = await spawnWorker(stack, stack.db.url, { ...otel, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    serve = await spawnServe({ ...otel, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    stack.model.enqueue({ toolCalls: [{ name: 'lookup_order', arguments: { order_id: '1234' } }] }, { text: 'It is on its way.' });
    await post(serve.url, 'traced:across-processes', 'Where is order 1234?');
    const spans = await until(
      () => receiver.spans,
      (span) => span.name === 'RunActivity:projectTurn',
      'projection write',
    );
    const request = (
      await until(
        () => receiver.spans,
        (span) => span.name === messagesRoute,
        'HTTP request',
      )
    ).find((span) => span.name === messagesRoute)!;
    const trace = receiver.spans.filter((span) => span.traceId === request.traceId);
    expect(request.service).toBe('agent-sessions-serve');
    for (const name of [`chat ${OFFLINE_MODEL_ID}`, 'execute_tool lookup_order', 'HandleUpdate:sendMessage', 'RunActivity:projectTurn']) {
      const span = trace.find((each) => each.name === name);
      expect(span?.service).toBe('agent-sessions-worker');
      expect(ancestry(trace, span!).at(-1)).toBe(messagesRoute);
    }
    expect(spans.length).toBeGreaterThan(0);
    expect([...receiver.contentTypes].sort()).toEqual(['application/json', 'application/x-protobuf']);
  } finally {
    serve?.child.kill('SIGTERM');
    if (worker) await killWorker(worker);
    await receiver.stop();
  }
});
