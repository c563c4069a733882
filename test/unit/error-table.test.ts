/** The one table from failure type to error class, shared by workflow and client. */
import {
  CompactionFailedError,
  errorForFailure,
  FAILURE_CLASSES,
  InvalidInputError,
  MaxTurnsExceededError,
  ModelUnavailableError,
  SessionDeletedError,
  SessionExpiredError,
  TurnFailedError,
} from '../../src/shared/errors';
import { FailureType, failureTypeOf } from '../../src/shared/failures';

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
  const unknown = errorForFailure('SomeActivityType', 'odd');
  expect(unknown).toBeInstanceOf(TurnFailedError);
  expect((unknown as TurnFailedError).failureType).toBe('SomeActivityType');
});

test('every failure type has its class in the table', () => {
  for (const type of Object.values(FailureType)) expect({ type, listed: FAILURE_CLASSES[type] !== undefined }).toEqual({ type, listed: true });
});

test('a type recorded in an old history keeps its meaning: ModelHttp<status> reads as ModelHttpError', () => {
  expect(failureTypeOf('ModelHttp503')).toBe(FailureType.ModelHttpError);
  expect(failureTypeOf('ModelHttp429')).toBe(FailureType.ModelHttpError);
  expect(failureTypeOf('ModelHttpError')).toBe(FailureType.ModelHttpError);
  expect(failureTypeOf('ModelHttpX')).toBe('ModelHttpX');
  const old = errorForFailure('ModelHttp503', 'busy');
  expect(old).toBeInstanceOf(ModelUnavailableError);
  expect((old as TurnFailedError).failureType).toBe(FailureType.ModelHttpError);
  expect(errorForFailure(FailureType.ModelDeadline, 'slow')).toBeInstanceOf(ModelUnavailableError);
});
