/**
 * The errors the library throws, one class per failure a caller can act on, and the one table that
 * maps a failure type (from the workflow, an activity or Postgres) to its class. Workflow-safe.
 * `CallerError`s are the caller's to fix; `SystemError`s are faults the same call may outlive.
 */
import { FailureType, failureTypeOf } from './failures';

/** Base class of every error this library throws. */
export abstract class AgentSessionsError extends Error {
  /** Whether the caller can fix it by changing the call ('caller') or must wait for or fix the system ('system'). */
  abstract readonly kind: 'caller' | 'system';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A mistake of the caller's; the same call will fail again. */
export abstract class CallerError extends AgentSessionsError {
  readonly kind = 'caller' as const;
}

/** A fault of the system; the same call may succeed later. */
export abstract class SystemError extends AgentSessionsError {
  readonly kind = 'system' as const;
}

/** The input was refused before it entered the session; nothing was recorded. */
export class InvalidInputError extends CallerError {}

/** No session has this id. */
export class SessionNotFoundError extends CallerError {
  constructor(readonly sessionId: string) {
    super(`no session "${sessionId}" exists; send it a message first to start it`);
  }
}

/** The session was closed by an operator (terminated, cancelled or failed); its id cannot start a new one. */
export class SessionClosedError extends CallerError {
  constructor(readonly sessionId: string) {
    super(`the session "${sessionId}" is closed; use a new session id`);
  }
}

/** An approve or reject named a tool call that does not wait for a decision; the message lists those that do. */
export class ApprovalNotPendingError extends CallerError {}

/**
 * The session's turn waits for a human's approval and enough operations already wait behind it (each
 * holds one of Temporal's few update slots, which decisions need too): approve or reject first, or send later.
 */
export class AwaitingApprovalError extends CallerError {}

/** A new session (import, fork) was asked for under an id that a session has or had; ids are never reused. */
export class SessionExistsError extends CallerError {
  constructor(readonly sessionId: string) {
    super(`a session "${sessionId}" exists or existed; import or fork into a new session id`);
  }
}

/** A payload is encrypted with a key this process does not hold; set AGENT_SESSIONS_ENCRYPTION_KEYS to the worker's keys. */
export class EncryptionKeyError extends CallerError {}

/** The session was deleted with `deleteSession`; its id is never reused. */
export class SessionDeletedError extends CallerError {}

/** The session ended after its idle time-to-live; its items stay readable in the projection. */
export class SessionExpiredError extends CallerError {}

/** A turn ran but failed; the session is unchanged. `failureType` says which failure. */
export class TurnFailedError extends SystemError {
  constructor(
    readonly failureType: string,
    message: string,
  ) {
    super(message);
  }
}

/** The agent called the model too often in one turn; rephrase, or raise the agent's maxModelCalls. */
export class MaxTurnsExceededError extends TurnFailedError {}

/** The model endpoint refused the request (bad key, model or settings); retrying will not help. */
export class ModelRequestRejectedError extends TurnFailedError {}

/** The model endpoint stayed unreachable through every retry; try again later. */
export class ModelUnavailableError extends TurnFailedError {}

/** The model kept answering with something that is not a usable completion. */
export class InvalidModelResponseError extends TurnFailedError {}

/**
 * The agent declares an `outputType` (structured output) and the model's final answer was not JSON or
 * did not match it; the message says what was wrong. The session is unchanged: send again, or loosen
 * the schema (or the instructions) so the model can meet it.
 */
export class InvalidOutputError extends TurnFailedError {}

/** The session's agent or tool is not registered with the worker that ran the turn. */
export class UnknownAgentError extends TurnFailedError {}

/** A compaction failed (the summarisation call); the session is unchanged. */
export class CompactionFailedError extends TurnFailedError {}

/** An operation was run, but its outcome was too large to remember across a rollover; read the session instead. */
export class OutcomeForgottenError extends TurnFailedError {}

/**
 * An item refers to a stored image or file (a content part) that is gone from the projection: the
 * model cannot be given it and it cannot be read back. Remove the items that carry it, or start anew.
 */
export class ContentMissingError extends TurnFailedError {
  constructor(message: string);
  constructor(failureType: string, message: string);
  constructor(first: string, second?: string) {
    super(second === undefined ? FailureType.ContentMissing : first, second ?? first);
  }
}

/**
 * An operation id the session already knows (queued, running or remembered) came again with different
 * arguments: an id names one operation, so this one was refused and nothing changed. Use a new id.
 */
export class OperationIdReusedError extends CallerError {}

/** Temporal or Postgres could not be reached. */
export class BackendUnavailableError extends SystemError {}

/** No worker took the message within the wait; it may still run once a worker starts (retry with the same id). */
export class WorkerUnavailableError extends SystemError {}

/**
 * Postgres returned a row this version cannot read: the database is not at this version's migrations
 * (a newer or an older version wrote it), or a row was changed by hand.
 */
export class UnreadableRowError extends SystemError {}

type FailureClass = new (failureType: string, message: string) => AgentSessionsError;

/** Adapts a class built from a message alone to the table's (type, message) constructor. */
function fromMessage(Class: (new (message: string) => CallerError) | (new (message: string) => SystemError)): FailureClass {
  const Base = Class as new (message: string) => CallerError;
  const Adapted = class extends Base {
    constructor(_type: string, message: string) {
      super(message);
      this.name = Class.name;
    }
  };
  Object.defineProperty(Adapted, 'name', { value: Class.name });
  return Adapted as unknown as FailureClass;
}

/**
 * The one table: which class a failure type becomes. Failure types not listed (an activity's own
 * types, for instance) become a plain `TurnFailedError` with that type.
 */
export const FAILURE_CLASSES: Partial<Record<string, FailureClass>> = {
  [FailureType.InvalidInput]: fromMessage(InvalidInputError),
  [FailureType.SessionDeleted]: fromMessage(SessionDeletedError),
  [FailureType.ApprovalNotPending]: fromMessage(ApprovalNotPendingError),
  [FailureType.AwaitingApproval]: fromMessage(AwaitingApprovalError),
  [FailureType.OperationIdReused]: fromMessage(OperationIdReusedError),
  [FailureType.SessionExpired]: fromMessage(SessionExpiredError),
  [FailureType.SessionRollingOver]: fromMessage(BackendUnavailableError),
  [FailureType.MaxTurnsExceeded]: MaxTurnsExceededError,
  [FailureType.ModelRequestRejected]: ModelRequestRejectedError,
  [FailureType.ModelUnavailable]: ModelUnavailableError,
  [FailureType.ModelHttpError]: ModelUnavailableError,
  [FailureType.ModelDeadline]: ModelUnavailableError,
  [FailureType.InvalidModelResponse]: InvalidModelResponseError,
  [FailureType.InvalidOutput]: InvalidOutputError,
  [FailureType.UnknownAgentOrTool]: UnknownAgentError,
  [FailureType.CompactionFailed]: CompactionFailedError,
  [FailureType.OutcomeForgotten]: OutcomeForgottenError,
  [FailureType.ContentMissing]: ContentMissingError,
  [FailureType.ProjectionRejected]: TurnFailedError,
  [FailureType.UnreadableRow]: fromMessage(UnreadableRowError),
  [FailureType.TurnFailed]: TurnFailedError,
};

/** The library error for a failure type (an old recorded spelling read as its type today) and its message. */
export function errorForFailure(type: string | undefined, message: string): AgentSessionsError {
  const failureType = type === undefined ? FailureType.TurnFailed : failureTypeOf(type);
  const Class = FAILURE_CLASSES[failureType] ?? TurnFailedError;
  return new Class(failureType, message);
}
