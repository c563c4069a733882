/**
 * How a failed model request becomes an activity failure: transient faults (429, 408, 409, 5xx,
 * timeouts, connection errors) are retried with backoff, honouring Retry-After; a refused request
 * (other 4xx) is not, and its message says what to check.
 */
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { FailureType } from '../shared/failures';

/** Longest Retry-After the activity honours; longer waits fall back to the retry policy. */
const MAX_RETRY_AFTER_SECONDS = 300;

/** The error the activity throws for an error from the `openai` client. */
export function toActivityFailure(error: unknown): Error {
  if (!(error instanceof OpenAI.APIError) || error.status === undefined) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const status = error.status;
  if (status === 429 || status === 408 || status === 409 || status >= 500) {
    return ApplicationFailure.create({
      message: `the model endpoint answered ${status}: ${error.message}`,
      type: FailureType.ModelHttpError,
      details: [{ status }],
      nextRetryDelay: retryAfter(error.headers),
    });
  }
  const hint =
    status === 401 || status === 403 ? 'check OPENAI_API_KEY' : status === 404 ? 'check the model name and OPENAI_BASE_URL' : "check the agent's model, settings and tool schemas";
  return ApplicationFailure.nonRetryable(`the model endpoint refused the request (${status}): ${error.message}; ${hint}`, FailureType.ModelRequestRejected);
}

/** The Retry-After header as milliseconds, when present and sensible. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_RETRY_AFTER_SECONDS) return undefined;
  return seconds * 1000;
}
