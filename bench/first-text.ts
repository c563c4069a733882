/**
 * Time to first text: from a caller's `stream()` to the first text delta it receives, against the
 * model's own (from the request to its first content chunk, with the same `openai` client).
 */
import OpenAI from 'openai';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import type { TestStack } from '../test/support/stack';
import { plainMessage } from './script';
import { summarise, type BenchRow } from './stats';

function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The model's own time to first text, and this project's, over `samples` plain turns. */
export async function measureFirstText(stack: TestStack, samples: number): Promise<{ rows: BenchRow[]; overheadP50Ms: number }> {
  const openai = new OpenAI({ baseURL: stack.model.baseURL, apiKey: 'offline', maxRetries: 0 });
  const model: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const start = process.hrtime.bigint();
    const stream = await openai.chat.completions.create({ model: OFFLINE_MODEL_ID, messages: [{ role: 'user', content: plainMessage(sample) }], stream: true });
    let first: number | undefined;
    for await (const chunk of stream) if (first === undefined && chunk.choices[0]?.delta.content) first = since(start);
    model.push(first ?? since(start));
  }
  const sessionId = `bench-first-text-${Date.now().toString(36)}`;
  await stack.client.send(sessionId, 'warm up');
  const ours: number[] = [];
  const whole: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const start = process.hrtime.bigint();
    let first: number | undefined;
    for await (const event of stack.client.stream(sessionId, plainMessage(sample))) if (first === undefined && event.type === 'text') first = since(start);
    ours.push(first ?? since(start));
    whole.push(since(start));
  }
  const rows = [
    summarise("the model's own first text (openai client, streamed)", model),
    summarise('agent-sessions first text (client.stream, durable turn)', ours),
    summarise('agent-sessions whole streamed turn', whole),
  ];
  return { rows, overheadP50Ms: rows[1].p50Ms - rows[0].p50Ms };
}
