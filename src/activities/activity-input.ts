/** How activities check their input: a malformed input can never become valid, so it fails once, not for ever. */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { FailureType } from '../shared/failures';
import { describeIssues } from '../shared/schemas';

/** The parsed input, or a non-retryable failure that says what is wrong with it. */
export function parseActivityInput<Schema extends z.ZodType>(schema: Schema, raw: unknown, activity: string): z.infer<Schema> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`${activity} got an invalid input: ${describeIssues(parsed.error)}`, FailureType.TurnFailed);
  }
  return parsed.data;
}
