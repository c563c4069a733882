import { z } from 'zod';

/** Milliseconds to wait before answering; allowed on every step except `hang`. */
const delayMs = z.number().int().nonnegative().optional();

/** For streamed requests: milliseconds between chunks (the server's own pace when absent). */
const chunkDelayMs = z.number().int().nonnegative().optional();

/** For streamed requests: drop the connection after this many chunks, as an endpoint that fails mid-answer. */
const dropAfterChunks = z.number().int().nonnegative().optional();

/** For streamed requests: end the response cleanly after this many chunks, without a finish reason or `[DONE]` (a cut stream). */
const endAfterChunks = z.number().int().nonnegative().optional();

/** Answer with assistant text. */
const TextStep = z.strictObject({ text: z.string(), delayMs, chunkDelayMs, dropAfterChunks, endAfterChunks });

/** Answer with one or more function tool calls. */
const ToolCallsStep = z.strictObject({
  toolCalls: z.array(z.strictObject({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) })).min(1),
  delayMs,
  chunkDelayMs,
  dropAfterChunks,
  endAfterChunks,
});

/** Answer with an HTTP error in the OpenAI error format. */
const ErrorStep = z.strictObject({
  error: z.strictObject({
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
  }),
  delayMs,
});

/**
 * Never finish answering: send the 200 status and headers, then hold the body until the client gives up or the
 * server closes: an endpoint that stalls mid-answer, which only a deadline covering the body read escapes.
 */
const HangStep = z.strictObject({ hang: z.literal(true) });

/** Answer 200 with something that is not a completion: a JSON body of the wrong shape, or a stream chunk that is not JSON. */
const MalformedStep = z.strictObject({ malformed: z.literal(true) });

/** One scripted response of the offline model, consumed by exactly one chat completion request. */
export const ScriptStep = z.union([TextStep, ToolCallsStep, ErrorStep, HangStep, MalformedStep]);
/** One scripted response of the offline model, consumed by exactly one chat completion request. */
export type ScriptStep = z.infer<typeof ScriptStep>;
