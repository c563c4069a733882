/**
 * Model and tool calls observed once for both telemetries: each runs in its span (`gen-ai-spans.ts`)
 * and is recorded in the metrics (`metrics.ts`), with one first-token signal for the two.
 */
import { inModelCallSpan, inToolCallSpan, type ModelCallOutcome, type ModelCallSpan, type ToolCallSpan } from './gen-ai-spans';
import { timedModelCall, timedToolCall } from './metrics';

/** Runs a model call in its span and records it; `run` calls `firstToken` at the first streamed text. */
export function observedModelCall<Outcome extends ModelCallOutcome>(call: ModelCallSpan, run: (firstToken: () => void) => Promise<Outcome>): Promise<Outcome> {
  return timedModelCall({ model: call.model, api: call.api }, (timed) =>
    inModelCallSpan(call, (traced) =>
      run(() => {
        traced();
        timed();
      }),
    ),
  );
}

/** Runs a tool call in its span and records it. */
export function observedToolCall<Result extends { output: unknown; failed?: boolean }>(call: ToolCallSpan, run: () => Promise<Result>): Promise<Result> {
  return timedToolCall(call.name, () => inToolCallSpan(call, run));
}
