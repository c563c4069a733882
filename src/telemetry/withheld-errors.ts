/**
 * A span processor that keeps error text out of exported spans: an error's message can quote what a
 * user or a tool said, and Temporal's interceptors record each failed activity or update as an
 * `exception` event with its message and stack. With encryption on, spans keep the error's type only.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What stands where an error's text was. */
export const WITHHELD_ERROR_TEXT = '[withheld: payloads are encrypted]';

/** Hands `inner` each span with exception events reduced to `exception.type` and the status message withheld. */
export class WithheldErrorText implements SpanProcessor {
  constructor(private readonly inner: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.inner.onEnd(withheld(span));
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** The span as exported: the same span, but no exception message or stack and no status message. */
function withheld(span: ReadableSpan): ReadableSpan {
  const events = span.events.map((event) => (event.name === 'exception' ? { ...event, attributes: { 'exception.type': event.attributes?.['exception.type'] ?? 'Error' } } : event));
  const status = span.status.message ? { ...span.status, message: WITHHELD_ERROR_TEXT } : span.status;
  return Object.create(span, { events: { value: events }, status: { value: status } }) as ReadableSpan;
}
