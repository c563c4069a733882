/** Each boundary's error mapping, one table each: HTTP status, CLI exit code, Postgres SQLSTATE, Temporal gRPC codes. */
import { ServiceError } from '@temporalio/client';
import {
  ApprovalNotPendingError,
  AwaitingApprovalError,
  BackendUnavailableError,
  ContentMissingError,
  InvalidInputError,
  InvalidModelResponseError,
  MaxTurnsExceededError,
  ModelRequestRejectedError,
  ModelUnavailableError,
  OperationIdReusedError,
  SessionClosedError,
  SessionDeletedError,
  SessionExistsError,
  SessionExpiredError,
  SessionNotFoundError,
  TurnFailedError,
  UnreadableRowError,
  WorkerUnavailableError,
} from '../../src/shared/errors';
import { errorResponse, HttpError } from '../../src/server/http-errors';
import { ExitCode, exitCodeFor } from '../../src/cli/exit-codes';
import { isPermanentRefusal, sqlState } from '../../src/postgres/pg-errors';
import { grpcCode, isDeadline, isNotFound, isRetryableRefusal, isUnavailable } from '../../src/client/temporal-errors';

test.each<[Error, number]>([
  [new InvalidInputError('x'), 400],
  [new SessionNotFoundError('s'), 404],
  [new SessionExistsError('s'), 409],
  [new ApprovalNotPendingError('x'), 409],
  [new AwaitingApprovalError('x'), 409],
  [new OperationIdReusedError('x'), 409],
  [new SessionDeletedError('x'), 410],
  [new SessionExpiredError('x'), 410],
  [new SessionClosedError('s'), 410],
  [new ContentMissingError('x'), 410],
  [new MaxTurnsExceededError('MaxTurnsExceeded', 'x'), 422],
  [new ModelRequestRejectedError('ModelRequestRejected', 'x'), 502],
  [new InvalidModelResponseError('InvalidModelResponse', 'x'), 502],
  [new ModelUnavailableError('ModelUnavailable', 'x'), 503],
  [new TurnFailedError('TurnFailed', 'x'), 500],
  [new WorkerUnavailableError('x'), 503],
  [new BackendUnavailableError('x'), 503],
  [new UnreadableRowError('x'), 500],
  [new HttpError(413, 'PayloadTooLarge', 'x'), 413],
  [new Error('secret detail'), 500],
])('HTTP: %p answers %i', (error, status) => {
  const answer = errorResponse(error);
  expect(answer.status).toBe(status);
  if (!(error instanceof HttpError) && error.constructor === Error) expect(answer.body.error.message).not.toContain('secret');
});

test.each<[unknown, number]>([
  [new InvalidInputError('x'), ExitCode.CallerMistake],
  [new OperationIdReusedError('x'), ExitCode.CallerMistake],
  [new SessionNotFoundError('s'), ExitCode.CallerMistake],
  [new ModelUnavailableError('ModelUnavailable', 'x'), ExitCode.SystemFailure],
  [new BackendUnavailableError('x'), ExitCode.SystemFailure],
  [new UnreadableRowError('x'), ExitCode.SystemFailure],
  [new Error('bug'), ExitCode.SystemFailure],
  ['a string', ExitCode.SystemFailure],
])('CLI: %p exits %i', (error, code) => {
  expect(exitCodeFor(error)).toBe(code);
});

test.each<[unknown, string | undefined, boolean]>([
  [{ code: '23505', message: 'duplicate key' }, '23505', true],
  [{ code: '22P05', message: 'unsupported Unicode escape' }, '22P05', true],
  [{ code: '22001', message: 'value too long' }, '22001', true],
  [{ code: '08006', message: 'connection failure' }, '08006', false],
  [{ code: '57P01', message: 'admin shutdown' }, '57P01', false],
  [{ code: 'ECONNREFUSED', message: 'refused' }, undefined, false],
  [new Error('no code'), undefined, false],
  [undefined, undefined, false],
])('Postgres: %p has SQLSTATE %p, permanent %p', (error, state, permanent) => {
  expect(sqlState(error)).toBe(state);
  expect(isPermanentRefusal(error)).toBe(permanent);
});

function grpcError(code: number): Error {
  return new ServiceError('refused', { cause: Object.assign(new Error('grpc'), { code, details: 'd' }) });
}

test.each<[number, { retryable: boolean; deadline: boolean; notFound: boolean; unavailable: boolean }]>([
  [4, { retryable: false, deadline: true, notFound: false, unavailable: false }],
  [5, { retryable: false, deadline: false, notFound: true, unavailable: false }],
  [8, { retryable: true, deadline: false, notFound: false, unavailable: false }],
  [9, { retryable: true, deadline: false, notFound: false, unavailable: false }],
  [10, { retryable: true, deadline: false, notFound: false, unavailable: false }],
  [14, { retryable: true, deadline: false, notFound: false, unavailable: true }],
  [3, { retryable: false, deadline: false, notFound: false, unavailable: false }],
])('Temporal: gRPC code %i reads as %p', (code, expected) => {
  const error = grpcError(code);
  expect(grpcCode(error)).toBe(code);
  expect({ retryable: isRetryableRefusal(error), deadline: isDeadline(error), notFound: isNotFound(error), unavailable: isUnavailable(error) }).toEqual(expected);
});
