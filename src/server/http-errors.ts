/**
 * How the HTTP API answers a failure: the library's error class as `type`, its kind and message, and
 * the status code that fits it. One table, so every route answers the same failure the same way.
 */
import {
  AgentSessionsError,
  ContentMissingError,
  ApprovalNotPendingError,
  AwaitingApprovalError,
  BackendUnavailableError,
  EncryptionKeyError,
  InvalidInputError,
  MaxTurnsExceededError,
  OperationIdReusedError,
  ModelRequestRejectedError,
  ModelUnavailableError,
  InvalidModelResponseError,
  SessionClosedError,
  SessionDeletedError,
  SessionExistsError,
  SessionExpiredError,
  SessionNotFoundError,
  TurnFailedError,
  UnknownAgentError,
  WorkerUnavailableError,
} from '../shared/errors';

/** An error of the HTTP layer itself (a route or method that does not exist, a missing token, a body too large). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Status codes by error class, most specific first. */
const STATUS_BY_CLASS: [abstract new (...args: never[]) => AgentSessionsError, number][] = [
  [InvalidInputError, 400],
  [SessionNotFoundError, 404],
  [SessionExistsError, 409],
  [ApprovalNotPendingError, 409],
  [AwaitingApprovalError, 409],
  [OperationIdReusedError, 409],
  [SessionDeletedError, 410],
  [SessionExpiredError, 410],
  [SessionClosedError, 410],
  [ContentMissingError, 410],
  [MaxTurnsExceededError, 422],
  [UnknownAgentError, 422],
  [ModelRequestRejectedError, 502],
  [InvalidModelResponseError, 502],
  [ModelUnavailableError, 503],
  [TurnFailedError, 500],
  [WorkerUnavailableError, 503],
  [EncryptionKeyError, 500],
  [BackendUnavailableError, 503],
];

/** The JSON body of an error response. */
export interface ErrorBody {
  error: { type: string; kind: 'caller' | 'system'; message: string; failureType?: string };
}

/** The status code and JSON body for any error a route throws; unknown errors are a 500 without their details. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof HttpError) {
    return { status: error.status, body: { error: { type: error.type, kind: error.status < 500 ? 'caller' : 'system', message: error.message } } };
  }
  if (error instanceof AgentSessionsError) {
    const status = STATUS_BY_CLASS.find(([Class]) => error instanceof Class)?.[1] ?? (error.kind === 'caller' ? 400 : 500);
    const failureType = error instanceof TurnFailedError ? { failureType: error.failureType } : {};
    return { status, body: { error: { type: error.name, kind: error.kind, message: error.message, ...failureType } } };
  }
  return { status: 500, body: { error: { type: 'InternalError', kind: 'system', message: 'the server failed to answer; see its log' } } };
}
