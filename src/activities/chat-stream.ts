/**
 * A streamed chat completion: the chunks of a Chat Completions SSE stream, checked one by one and
 * assembled into the completion they add up to, with each text delta handed on as it arrives.
 */
import { ApplicationFailure } from '@temporalio/common';
import { invalidModelResponse, parseOrFail } from '../shared/parse';
import type OpenAI from 'openai';
import { z } from 'zod';
import { TextRelay } from './text-relay';
import { FailureType } from '../shared/failures';
import { CompletionUsage } from './chat-format';

/** The part of a streamed tool call a chunk carries: its index, and pieces of its id, name and arguments. */
const ChunkToolCall = z.object({
  index: z.number().int().nonnegative(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

/** One chunk of a streamed completion, as far as the agent loop reads it. */
export const ChatCompletionChunk = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().nonnegative().optional(),
        delta: z.object({ content: z.string().nullish(), tool_calls: z.array(ChunkToolCall).nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .default([]),
  usage: CompletionUsage,
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;

/** Builds up a completion from its chunks (first choice only) and hands text on as it comes. */
export class CompletionAssembler {
  private content = '';
  private sawContent = false;
  private readonly toolCalls: Array<{ id: string; name: string; arguments: string }> = [];
  private usage: ChatCompletionChunk['usage'];
  private finishReason: string | undefined;
  private readonly relay: TextRelay;

  constructor(onText: (delta: string) => void) {
    this.relay = new TextRelay(onText);
  }

  /** Adds one raw chunk; a chunk that is not one fails the call as an invalid model response (retried). */
  add(raw: unknown): void {
    const chunk = parseOrFail(ChatCompletionChunk, raw, 'an invalid streamed chunk', invalidModelResponse);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => (candidate.index ?? 0) === 0);
    if (choice?.finish_reason) this.finishReason = choice.finish_reason;
    const delta = choice?.delta;
    if (!delta) return;
    if (delta.content) this.addText(delta.content);
    for (const piece of delta.tool_calls ?? []) {
      const call = (this.toolCalls[piece.index] ??= { id: '', name: '', arguments: '' });
      call.id += piece.id ?? '';
      call.name += piece.function?.name ?? '';
      call.arguments += piece.function?.arguments ?? '';
    }
  }

  /**
   * The completion the chunks add up to, shaped as a non-streamed one (checked by the same schema); a
   * stream that ended before its finish reason (cut, or abandoned at the deadline) fails the call (retried).
   */
  completion(): unknown {
    if (this.finishReason === undefined) {
      throw ApplicationFailure.retryable('the model endpoint ended its stream before the finish reason (cut off, or past the model deadline)', FailureType.InvalidModelResponse);
    }
    this.relay.flush();
    const toolCalls = this.toolCalls
      .filter((call) => call !== undefined)
      .map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
    return {
      choices: [{ message: { content: this.sawContent ? this.content : null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) }, finish_reason: this.finishReason }],
      usage: this.usage,
    };
  }

  private addText(text: string): void {
    this.content += text;
    this.sawContent = true;
    this.relay.push(text);
  }
}

/** Streams a completion, handing each text delta to `onText`; resolves to the assembled completion (unchecked). */
export async function streamCompletion(
  openai: OpenAI,
  request: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
  signal: AbortSignal,
  onText: (delta: string) => void,
): Promise<unknown> {
  const stream = await openai.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }, { signal });
  const assembler = new CompletionAssembler(onText);
  for await (const chunk of stream) assembler.add(chunk);
  return assembler.completion();
}
