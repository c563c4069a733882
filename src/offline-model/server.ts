import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createHash } from 'node:crypto';
import { chatConversation } from './chat-input';
import { lastUserTurn, type Conversation } from './conversation';
import { ChatRequest, type AssistantReply } from './protocol';
import { respond, shortQuote } from './responder';
import { isReasoningModel, parseAt, responsesConversation, ResponsesRequest, type ResolvedResponsesRequest, type ResponsesMemory, type WireItem } from './responses-input';
import { renderResponse, type ResponsePlan, type WireEvent, type WireResponse } from './responses-wire';
import { ScriptStep, type ParsedScriptStep } from './script';
import { modelList, renderChunks, renderCompletion, RequestRefused, wireError, type WireError } from './wire';

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

/** A running offline, deterministic, OpenAI-compatible server: Chat Completions and the Responses API. */
export interface OfflineModel {
  /** The base URL for `new OpenAI({ baseURL })`, e.g. `http://127.0.0.1:41234/v1`. */
  readonly baseURL: string;
  /** Every valid body received on `POST /v1/chat/completions`, in arrival order. */
  readonly requests: ChatRequest[];
  /** Every valid body received on `POST /v1/responses` (including those refused for their items), in arrival order. */
  readonly responsesRequests: ResponsesRequest[];
  /** Every Response the Responses API answered (as sent, whole or as the last stream event), in order. */
  readonly responses: WireResponse[];
  /**
   * Queues scripted responses, one per request of either API (one queue, consumed in arrival order); the rule-based
   * responder answers once they run out.
   */
  enqueue(...steps: ScriptStep[]): void;
  /**
   * Resolves when a request has reached a step with `hold: name` (at once if one already has); the answer then waits
   * for `release(name)`.
   */
  held(name: string): Promise<void>;
  /** Lets the answers held under `name` go on (and any later request reaching such a step answers without waiting). */
  release(name: string): void;
  /** Forgets the queued steps, the recorded requests and responses, and every stored response and item; releases every hold. */
  reset(): void;
  /** Stops listening and drops every open connection, hanging requests included. */
  close(): Promise<void>;
}

/**
 * Starts the offline model over real HTTP. Routes: `POST /v1/chat/completions` (whole, or as SSE chunks with
 * `stream: true`), `POST /v1/responses` (whole, or as SSE events with `stream: true`), `GET` / `DELETE`
 * `/v1/responses/{id}` for stored responses, `GET /v1/models`; anything else, and bodies that are not JSON or not a
 * valid request, get OpenAI-style errors.
 */
