/**
 * The summarisation activity behind compaction: the older part of the model's window, read from the
 * projection, becomes one summary written by a model on any OpenAI-compatible endpoint.
 */
import { ApplicationFailure } from '@temporalio/common';
import { SummarizeInput, type SummarizeResult } from '../shared/activity-io';
import { COMPACTION_INSTRUCTIONS } from '../shared/compaction';
import { FailureType } from '../shared/failures';
import { contentText, describeItem, isMessage, type Item } from '../shared/items';
import { invalidActivityInput, parseOrFail } from '../shared/parse';
import { completeChat, completeResponse, type ModelDependencies } from './model';
import { readWindow } from './model-window';
import { timedLog } from './activity-log';

/** Creates the `summarize` activity. */
export function createSummarize(deps: ModelDependencies) {
  return async function summarize(rawInput: SummarizeInput): Promise<SummarizeResult> {
    const input = parseOrFail(SummarizeInput, rawInput, 'summarize', invalidActivityInput);
    const items = await readWindow(deps.pool, input.sessionId, input.window);
    const model = input.model ?? deps.agents.find(input.agent || deps.agents.defaultAgent)?.model ?? deps.defaultModel;
    const done = timedLog();
    // The summarisation call speaks the worker's API too (a Responses-only endpoint has no chat route).
    const reply =
      deps.openaiApi === 'responses'
        ? await completeResponse(deps, {
            model,
            instructions: COMPACTION_INSTRUCTIONS,
            input: [{ type: 'message', role: 'user', content: transcript(items) }],
            store: false,
          })
        : await completeChat(deps, {
            model,
            messages: [
              { role: 'system', content: COMPACTION_INSTRUCTIONS },
              { role: 'user', content: transcript(items) },
            ],
          });
    done('summary call completed', { model, summarizedItems: items.length, ...reply.usage });
    const text = reply.items
      .map((item) => (isMessage(item) ? contentText(item.content) : ''))
      .join('')
      .trim();
    if (text === '') {
      throw ApplicationFailure.retryable('the summarisation model answered with no text', FailureType.InvalidModelResponse);
    }
    return { text, usage: reply.usage };
  };
}

/** The items as a plain transcript, one line per item (a short label for what is not text), for the summarisation prompt. */
export function transcript(items: Item[]): string {
  return items.map(describeItem).join('\n');
}
