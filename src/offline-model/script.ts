import { z } from 'zod';

/** Milliseconds to wait before answering (after a `hold` is released); allowed on every step except `hang` and `malformed`. */
const delayMs = z.number().int().nonnegative().optional();

/** For streamed requests: milliseconds between chunks (the server's own pace when absent). */
const chunkDelayMs = z.number().int().nonnegative().optional();

/** For streamed requests: drop the connection after this many chunks (Chat) or SSE events (Responses). */
const dropAfterChunks = z.number().int().nonnegative().optional();

/**
 * For streamed requests: end the response cleanly after this many chunks (Chat: without a finish reason or `[DONE]`)
 * or SSE events (Responses: without `response.completed`): a cut stream.
 */
const endAfterChunks = z.number().int().nonnegative().optional();

/** Responses API: begin the output with a reasoning item with this summary text (Chat ignores it). */
const reasoning = z.string().optional();

/**
 * Hold the answer under this name until the test calls `model.release(name)` (or the connection closes);
 * `await model.held(name)` resolves once a request reached the step. Lets a test act while a model call is
 * known to be in flight, instead of racing a fixed sleep against a `delayMs`.
 */
const hold = z.string().min(1).optional();

const pacing = { delayMs, hold, chunkDelayMs, dropAfterChunks, endAfterChunks };

/** Answer with assistant text (and, on the Responses API, a reasoning item first when `reasoning` is given). */
const TextStep = z.strictObject({ text: z.string(), reasoning, ...pacing });

/** Answer with one or more function tool calls (and a reasoning item first when `reasoning` is given). */
const ToolCallsStep = z.strictObject({
  toolCalls: z.array(z.strictObject({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) })).min(1),
  reasoning,
  ...pacing,
});

/**
 * Responses API: answer with a hosted tool call item (`web_search_call`, `file_search_call` or
 * `code_interpreter_call`, with its own stream events), then a message with `text` when given. Chat answers `text`.
 */
const HostedCallStep = z.strictObject({
  hostedCall: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('web_search'), query: z.string() }),
    z.strictObject({ type: z.literal('file_search'), queries: z.array(z.string()).min(1) }),
    z.strictObject({ type: z.literal('code_interpreter'), code: z.string(), logs: z.string().default('') }),
  ]),
  text: z.string().optional(),
  reasoning,
  ...pacing,
});

/**
 * Answer incompletely, as a model that ran out of output tokens (or was filtered): Responses status `incomplete` with
 * `incomplete_details: { reason }` (streamed: `response.incomplete` last), its message (when `text` is given, possibly
 * empty) marked incomplete; no message at all without `text`: an empty reply. Chat: finish reason `length` /
 * `content_filter` with `text` (or empty) content.
 */
const IncompleteStep = z.strictObject({
  incomplete: z.enum(['max_output_tokens', 'content_filter']),
  text: z.string().optional(),
  reasoning,
  ...pacing,
});

/**
 * Fail while answering. Responses streamed: the events of `text` (when given) then `response.failed` carrying the
 * response with status `failed` and `error: { code, message }`; Responses whole and Chat: a 500 in the OpenAI error
 * format with the message.
 */
const FailedStep = z.strictObject({
  failed: z.strictObject({
    code: z.enum(['server_error', 'rate_limit_exceeded', 'invalid_prompt', 'vector_store_timeout', 'invalid_image']).default('server_error'),
    message: z.string().default('The model failed to generate a response (scripted by the offline model).'),
  }),
  text: z.string().optional(),
  ...pacing,
});

/** Answer with an HTTP error in the OpenAI error format. */
const ErrorStep = z.strictObject({
  error: z.strictObject({
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
  }),
  delayMs,
  hold,
});

/**
 * Never finish answering: send the 200 status and headers, then hold the body until the client gives up or the
 * server closes: an endpoint that stalls mid-answer, which only a deadline covering the body read escapes.
 */
const HangStep = z.strictObject({ hang: z.literal(true) });

/** Answer 200 with something that is not a completion (or response): a JSON body of the wrong shape, or a stream chunk that is not JSON. */
const MalformedStep = z.strictObject({ malformed: z.literal(true) });

/** One scripted response of the offline model, consumed by exactly one request of either API (one queue for both). */
export const ScriptStep = z.union([TextStep, ToolCallsStep, HostedCallStep, IncompleteStep, FailedStep, ErrorStep, HangStep, MalformedStep]);
/** One scripted response of the offline model, as written (defaults not yet filled). */
export type ScriptStep = z.input<typeof ScriptStep>;
/** One scripted response after parsing, defaults filled. */
export type ParsedScriptStep = z.output<typeof ScriptStep>;