export async function startOfflineModel(options: OfflineModelOptions = {}): Promise<OfflineModel> {
  const host = options.host ?? '127.0.0.1';
  const requests: ChatRequest[] = [];
  const responsesRequests: ResponsesRequest[] = [];
  const responses: WireResponse[] = [];
  const memory: ResponsesMemory = { responses: new Map(), items: new Map() };
  const queue: ParsedScriptStep[] = [];
  let completionCount = 0;
  let responseCount = 0;
  const holds = new Map<string, Hold>();

  function holdNamed(name: string): Hold {
    let found = holds.get(name);
    if (found === undefined) {
      found = newHold();
      holds.set(name, found);
    }
    return found;
  }

  /** Marks the hold reached and waits for its release, or for the connection to close. */
  async function waitForRelease(name: string, response: ServerResponse): Promise<void> {
    const named = holdNamed(name);
    named.reach();
    await Promise.race([named.released, pause(response)]);
  }

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
    let conversation: Conversation;
    try {
      conversation = chatConversation(request);
    } catch (error) {
      if (error instanceof RequestRefused) return sendError(response, error.wire);
      throw error;
    }

    const step = queue.shift();
    if (step === undefined) return answer(request, response, respond(conversation));
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
    if (step.hold !== undefined) await waitForRelease(step.hold, response);
    if (step.delayMs !== undefined) await pause(response, step.delayMs);
    if ('error' in step) {
      const { status, message, retryAfterSeconds } = step.error;
      return sendError(response, wireError(status, message, retryAfterSeconds));
    }
    if ('failed' in step) return sendError(response, wireError(500, step.failed.message));
    if ('incomplete' in step) {
      const finishReason = step.incomplete === 'content_filter' ? 'content_filter' : 'length';
      return answer(request, response, { ...step, text: step.text ?? '' }, finishReason);
    }
    if ('hostedCall' in step) return answer(request, response, { ...step, text: step.text ?? '' });
    return answer(request, response, step);
  }

  /** Sends a reply whole, or as SSE chunks when the request streams. */
  async function answer(request: ChatRequest, response: ServerResponse, reply: AssistantReply & StreamPacing, finishReason?: 'length' | 'content_filter'): Promise<void> {
    const completion = renderCompletion(request, 'toolCalls' in reply ? { toolCalls: reply.toolCalls } : { text: reply.text }, ++completionCount, finishReason);
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

  async function answerResponses(rawBody: string, response: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch (error) {
      return sendError(response, wireError(400, `We could not parse the JSON body of your request: ${errorMessage(error)}`));
    }
    let request: ResponsesRequest;
    let resolved: ResolvedResponsesRequest;
    try {
      request = parseAt(ResponsesRequest, body, '');
      responsesRequests.push(request);
      resolved = responsesConversation(request, memory);
    } catch (error) {
      if (error instanceof RequestRefused) return sendError(response, error.wire);
      throw error;
    }

    const step = queue.shift();
    let plan: ResponsePlan & StreamPacing;
    if (step === undefined) {
      plan = plannedByRules(request, resolved.conversation);
    } else {
      if ('malformed' in step) {
        if (request.stream !== true) return sendJson(response, 200, { object: 'response', output: 'not a list of items' });
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        return void response.end('event: response.created\ndata: {"type": "response.created", "response": {"id": "resp_\n\n');
      }
      if ('hang' in step) {
        response.writeHead(200, { 'content-type': request.stream === true ? 'text/event-stream' : 'application/json' });
        response.flushHeaders();
        return pause(response);
      }
      if (step.hold !== undefined) await waitForRelease(step.hold, response);
      if (step.delayMs !== undefined) await pause(response, step.delayMs);
      if ('error' in step) {
        const { status, message, retryAfterSeconds } = step.error;
        return sendError(response, wireError(status, message, retryAfterSeconds));
      }
      if ('failed' in step && request.stream !== true) return sendError(response, wireError(500, step.failed.message));
      plan = plannedByStep(step);
    }

    const identity = {
      id: `resp_${createHash('sha256').update(`${++responseCount}:${rawBody}`).digest('hex').slice(0, 48)}`,
      createdAt: Math.floor(Date.now() / 1000),
    };
    const rendered = renderResponse(request, resolved, limitedToMaxTokens(plan, request.max_output_tokens), identity);
    responses.push(rendered.response);
    if (request.store !== false && rendered.response.status !== 'failed') remember(rendered.response, resolved.items);
    if (request.stream !== true) return sendJson(response, 200, rendered.response);
    return streamEvents(response, rendered.events, plan);
  }

  /** Keeps a stored response for `previous_response_id`, `item_reference`s, reasoning ids and `GET /v1/responses/{id}`. */
  function remember(stored: WireResponse, inputItems: WireItem[]): void {
    const items = [...inputItems, ...(stored.output as unknown as WireItem[])];
    memory.responses.set(stored.id, { response: stored, items });
    for (const item of items) if (typeof item.id === 'string') memory.items.set(item.id, item);
  }

  /** Sends Responses SSE events (`event:` and `data:` lines, no `[DONE]`), paced and cut as the step says. */
  async function streamEvents(response: ServerResponse, events: WireEvent[], pacing: StreamPacing): Promise<void> {
    const delayMs = pacing.chunkDelayMs ?? options.chunkDelayMs ?? 0;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    for (const [index, event] of events.entries()) {
      if (index === pacing.dropAfterChunks) {
        await new Promise((resolve) => response.write('', resolve));
        return void response.destroy();
      }
      if (index === pacing.endAfterChunks) return void response.end();
      if (index > 0 && delayMs > 0) await pause(response, delayMs);
      if (response.destroyed) return;
      response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
    response.end();
  }

  function answerStoredResponse(method: string, id: string, response: ServerResponse): void {
    const stored = memory.responses.get(id);
    if (stored === undefined) return sendError(response, notFound(`Response with id '${id}' not found.`));
    if (method === 'GET') return sendJson(response, 200, stored.response);
    memory.responses.delete(id);
    sendJson(response, 200, { id, object: 'response', deleted: true });
  }

  async function route(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname } = new URL(incoming.url ?? '/', 'http://offline-model');
    if (incoming.method === 'POST' && pathname === '/v1/chat/completions') {
      return answerChat(await readBody(incoming), response);
    }
    if (incoming.method === 'POST' && pathname === '/v1/responses') {
      return answerResponses(await readBody(incoming), response);
    }
    const stored = /^\/v1\/responses\/([^/]+)$/.exec(pathname);
    if (stored && (incoming.method === 'GET' || incoming.method === 'DELETE')) {
      return answerStoredResponse(incoming.method, decodeURIComponent(stored[1]), response);
    }
    if (incoming.method === 'GET' && pathname === '/v1/models') return sendJson(response, 200, modelList());
    sendError(response, wireError(404, `Invalid URL (${incoming.method} ${pathname})`));
  }

  const server = createServer((incoming, response) => {
    route(incoming, response).catch((error: unknown) => sendError(response, wireError(500, `The offline model failed: ${errorMessage(error)}`)));
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
    responsesRequests,
    responses,
    enqueue(...steps) {
      queue.push(...steps.map((step) => ScriptStep.parse(step)));
    },
    held(name) {
      return holdNamed(name).reached;
    },
    release(name) {
      holdNamed(name).release();
    },
    reset() {
      for (const named of holds.values()) named.release();
      holds.clear();
      queue.length = 0;
      requests.length = 0;
      responsesRequests.length = 0;
      responses.length = 0;
      memory.responses.clear();
      memory.items.clear();
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** A named hold: reached when a request gets to its step, released by the test. */
interface Hold {
  reached: Promise<void>;
  reach(): void;
  released: Promise<void>;
  release(): void;
}

function newHold(): Hold {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return { reached, reach, released, release };
}

/**
 * What the rules answer on the Responses API: their reply, after a reasoning item when the model reasons (a reasoning
 * model name, or `reasoning` in the request, unless its effort is `none`).
 */
function plannedByRules(request: ResponsesRequest, conversation: Conversation): ResponsePlan {
  const reply = respond(conversation);
  const reasons = (isReasoningModel(request.model) || request.reasoning != null) && request.reasoning?.effort !== 'none';
  const asked = shortQuote(lastUserTurn(conversation.turns)?.text ?? '');
  return {
    ...(reasons && { reasoning: `The user wrote "${asked}". I answer by the offline rules.` }),
    ...(reply.hostedCall && { hostedCall: reply.hostedCall }),
    ...('text' in reply ? { text: reply.text, ...(reply.citations && { citations: reply.citations }) } : { toolCalls: reply.toolCalls }),
    status: 'completed',
  };
}

/** What a script step answers on the Responses API: exactly what it says, no more. */
function plannedByStep(step: Exclude<ParsedScriptStep, { error: unknown } | { hang: true } | { malformed: true }>): ResponsePlan & StreamPacing {
  const pacing: StreamPacing = { chunkDelayMs: step.chunkDelayMs, dropAfterChunks: step.dropAfterChunks, endAfterChunks: step.endAfterChunks };
  const reasoning = 'reasoning' in step && step.reasoning !== undefined ? { reasoning: step.reasoning } : {};
  if ('failed' in step) {
    return { ...pacing, text: step.text, status: 'failed', error: { code: step.failed.code, message: step.failed.message } };
  }
  if ('incomplete' in step) return { ...pacing, ...reasoning, text: step.text, status: 'incomplete', incompleteReason: step.incomplete };
  if ('hostedCall' in step) return { ...pacing, ...reasoning, hostedCall: step.hostedCall, text: step.text, status: 'completed' };
  if ('toolCalls' in step) return { ...pacing, ...reasoning, toolCalls: step.toolCalls, status: 'completed' };
  return { ...pacing, ...reasoning, text: step.text, status: 'completed' };
}

/**
 * Cuts a completed answer to `max_output_tokens` (4 characters a token, the reasoning counted first), as the service
 * stops generating: the response becomes `incomplete` with reason `max_output_tokens`.
 */
function limitedToMaxTokens(plan: ResponsePlan, maxOutputTokens: number | null | undefined): ResponsePlan {
  if (maxOutputTokens == null || plan.status !== 'completed') return plan;
  const budget = maxOutputTokens * 4 - (plan.reasoning?.length ?? 0);
  const used = (plan.text?.length ?? 0) + (plan.toolCalls ? JSON.stringify(plan.toolCalls).length : 0);
  if (used <= budget) return plan;
  const { toolCalls: _dropped, citations: _cut, ...rest } = plan;
  return {
    ...rest,
    text: Array.from(plan.text ?? '')
      .slice(0, Math.max(0, budget))
      .join(''),
    status: 'incomplete',
    incompleteReason: 'max_output_tokens',
  };
}

function notFound(message: string): WireError {
  return wireError(404, message);
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
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`).join('; ');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
