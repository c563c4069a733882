/**
 * A streamed Response: the typed events of a Responses API stream, checked one by one and assembled,
 * with each text delta handed on as it arrives. The terminal event (`response.completed` or
 * `response.incomplete`) carries the whole response, which is taken as the truth once the events are
 * found consistent with it; `response.failed` and `error` events fail the call as the service's error
 * says; a stream that ends without a terminal event is an invalid model response (retried).
 */
import { log } from '@temporalio/activity';
import { invalidModelResponse, parseOrFail } from '../shared/parse';
import { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import { z } from 'zod';
import { TextRelay } from './text-relay';
import { FailureType } from '../shared/failures';

/** Error codes of a failed response that a later attempt may not meet (the service's load, limits, timeouts). */
const TRANSIENT_CODES = new Set(['server_error', 'rate_limit_exceeded', 'vector_store_timeout']);

/**
 * The failure for a response the service failed (`status: 'failed'`, `response.failed`, an `error`
 * event): retried for transient codes (and none), not retried for what the request itself caused.
 */
export function responseFailure(error: { code?: string | null; message?: string | null } | null | undefined): ApplicationFailure {
  const code = error?.code ?? undefined;
  const message = error?.message ?? 'no message';
  if (code === undefined || TRANSIENT_CODES.has(code)) {
    return ApplicationFailure.retryable(`the model failed to answer (${code ?? 'no code'}): ${message}`, `ModelResponseFailed`);
  }
  return ApplicationFailure.nonRetryable(
    `the model endpoint refused the request (${code}): ${message}; check the agent's model, settings, tools and input items`,
    FailureType.ModelRequestRejected,
  );
}

/** One stream event, as far as the assembler reads it (every event has a type; the rest is checked per type). */
const StreamEvent = z.looseObject({ type: z.string() });
const OutputItemEvent = z.object({ output_index: z.number().int().nonnegative(), item: z.looseObject({ type: z.string() }) });
const TextDelta = z.object({ output_index: z.number().int().nonnegative(), content_index: z.number().int().nonnegative().optional(), delta: z.string() });
const ArgumentsDelta = z.object({ output_index: z.number().int().nonnegative(), delta: z.string() });
const Terminal = z.object({ response: z.looseObject({ output: z.array(z.looseObject({ type: z.string() })) }) });
const ErrorEvent = z.object({ code: z.string().nullish(), message: z.string().nullish() });
const FailedEvent = z.object({ response: z.looseObject({ error: ErrorEvent.nullish() }) });

/** Builds a Response up from its stream events and hands text on as it comes. */
export class ResponseAssembler {
  private readonly done = new Map<number, Record<string, unknown>>();
  private readonly text = new Map<number, string>();
  private readonly args = new Map<number, string>();
  private final: Record<string, unknown> | undefined;
  private readonly relay: TextRelay;

  /** `warn` hears where the events and the terminal response disagree (the activity logs it). */
  constructor(
    onText: (delta: string) => void,
    private readonly warn: (message: string, fields: { problems: string[] }) => void = () => undefined,
  ) {
    this.relay = new TextRelay(onText);
  }

  /** Adds one raw event; an event that is not one (or says the response failed) fails the call. */
  add(raw: unknown): void {
    const event = checked(StreamEvent, raw, 'event');
    switch (event.type) {
      case 'response.output_text.delta': {
        const delta = checked(TextDelta, raw, event.type);
        this.text.set(delta.output_index, (this.text.get(delta.output_index) ?? '') + delta.delta);
        return this.relay.push(delta.delta);
      }
      case 'response.function_call_arguments.delta': {
        const delta = checked(ArgumentsDelta, raw, event.type);
        this.args.set(delta.output_index, (this.args.get(delta.output_index) ?? '') + delta.delta);
        return;
      }
      case 'response.output_item.done': {
        const done = checked(OutputItemEvent, raw, event.type);
        this.done.set(done.output_index, done.item);
        return;
      }
      case 'response.completed':
      case 'response.incomplete':
        this.final = checked(Terminal, raw, event.type).response;
        return;
      case 'response.failed':
        throw responseFailure(checked(FailedEvent, raw, event.type).response.error);
      case 'error':
        throw responseFailure(checked(ErrorEvent, raw, event.type));
      default:
        return;
    }
  }

  /**
   * The whole response (unchecked, for the same schema as a whole one): the terminal event's, after
   * checking that the items and text the events built agree with it (a disagreement is logged; the
   * terminal response is the truth, unless its output is missing items the events completed).
   */
  response(): unknown {
    if (this.final === undefined) {
      throw ApplicationFailure.retryable('the model endpoint ended its stream before response.completed (cut off, or past the model deadline)', FailureType.InvalidModelResponse);
    }
    this.relay.flush();
    const output = this.final.output as Array<Record<string, unknown>>;
    const problems = this.inconsistencies(output);
    if (problems.length > 0) this.warn('the streamed events disagree with the terminal response', { problems });
    if (output.length < this.done.size) {
      const assembled = [...this.done.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
      return { ...this.final, output: assembled };
    }
    return this.final;
  }

  private inconsistencies(output: Array<Record<string, unknown>>): string[] {
    const problems: string[] = [];
    if (output.length !== this.done.size) problems.push(`${this.done.size} items were streamed, the response has ${output.length}`);
    for (const [index, item] of this.done) {
      const final = output[index];
      if (final && final.type !== item.type) problems.push(`item ${index} was streamed as ${String(item.type)}, the response has ${String(final.type)}`);
    }
    for (const [index, text] of this.text) {
      const final = output[index];
      const finalText = Array.isArray(final?.content)
        ? (final.content as Array<{ type?: unknown; text?: unknown }>)
            .filter((part) => part.type === 'output_text')
            .map((part) => String(part.text))
            .join('')
        : undefined;
      if (finalText !== undefined && finalText !== text) problems.push(`the text of item ${index} differs from its deltas`);
    }
    for (const [index, args] of this.args) {
      const final = output[index];
      if (final && typeof final.arguments === 'string' && final.arguments !== args) problems.push(`the arguments of item ${index} differ from their deltas`);
    }
    return problems;
  }
}

function checked<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  return parseOrFail(schema, raw, `an invalid streamed ${what}`, invalidModelResponse);
}

/** Streams a Response, handing each text delta to `onText`; resolves to the assembled response (unchecked). */
export async function streamResponse(
  openai: OpenAI,
  request: OpenAI.Responses.ResponseCreateParamsNonStreaming,
  signal: AbortSignal,
  onText: (delta: string) => void,
): Promise<unknown> {
  const stream = await openai.responses.create({ ...request, stream: true }, { signal });
  const assembler = new ResponseAssembler(onText, (message, fields) => log.warn(message, fields));
  for await (const event of stream) assembler.add(event);
  return assembler.response();
}
