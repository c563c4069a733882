/**
 * Server-sent events for a streamed turn: each event with its offset as the SSE id (a client that
 * reconnects sends it back as Last-Event-ID), its type as the SSE event name and itself as JSON data;
 * a failed turn ends with an `error` event carrying the same JSON as an error response.
 */
import type { ServerResponse } from 'node:http';
import type { StreamEvent } from '../shared/stream';
import type { ErrorBody } from './http-errors';

/**
 * What a stream writes to its request's log line (the `RequestLog` of `request-log.ts`, named here by
 * its shape so this module does not import the log, which imports the routes, which import this).
 */
export interface StreamLog {
  answered(value: unknown): void;
  failed(error: unknown): { status: number; body: ErrorBody };
}

/** A route's answer that is sent as an event stream rather than as one JSON body. */
export class EventStreamAnswer {
  constructor(readonly events: AsyncGenerator<StreamEvent>) {}
}

/** How often an idle stream sends a comment, so proxies keep it open. */
const KEEP_ALIVE_MS = 15_000;

/** Whether the request's Accept header asks for server-sent events. */
export function wantsEventStream(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((type) => type.trim().split(';')[0].trim().toLowerCase() === 'text/event-stream');
}

/**
 * Sends the events until the last, or until the client goes away (the route's signal then ends the
 * events; the turn itself runs on). The first event is taken before the status is sent, so a message
 * the session refuses is still a JSON error with its status. The request's log line gets the message id
 * of the `started` event, and the type of an error that ends the stream.
 */
export async function sendEventStream(response: ServerResponse, answer: EventStreamAnswer, log: StreamLog): Promise<void> {
  const events = answer.events;
  const first = await events.next();
  log.answered(first.value);
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  let gone = false;
  response.once('close', () => (gone = true));
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  try {
    if (!first.done) response.write(frame(first.value));
    for (;;) {
      const next = await events.next();
      if (next.done || gone) break;
      response.write(frame(next.value));
    }
  } catch (error) {
    const { status, body } = log.failed(error);
    if (!gone) response.write(`event: error\ndata: ${JSON.stringify({ status, ...body })}\n\n`);
  } finally {
    clearInterval(keepAlive);
    response.end();
  }
}

/** One event in the SSE wire format (JSON never holds a raw line break, so one data line suffices). */
function frame(event: StreamEvent): string {
  const id = 'offset' in event ? `id: ${event.offset}\n` : '';
  return `${id}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
