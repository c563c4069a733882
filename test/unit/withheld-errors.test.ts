/** With encryption on, spans keep an error's type but never its message or stack (they can quote a user), as the logs do. */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/telemetry/tracing';
import { WITHHELD_ERROR_TEXT } from '../../src/telemetry/withheld-errors';

let spans: InMemorySpanExporter;
beforeEach(() => (spans = new InMemorySpanExporter())); // a shut-down exporter takes no more spans

/** Ends one span as Temporal's interceptors end a failed activity: an exception event and an ERROR status with the message. */
function failedSpan(): void {
  const span = trace.getTracer('test').startSpan('RunActivity:callTool', { attributes: { temporalActivityId: '7' } });
  const error = new TypeError('lookup failed for passport XK93-1122');
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.end();
}

test('a process with encryption keys exports exceptions and statuses without their text', async () => {
  let span: ReadableSpan;
  process.env.AGENT_SESSIONS_ENCRYPTION_KEYS = 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
  try {
    const tracing = startTracing({ serviceName: 'withheld', spanProcessor: new SimpleSpanProcessor(spans) });
    failedSpan();
    [span] = spans.getFinishedSpans(); // before shutdown, which empties the in-memory exporter
    await tracing!.shutdown();
  } finally {
    delete process.env.AGENT_SESSIONS_ENCRYPTION_KEYS;
  }
  expect(span.name).toBe('RunActivity:callTool');
  expect(span.attributes).toEqual({ temporalActivityId: '7' });
  expect(span.events.map((event) => [event.name, event.attributes])).toEqual([['exception', { 'exception.type': 'TypeError' }]]);
  expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: WITHHELD_ERROR_TEXT });
  expect(JSON.stringify([span.events, span.status, span.attributes])).not.toContain('XK93');
});

test('without keys the error text stays (an operator reading traces needs it)', async () => {
  const tracing = startTracing({ serviceName: 'kept', spanProcessor: new SimpleSpanProcessor(spans) });
  failedSpan();
  const [span] = spans.getFinishedSpans();
  await tracing!.shutdown();
  expect(span.events[0].attributes?.['exception.message']).toBe('lookup failed for passport XK93-1122');
  expect(span.status.message).toBe('lookup failed for passport XK93-1122');
});
