/** The spans of model and tool calls: GenAI attributes, errors by type, and message text only when content capture is on (never with encryption). */
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { inModelCallSpan, inToolCallSpan } from '../../src/telemetry/gen-ai-spans';
import { contentInSpans, type Tracing } from '../../src/telemetry/tracing';

const spans = new InMemorySpanExporter();
const provider = new BasicTracerProvider();
provider.addSpanProcessor(new SimpleSpanProcessor(spans));

beforeAll(() => provider.register());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(() => spans.reset());

const usage = { requests: 1, inputTokens: 12, outputTokens: 5, totalTokens: 17, cachedTokens: 4 };
const call = (captureContent: boolean) => ({
  api: 'responses' as const,
  model: 'gpt-5',
  baseURL: 'http://127.0.0.1:9999/v1',
  sessionId: 's:1',
  agent: 'support',
  input: () => ['the secret question'],
  captureContent,
});

test('a model call is a "chat {model}" client span with the GenAI attributes, tokens, finish reason and a first-token event', async () => {
  await inModelCallSpan(call(false), async (firstToken) => {
    firstToken();
    firstToken();
    return { usage, finishReason: 'stop', items: ['the secret answer'] };
  });
  const [span] = spans.getFinishedSpans();
  expect(span.name).toBe('chat gpt-5');
  expect(span.attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-5',
    'gen_ai.usage.input_tokens': 12,
    'gen_ai.usage.output_tokens': 5,
    'gen_ai.usage.cached_input_tokens': 4,
    'gen_ai.response.finish_reasons': ['stop'],
    'server.address': '127.0.0.1',
    'server.port': 9999,
  });
  expect(span.events.map((event) => event.name)).toEqual(['gen_ai.first_token']);
  expect(JSON.stringify(span.attributes)).not.toContain('secret');
});

test('with content capture on, the request and reply are recorded', async () => {
  await inModelCallSpan(call(true), async () => ({ usage, finishReason: 'stop', items: ['the secret answer'] }));
  const [span] = spans.getFinishedSpans();
  expect(span.attributes['gen_ai.input.messages']).toBe('["the secret question"]');
  expect(span.attributes['gen_ai.output.messages']).toBe('["the secret answer"]');
});

test('a failed model call ends its span with the failure type, never its message', async () => {
  const failure = Object.assign(new Error('the key sk-123 was refused'), { type: 'ModelRequestRejected' });
  await expect(inModelCallSpan(call(false), () => Promise.reject(failure))).rejects.toBe(failure);
  const [span] = spans.getFinishedSpans();
  expect(span.attributes['error.type']).toBe('ModelRequestRejected');
  expect(span.status).toEqual({ code: 2, message: 'ModelRequestRejected' });
  expect(JSON.stringify([span.attributes, span.events, span.status])).not.toContain('sk-123');
});

test('a tool call is an "execute_tool {tool}" span; an error output marks it failed; arguments only with content capture', async () => {
  const tool = { name: 'refund', callId: 'call_1', sessionId: 's:1', agent: 'cashier', arguments: '{"order":"A-1"}' };
  await inToolCallSpan({ ...tool, captureContent: false }, async () => ({ output: 'Error: no such order', failed: true }));
  await inToolCallSpan({ ...tool, captureContent: true }, async () => ({ output: 'Refunded', failed: false }));
  const [failed, captured] = spans.getFinishedSpans();
  expect(failed.name).toBe('execute_tool refund');
  expect(failed.attributes).toMatchObject({ 'gen_ai.tool.name': 'refund', 'gen_ai.tool.call.id': 'call_1', 'error.type': 'tool_error' });
  expect(failed.status.code).toBe(2);
  expect(failed.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
  expect(captured.attributes).toMatchObject({ 'gen_ai.tool.call.arguments': '{"order":"A-1"}', 'gen_ai.tool.call.result': 'Refunded' });
  expect(captured.status.code).toBe(0);
});

test('a worker that encrypts never puts message text in spans, even when capture is asked for', () => {
  const asked = { captureContent: true } as Tracing;
  expect(contentInSpans(asked, false)).toBe(true);
  expect(contentInSpans(asked, true)).toBe(false);
  expect(contentInSpans({ captureContent: false } as Tracing, false)).toBe(false);
  expect(contentInSpans(undefined, false)).toBe(false);
});
