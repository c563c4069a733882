/**
 * The HTTP API: JSON in and out over the client library, with the library's error types and fitting
 * status codes, an optional bearer token, and bodies of at most 1 MiB (a message, which may carry
 * images and files, up to 32 MiB by default). Bad input is a 4xx with the reason and changes nothing.
 * The chat page is served at `/`. Other web pages cannot drive it (see request-guard.ts): state-changing
 * requests are JSON only (415), another site's Origin is a 403 unless allowed, and a path never
 * names another session than the one it spells.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionsClient } from '../client/sessions-client';
import { HttpError } from './http-errors';
import { InvalidInputError } from '../shared/errors';
import { findRoute, MESSAGES_ROUTE } from './routes';
import { EventStreamAnswer, sendEventStream } from './event-stream';
import { chatPageFile } from './chat-page';
import { bearerTokenCheck } from '../codec/bearer-token';
import type { Logger } from '../logging/logger';
import { RequestLog } from './request-log';
import { answerProbe } from '../telemetry/exposition';
import type { Probes } from '../telemetry/health';
import { ServerDrain } from './drain';
import { checkContentType, CORS_HEADERS, CORS_METHODS, isLoopbackName, pathSegments, rawPath, RequestGuard } from './request-guard';
import { inRequestSpan, type RequestSpan } from '../telemetry/http-spans';

/** The largest request body, in bytes (but for messages). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The largest message body by default, in bytes: room for a 20 MB image as a data URL (base64 is 4/3 of it). */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Where and how the server listens. */
export interface HttpServerOptions {
  client: SessionsClient;
  port?: number;
  host?: string;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Gets one line per request (method, route, status, duration, session and message ids, the error's
   * type; a 5xx with the error); nothing is logged when absent.
   */
  logger?: Logger;
  /** The largest body of `POST /v1/sessions/:id/messages`, in bytes (DEFAULT_MAX_MESSAGE_BYTES when absent). */
  maxMessageBytes?: number;
  /**
   * Origins (`https://app.example.com`) whose pages may call the API besides the server's own, with
   * CORS; requests from any other site are refused (403).
   */
  allowedOrigins?: readonly string[];
  /**
   * Answers `GET /healthz`, `/readyz` and `/metrics` with these probes, without the bearer token
   * (Kubernetes and Prometheus send none); 404 when absent.
   */
  probes?: Probes;
}

/** A listening server. */
export interface RunningHttpServer {
  url: string;
  /** Whether it listens on a loopback address only (127.0.0.1, ::1). */
  loopback: boolean;
  close(): Promise<void>;
  /**
   * Stops gracefully: accepts no new connection, ends open event streams (clients resume with
   * Last-Event-ID), lets requests in flight finish within `graceMs`, then cuts what is left. Resolves
   * true when everything finished in time.
   */
  drain(graceMs: number): Promise<boolean>;
}

/** Starts the HTTP API; resolves once it listens. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const authorized = bearerTokenCheck(options.token);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const messageLimit: BodyLimit = {
    bytes: maxMessageBytes,
    raise: 'raise it with `serve --max-message-bytes N` (or AGENT_SESSIONS_MAX_MESSAGE_BYTES)',
  };
  const otherLimit: BodyLimit = { bytes: MAX_BODY_BYTES, raise: 'this route takes no more; images and files go in messages (POST /v1/sessions/:id/messages)' };
  let loopback = true;
  const drain = new ServerDrain();
  let guard: RequestGuard;
  try {
    guard = new RequestGuard(options.allowedOrigins ?? [], () => loopback);
  } catch (error) {
    throw new InvalidInputError((error as Error).message);
  }
  const server = createServer((request, response) => {
    // The raw target, not a URL's pathname: a URL resolves `.` and `..` and would answer another route.
    const pathname = rawPath(request.url ?? '/');
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const log = new RequestLog(options.logger, request.method, pathname);
    drain.answering(response);
    response.once('close', () => log.write(response.statusCode));
    inRequestSpan(request, response, pathname, (span) => void answer(request, response, pathname, query, log, span).catch(() => response.destroy()));
  });

  async function answer(request: IncomingMessage, response: ServerResponse, pathname: string, query: URLSearchParams, log: RequestLog, span: RequestSpan): Promise<void> {
    try {
      guard.checkHost(request.headers);
      const method = request.method ?? 'GET';
      if (options.probes && (await answerProbe(method, pathname, response, options.probes))) return log.probed(pathname);
      const page = method === 'GET' ? await chatPageFile(pathname) : undefined;
      if (page) {
        response.writeHead(200, { 'content-type': page.type, 'content-length': page.body.length, 'x-content-type-options': 'nosniff' });
        response.end(page.body);
        return;
      }
      if (method === 'OPTIONS') {
        response.setHeader('vary', 'Origin');
        const allowed = guard.checkOrigin(request.headers);
        if (allowed) {
          response.setHeader('access-control-allow-origin', allowed);
          response.setHeader('access-control-allow-methods', CORS_METHODS);
          response.setHeader('access-control-allow-headers', CORS_HEADERS);
          response.setHeader('access-control-max-age', '600');
        }
        response.writeHead(204, { allow: `${CORS_METHODS}, OPTIONS` });
        response.end();
        return;
      }
      response.setHeader('vary', 'Origin');
      const corsOrigin = guard.checkOrigin(request.headers);
      if (corsOrigin) response.setHeader('access-control-allow-origin', corsOrigin);
      if (!authorized(request.headers.authorization)) {
        response.setHeader('www-authenticate', 'Bearer');
        throw new HttpError(401, 'Unauthorized', 'send Authorization: Bearer <token> (the token the server was started with)');
      }
      const found = findRoute(method, pathSegments(pathname));
      if ('missing' in found) {
        throw found.missing === 404
          ? new HttpError(404, 'NotFound', `no route ${pathname}; see the README's HTTP API section`)
          : new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on ${pathname}`);
      }
      log.routed(found.route.path, found.params);
      span.routed(found.route.path);
      checkContentType(method, request.headers);
      const body = await readJson(request, found.route.path === MESSAGES_ROUTE ? messageLimit : otherLimit);
      const gone = new AbortController();
      response.once('close', () => gone.abort());
      const input = { client: options.client, params: found.params, query, body, headers: request.headers, signal: gone.signal };
      const answer = await found.route.run(input);
      if (answer instanceof EventStreamAnswer) {
        drain.streaming(response);
        await sendEventStream(response, answer, log);
      } else {
        log.answered(answer);
        send(response, 200, answer);
      }
    } catch (error) {
      const { status, body } = log.failed(error);
      send(response, status, body);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  loopback = isLoopbackName(address.address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    loopback,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    drain: (graceMs) => drain.drain(server, graceMs),
  };
}

/** How large a route's body may be, and what to do about a larger one. */
interface BodyLimit {
  bytes: number;
  raise: string;
}

/** The request's JSON body (undefined when empty); 413 past the route's limit (said before reading when announced), 400 when it is not JSON. */
async function readJson(request: IncomingMessage, limit: BodyLimit): Promise<unknown> {
  const tooLarge = () => new HttpError(413, 'PayloadTooLarge', `the body passed the limit of ${limit.bytes} bytes for this route; ${limit.raise}`);
  const announced = Number(request.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit.bytes) {
    request.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit.bytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'InvalidInputError', `the body is not JSON: ${(error as Error).message}`);
  }
}

function send(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? null);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
