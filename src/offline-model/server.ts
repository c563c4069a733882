import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ChatRequest, type AssistantReply } from './protocol';
import { respond } from './responder';
import { ScriptStep } from './script';
import { modelList, renderChunks, renderCompletion, wireError, type WireError } from './wire';

/** How a streamed answer is paced, or cut short. */
interface StreamPacing {
  chunkDelayMs?: number;
  dropAfterChunks?: number;
  endAfterChunks?: number;
}

/** The part of `stream_options` the server reads. */
const StreamOptions = z.object({ include_usage: z.boolean().optional() });

/** Where the offline model listens; port 0 (the default) picks a free port. */
export interface OfflineModelOptions {
  port?: number;
  host?: string;
  /** Milliseconds between the chunks of a streamed answer (0 when absent); a script step may set its own. */
  chunkDelayMs?: number;
}

/** A running offline, deterministic, OpenAI-compatible Chat Completions server. */
export interface OfflineModel {
  /** The base URL for `new OpenAI({ baseURL })`, e.g. `http://127.0.0.1:41234/v1`. */
  readonly baseURL: string;
  /** Every valid body received on `POST /v1/chat/completions`, in arrival order. */
  readonly requests: ChatRequest[];
  /** Queues scripted responses, one per chat request; the rule-based responder answers once they run out. */
  enqueue(...steps: ScriptStep[]): void;
  /** Forgets the queued steps and the recorded requests. */
  reset(): void;
  /** Stops listening and drops every open connection, hanging requests included. */
  close(): Promise<void>;
}

/**
 * Starts the offline model over real HTTP. Routes: `POST /v1/chat/completions` (whole, or as SSE chunks with
 * `stream: true`), `GET /v1/models`; anything else, and bodies that are not JSON or not a chat request, get
 * OpenAI-style errors.
 */
export async function startOfflineModel(options: OfflineModelOptions = {}): Promise<OfflineModel> {
  const host = options.host ?? '127.0.0.1';
  const requests: ChatRequest[] = [];
  const queue: ScriptStep[] = [];
  let completionCount = 0;

  async function answerChat(rawBody: string, response: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch (error) {
      const reason = errorMessage(error);
      return sendError(response, wireError(400, `We could not parse the JSON body of your request: ${reason}`));
    }
    const parsed = ChatRequest.safeParse(body);
    if (!parsed.success) {
      return sendError(response, wireError(400, `Invalid chat completion request: ${describeIssues(parsed.error)}`));
    }
    const request = parsed.data;
    requests.push(request);

    const step = queue.shift();
    if (step === undefined) return answer(request, response, respond(request));
    if ('malformed' in step) {
      if (request.stream !== true) return sendJson(response, 200, { choices: 'not a list of choices' });
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      return void response.end('data: {"choices": [{"delta": {"content": "half\n\n');
    }
    if ('hang' in step) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
      return pause(response);
    }
    if (step.delayMs !== undefined) await pause(response, step.delayMs);
    if ('error' in step) {
      const { status, message, retryAfterSeconds } = step.error;
      return sendError(response, wireError(status, message, retryAfterSeconds));
    }
    return answer(request, response, step);
  }

  /** Sends a reply whole, or as SSE chunks when the request streams. */
  async function answer(request: ChatRequest, response: ServerResponse, reply: AssistantReply & StreamPacing): Promise<void> {
    const completion = renderCompletion(request, reply, ++completionCount);
    if (request.stream !== true) return sendJson(response, 200, completion);
    const chunks = renderChunks(completion, StreamOptions.safeParse(request.stream_options).data?.include_usage === true);
    const delayMs = reply.chunkDelayMs ?? options.chunkDelayMs ?? 0;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const [index, chunk] of chunks.entries()) {
      if (index === reply.dropAfterChunks) {
        await new Promise((resolve) => response.write('', resolve));
        return void response.destroy();
      }
      if (index === reply.endAfterChunks) return void response.end();
      if (index > 0 && delayMs > 0) await pause(response, delayMs);
      if (response.destroyed) return;
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    response.end('data: [DONE]\n\n');
  }

  async function route(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname } = new URL(incoming.url ?? '/', 'http://offline-model');
    if (incoming.method === 'POST' && pathname === '/v1/chat/completions') {
      return answerChat(await readBody(incoming), response);
    }
    if (incoming.method === 'GET' && pathname === '/v1/models') return sendJson(response, 200, modelList());
    sendError(response, wireError(404, `Invalid URL (${incoming.method} ${pathname})`));
  }

  const server = createServer((incoming, response) => {
    route(incoming, response).catch((error: unknown) =>
      sendError(response, wireError(500, `The offline model failed: ${errorMessage(error)}`)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    requests,
    enqueue(...steps) {
      queue.push(...steps.map((step) => ScriptStep.parse(step)));
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves after `milliseconds`, or when the connection closes (the only way out when no time is given). */
function pause(response: ServerResponse, milliseconds?: number): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed) return resolve();
    const finish = () => {
      clearTimeout(timer);
      response.off('close', finish);
      resolve();
    };
    const timer = milliseconds === undefined ? undefined : setTimeout(finish, milliseconds);
    response.once('close', finish);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, error: WireError): void {
  sendJson(response, error.status, error.body, error.headers);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
