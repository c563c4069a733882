/**
 * The one "parse or fail" helper every boundary uses, and the error each boundary builds when a value
 * does not parse. Workflow-safe (zod, the error classes and `ApplicationFailure` only).
 *
 * - a caller's input (client, HTTP, CLI): `InvalidInputError` (nothing was recorded);
 * - a workflow update's input: a non-retryable `InvalidInput` failure (its validator refuses it);
 * - an activity's input: a non-retryable failure (a malformed input never becomes valid);
 * - a model endpoint's answer: a retryable `InvalidModelResponse` failure (the next answer may be fine);
 * - a row read from Postgres: `UnreadableRowError`.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { InvalidInputError, UnreadableRowError } from './errors';
import { FailureType } from './failures';
import { describeIssues } from './schemas';

/** Builds the error for a value that did not parse: `what` it was, and `reason`, what is wrong with it. */
export type ParseFailure = (what: string, reason: string) => Error;

/** The parsed value, or the error `fail` builds from what it is and what is wrong with it (never a raw ZodError). */
export function parseOrFail<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string, fail: ParseFailure): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fail(what, describeIssues(parsed.error));
  return parsed.data;
}

/** A caller's input: `InvalidInputError` "<what>: <reason>". */
export const invalidInput: ParseFailure = (what, reason) => new InvalidInputError(`${what}: ${reason}`);

/** A workflow update's or signal's input: non-retryable `InvalidInput` (the client turns it into InvalidInputError). */
export const invalidWorkflowInput: ParseFailure = (what, reason) => ApplicationFailure.nonRetryable(`${what}: ${reason}`, FailureType.InvalidInput);

/** An activity's input: non-retryable, so a malformed input fails once, not for ever. */
export const invalidActivityInput: ParseFailure = (what, reason) => ApplicationFailure.nonRetryable(`${what} got an invalid input: ${reason}`, FailureType.TurnFailed);

/** A model endpoint's answer: retryable `InvalidModelResponse` ("the model endpoint answered with <what>: <reason>"). */
export const invalidModelResponse: ParseFailure = (what, reason) =>
  ApplicationFailure.retryable(`the model endpoint answered with ${what}: ${reason}`, FailureType.InvalidModelResponse);

/** A row read from Postgres: `UnreadableRowError` "Postgres returned <what> this version cannot read: <reason>". */
export const invalidRow: ParseFailure = (what, reason) => new UnreadableRowError(`Postgres returned ${what} this version cannot read: ${reason}`);
