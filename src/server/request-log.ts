/**
 * The log line of one HTTP request, filled in while it is answered and written when the response
 * closes: method, route, status, duration, the session and message ids, and the error's type. Never a
 * body, a header or the query string, so no token and no user text.
 */
import type { Logger } from '../logging/logger';
import { errorResponse, type ErrorBody } from './http-errors';
import { MESSAGES_ROUTE } from './routes';
import { startHttpRequest } from '../telemetry/metrics';

/** One request's log line in the making. */
export class RequestLog {
  private readonly started = performance.now();
  private readonly fields: Record<string, unknown>;
  private serverError: unknown;
  private sendsMessage = false;
  /** The route pattern for metrics (`other` for chat page files and unknown paths). */
  private route = 'other';
  /** A probe's line is written at debug: Kubernetes asks every few seconds. */
  private quiet = false;
  private readonly observe: (route: string, status: number) => void;

  constructor(
    private readonly logger: Logger | undefined,
    method: string | undefined,
    path: string,
  ) {
    this.fields = { method, path };
    this.observe = startHttpRequest(method);
  }

  /** Notes a probe or metrics request (`/healthz`, `/readyz`, `/metrics`): counted under its path, logged at debug. */
  probed(path: string): void {
    this.route = path;
    this.quiet = true;
  }

  /** Notes the route the request matched (its pattern replaces the path) and the session it names. */
  routed(route: string, params: Record<string, string>): void {
    delete this.fields.path;
    Object.assign(this.fields, { route, sessionId: params.id });
    this.route = route;
    this.sendsMessage = route === MESSAGES_ROUTE;
  }

  /**
   * Notes the message id of a message's answer (a turn's result, or a stream's `started` event); other
   * answers (a context, say) are never read, so none of their values reaches the line.
   */
  answered(value: unknown): void {
    if (!this.sendsMessage) return;
    const messageId = (value as { messageId?: unknown } | null | undefined)?.messageId;
    if (typeof messageId === 'string') this.fields.messageId = messageId;
  }

  /** The status and body that answer an error; its type is noted, and the error itself when the server failed (5xx). */
  failed(error: unknown): { status: number; body: ErrorBody } {
    const answer = errorResponse(error);
    const { type, failureType } = answer.body.error;
    Object.assign(this.fields, { errorType: type, failureType });
    if (answer.status >= 500) this.serverError = error;
    return answer;
  }

  /** Writes the line (at error level when the server failed, debug for a probe, info otherwise) and counts the request in the metrics. */
  write(status: number): void {
    this.observe(this.route, status);
    if (!this.logger) return;
    const line = { ...this.fields, status, durationMs: Math.round(performance.now() - this.started) };
    if (this.serverError === undefined) this.logger[this.quiet ? 'debug' : 'info'](line, 'HTTP request');
    else this.logger.error({ ...line, err: this.serverError }, 'HTTP request');
  }
}
