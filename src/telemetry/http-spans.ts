/**
 * A server span per HTTP request (`POST /v1/sessions/:id/messages`), continuing the caller's trace when
 * the request carries W3C `traceparent`. Attributes follow the HTTP semantic conventions; no body, query
 * or header values are recorded. A no-op without a tracer provider.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

/** The span of one request, named for its route once the route is known. */
export interface RequestSpan {
  /** Names the span for the matched route template (`/v1/sessions/:id/messages`). */
  routed(route: string): void;
}

/**
 * Runs `handle` in a server span for `request`; the span ends when the response closes, with its status
 * code (5xx is an error; 4xx is the client's).
 */
export function inRequestSpan<T>(request: IncomingMessage, response: ServerResponse, path: string, handle: (span: RequestSpan) => T): T {
  const method = request.method ?? 'GET';
  const parent = propagation.extract(context.active(), request.headers);
  const span = trace
    .getTracer('agent-sessions')
    .startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path, 'url.scheme': 'http', ...userAgent(request) } }, parent);
  response.once('close', () => ended(span, response));
  const named: RequestSpan = {
    routed: (route) => {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
    },
  };
  return context.with(trace.setSpan(parent, span), () => handle(named));
}

function ended(span: Span, response: ServerResponse): void {
  span.setAttribute('http.response.status_code', response.statusCode);
  if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  if (!response.writableFinished) span.setAttribute('error.type', 'aborted');
  span.end();
}

function userAgent(request: IncomingMessage): Record<string, string> {
  const agent = request.headers['user-agent'];
  return agent ? { 'user_agent.original': agent } : {};
}
