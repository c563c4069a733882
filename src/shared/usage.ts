/** Token usage arithmetic, shared by the workflow (per turn and session) and the client (usage totals). */
import type { Usage } from './schemas';

/** Zero usage. */
export function emptyUsage(): Usage {
  return { requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

/**
 * Adds two usage records. Reasoning and cached tokens are summed when either side reports them, and
 * left out otherwise, so usage recorded before they were kept reads as it did.
 */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum: Usage = {
    requests: a.requests + b.requests,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
  if (a.reasoningTokens !== undefined || b.reasoningTokens !== undefined) sum.reasoningTokens = (a.reasoningTokens ?? 0) + (b.reasoningTokens ?? 0);
  if (a.cachedTokens !== undefined || b.cachedTokens !== undefined) sum.cachedTokens = (a.cachedTokens ?? 0) + (b.cachedTokens ?? 0);
  return sum;
}

/** The token counts one model call reports, in either API's terms (absent counts are zero, or left out). */
export interface ReportedTokens {
  input?: number | null;
  output?: number | null;
  total?: number | null;
  reasoning?: number | null;
  cached?: number | null;
}

/** The usage of one model call: reasoning and cached tokens only when the endpoint reported them. */
export function callUsage(tokens: ReportedTokens): Usage {
  return {
    requests: 1,
    inputTokens: tokens.input ?? 0,
    outputTokens: tokens.output ?? 0,
    totalTokens: tokens.total ?? 0,
    ...(typeof tokens.reasoning === 'number' ? { reasoningTokens: tokens.reasoning } : {}),
    ...(typeof tokens.cached === 'number' ? { cachedTokens: tokens.cached } : {}),
  };
}
