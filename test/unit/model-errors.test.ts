/** How errors from the `openai` client become activity failures: which are retried, and with what delay. */
import { ApplicationFailure } from '@temporalio/common';
import OpenAI from 'openai';
import { toActivityFailure } from '../../src/activities/model-errors';

/** A real APIError as the client would throw it for this status and these response headers. */
function apiError(status: number, headers: Record<string, string> = {}): InstanceType<typeof OpenAI.APIError> {
  return OpenAI.APIError.generate(status, { error: { message: 'upstream said no' } }, undefined, new Headers(headers));
}

/** The failure for an error, checked to be an ApplicationFailure. */
function failureFor(error: unknown): ApplicationFailure {
  const failure = toActivityFailure(error);
  if (!(failure instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(failure)}`);
  return failure;
}

describe('a rate-limited request (429)', () => {
  test('is retryable and waits as long as a Retry-After of 2 seconds asks', () => {
    const failure = failureFor(apiError(429, { 'retry-after': '2' }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.type).toBe('ModelHttpError');
    expect(failure.details).toEqual([{ status: 429 }]);
    expect(failure.nextRetryDelay).toBe(2000);
  });

  test('leaves the delay to the retry policy when Retry-After is 0', () => {
    const failure = failureFor(apiError(429, { 'retry-after': '0' }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  test('leaves the delay to the retry policy when Retry-After is huge', () => {
    expect(failureFor(apiError(429, { 'retry-after': '86400' })).nextRetryDelay).toBeUndefined();
  });

  test('leaves the delay to the retry policy when Retry-After is absent or not a number', () => {
    expect(failureFor(apiError(429)).nextRetryDelay).toBeUndefined();
    expect(failureFor(apiError(429, { 'retry-after': 'soon' })).nextRetryDelay).toBeUndefined();
  });
});

describe('transient server faults', () => {
  test.each([500, 503, 408])('status %i is retryable', (status) => {
    const failure = failureFor(apiError(status));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.type).toBe('ModelHttpError');
    expect(failure.details).toEqual([{ status }]);
    expect(failure.message).toContain(`answered ${status}`);
  });
});

describe('refused requests', () => {
  test('400 is not retryable, is typed ModelRequestRejected and says what to check', () => {
    const failure = failureFor(apiError(400));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('ModelRequestRejected');
    expect(failure.message).toContain('(400)');
    expect(failure.message).toContain("check the agent's model, settings and tool schemas");
  });

  test('401 tells to check OPENAI_API_KEY', () => {
    const failure = failureFor(apiError(401));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('OPENAI_API_KEY');
  });

  test('404 tells to check the model name', () => {
    const failure = failureFor(apiError(404));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('model name');
  });
});

describe('errors without an HTTP status', () => {
  test('a connection error is returned as it is, so the retry policy retries it', () => {
    const error = new OpenAI.APIConnectionError({ message: 'x' });
    const result = toActivityFailure(error);
    expect(result).toBe(error);
    expect(result).not.toBeInstanceOf(ApplicationFailure);
  });

  test('a thrown value that is not an Error becomes an Error with its text', () => {
    const result = toActivityFailure('socket hang up');
    expect(result).toBeInstanceOf(Error);
    expect(result.message).toBe('socket hang up');
  });
});
