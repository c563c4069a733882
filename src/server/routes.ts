/** The HTTP API's routes: each a method, a path with `:params`, and what it asks of the client library. */
import type { IncomingHttpHeaders } from 'node:http';
import { invalidInput, parseOrFail } from '../shared/parse';
import type { z } from 'zod';
import type { MessageInput, SessionsClient } from '../client/sessions-client';
import { InvalidInputError } from '../shared/errors';
import { ContextBody, DecisionBody, ItemsQuery, LabelsBody, LastEventId, ListQuery, MessageBody, OperationBody } from './bodies';
import { EventStreamAnswer, wantsEventStream } from './event-stream';

/** What a route gets: the client, the decoded path parameters, the query and the parsed JSON body. */
export interface RouteInput {
  client: SessionsClient;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingHttpHeaders;
  /** Aborted when the client goes away (a stream stops following the turn; the turn runs on). */
  signal: AbortSignal;
}

/** One route. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path with its `:params`, as written (what the log says). */
  path: string;
  /** Path segments; a segment starting with `:` is a parameter. */
  segments: string[];
  /** The answer (sent as JSON with status 200, or as server-sent events). */
  run(input: RouteInput): Promise<unknown>;
}

/** The route that sends a message: its answers carry the message id. */
export const MESSAGES_ROUTE = '/v1/sessions/:id/messages';

function route(method: Route['method'], path: string, run: Route['run']): Route {
  return { method, path, segments: path.split('/').filter(Boolean), run };
}

/** Parses a body or query, or throws InvalidInputError with the reason (a 400). */
function parse<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.infer<Schema> {
  return parseOrFail(schema, value ?? {}, `invalid ${what}`, invalidInput);
}

/** A query string as an object: repeated `label` keys become an array, others keep their last value. */
function queryObject(query: URLSearchParams): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) object[key] = key === 'label' ? query.getAll(key) : query.get(key);
  return object;
}

/** Every route of `/v1`. */
export const ROUTES: Route[] = [
  route('GET', '/v1/sessions', ({ client, query }) => client.list(parse(ListQuery, queryObject(query), 'query'))),
  route('GET', '/v1/sessions/:id', ({ client, params }) => client.status(params.id)),
  route('DELETE', '/v1/sessions/:id', async ({ client, params, body }) => {
    await client.deleteSession(params.id, parse(OperationBody, body, 'body'));
    return { deleted: params.id };
  }),
  route('POST', MESSAGES_ROUTE, async ({ client, params, body, headers, signal }) => {
    const { start, ...fields } = parse(MessageBody, body, 'message');
    // The library checks the input (parts or items, data URLs, sizes) and says what is wrong.
    const message = fields as Exclude<MessageInput, string>;
    if (!wantsEventStream(headers.accept)) return client.send(params.id, message, start ?? {});
    const after = parse(LastEventId, headers['last-event-id'] ?? '0', 'Last-Event-ID header');
    if (after > 0 && !message.id) throw new InvalidInputError('Last-Event-ID resumes a stream: send the same message with the id the `started` event gave');
    return new EventStreamAnswer(client.stream(params.id, message, { ...(start ?? {}), after, signal }));
  }),
  route('GET', '/v1/sessions/:id/items', async ({ client, params, query }) => ({
    items: await client.items(params.id, parse(ItemsQuery, queryObject(query), 'query')),
  })),
  route('GET', '/v1/sessions/:id/context', ({ client, params }) => client.context(params.id)),
  route('PATCH', '/v1/sessions/:id/context', ({ client, params, body }) => {
    const { patch, id } = parse(ContextBody, body, 'context patch');
    return client.updateContext(params.id, patch, { id });
  }),
  route('PATCH', '/v1/sessions/:id/labels', ({ client, params, body }) => {
    const { labels, id } = parse(LabelsBody, body, 'labels');
    return client.updateLabels(params.id, labels, { id });
  }),
  route('POST', '/v1/sessions/:id/pop', async ({ client, params, body }) => ({ item: await client.popItem(params.id, parse(OperationBody, body, 'body')) })),
  route('POST', '/v1/sessions/:id/clear', async ({ client, params, body }) => {
    await client.clearSession(params.id, parse(OperationBody, body, 'body'));
    return { cleared: params.id };
  }),
  route('GET', '/v1/sessions/:id/approvals', async ({ client, params }) => ({ approvals: await client.pendingApprovals(params.id) })),
  route('POST', '/v1/sessions/:id/approvals/:callId', ({ client, params, body }) => {
    const { approved, ...options } = parse(DecisionBody, body, 'decision');
    return approved ? client.approve(params.id, params.callId, options) : client.reject(params.id, params.callId, options);
  }),
  route('GET', '/v1/sessions/:id/usage', ({ client, params }) => client.usage(params.id)),
  route('GET', '/v1/sessions/:id/export', ({ client, params }) => client.exportSession(params.id)),
];

/** The route for a method and decoded path segments, with its parameters; or why there is none (404, 405). */
export function findRoute(method: string, segments: string[]): { route: Route; params: Record<string, string> } | { missing: 404 | 405 } {
  let pathMatched = false;
  for (const candidate of ROUTES) {
    if (candidate.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = candidate.segments.every((segment, index) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = segments[index];
        return true;
      }
      return segment === segments[index];
    });
    if (!matches) continue;
    pathMatched = true;
    if (candidate.method === method) return { route: candidate, params };
  }
  return { missing: pathMatched ? 405 : 404 };
}
