/** The one table from failure type to error class, shared by workflow and client. */
import {
  CompactionFailedError,
  errorForFailure,
  InvalidInputError,
  MaxTurnsExceededError,
  ModelUnavailableError,
  SessionDeletedError,
  SessionExpiredError,
  TurnFailedError,
} from '../../src/shared/errors';
import { FailureType } from '../../src/shared/failures';

test('each failure type a caller can act on becomes its own class, keeping the message', () => {
  const cases: Array<[string, new (...args: never[]) => Error, 'caller' | 'system']> = [
    [FailureType.InvalidInput, InvalidInputError, 'caller'],
    [FailureType.SessionDeleted, SessionDeletedError, 'caller'],
    [FailureType.SessionExpired, SessionExpiredError, 'caller'],
    [FailureType.MaxTurnsExceeded, MaxTurnsExceededError, 'system'],
    [FailureType.ModelUnavailable, ModelUnavailableError, 'system'],
    [FailureType.CompactionFailed, CompactionFailedError, 'system'],
  ];
  for (const [type, Class, kind] of cases) {
    const error = errorForFailure(type, `because ${type}`);
    expect(error).toBeInstanceOf(Class);
    expect({ type, kind: error.kind, message: error.message, name: error.name }).toEqual({ type, kind, message: `because ${type}`, name: Class.name });
  }
});

test('a turn failure keeps its type, and an unknown type becomes a TurnFailedError with that type', () => {
  const known = errorForFailure(FailureType.MaxTurnsExceeded, 'loop');
  expect(known).toBeInstanceOf(TurnFailedError);
  expect((known as TurnFailedError).failureType).toBe('MaxTurnsExceeded');
  const unknown = errorForFailure('ModelHttp503', 'busy');
  expect(unknown).toBeInstanceOf(TurnFailedError);
  expect((unknown as TurnFailedError).failureType).toBe('ModelHttp503');
});
