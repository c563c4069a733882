/**
 * The `type` of every ApplicationFailure the workflow throws at a caller. The client maps each to an
 * error class through the one table in `errors.ts`; no caller ever matches on message text.
 */
export const FailureType = {
  /** The caller sent something the validator refused. */
  InvalidInput: 'InvalidInput',
  /** The agent loop called the model more often than allowed in one turn. */
  MaxTurnsExceeded: 'MaxTurnsExceeded',
  /** The model endpoint refused the request (4xx other than 429): retrying will not help. */
  ModelRequestRejected: 'ModelRequestRejected',
  /** The model endpoint stayed unavailable through every retry. */
  ModelUnavailable: 'ModelUnavailable',
  /**
   * The model endpoint answered a transient HTTP error (429, 408, 409, 5xx; the status is in the
   * message and details): retried; when the retries run out the turn fails as ModelUnavailable.
   * Histories recorded before this type carry `ModelHttp<status>` (see `failureTypeOf`).
   */
  ModelHttpError: 'ModelHttpError',
  /** The model gave no complete answer within the worker's model timeout: retried like ModelHttpError. */
  ModelDeadline: 'ModelDeadline',
  /** The model answered with something that is not a valid completion, through every retry. */
  InvalidModelResponse: 'InvalidModelResponse',
  /** A turn failed for another reason the message explains. */
  TurnFailed: 'TurnFailed',
  /** The agent or tool named does not exist in this worker. */
  UnknownAgentOrTool: 'UnknownAgentOrTool',
  /** Postgres refused to store what an operation wrote (a data or constraint error): retrying cannot help. */
  ProjectionRejected: 'ProjectionRejected',
  /** The summarisation model call failed; the session is unchanged. */
  CompactionFailed: 'CompactionFailed',
  /** The session was deleted; its id cannot be used again. */
  SessionDeleted: 'SessionDeleted',
  /** The session ended after its idle time-to-live; its items stay readable. */
  SessionExpired: 'SessionExpired',
  /** The run is about to continue as new; the client retries with the same id. Never reaches a caller. */
  SessionRollingOver: 'SessionRollingOver',
  /** An approve or reject named a tool call that does not wait for a decision (or was decided the other way). */
  ApprovalNotPending: 'ApprovalNotPending',
  /** A turn waits for a human's approval and enough operations already wait behind it; decide first, or send later. */
  AwaitingApproval: 'AwaitingApproval',
  /** An operation id the session remembers was sent again with different arguments; nothing changed. */
  OperationIdReused: 'OperationIdReused',
  /**
   * The agent declares an `outputType` and the model's final answer is not JSON, or does not match the
   * schema: retrying the same conversation will not help; the session is unchanged.
   */
  InvalidOutput: 'InvalidOutput',
  /** A retry of an operation whose remembered outcome was too large to keep across a rollover. */
  OutcomeForgotten: 'OutcomeForgotten',
  /** An item refers to a stored image or file (a content part) that is no longer in the projection. */
  ContentMissing: 'ContentMissing',
  /**
   * An activity read a Postgres row this version cannot read (an `UnreadableRowError`, named by its
   * class): retried, since a worker of the version that wrote it can read it during a rolling deploy.
   */
  UnreadableRow: 'UnreadableRowError',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** `ModelHttp<status>`: how histories recorded before ModelHttpError name a transient HTTP error of the model endpoint. */
const LEGACY_MODEL_HTTP = /^ModelHttp\d{3}$/;

/**
 * The failure type a recorded or received type string means: every FailureType as itself, an old
 * `ModelHttp<status>` as ModelHttpError, anything else (an activity's own type) unchanged.
 */
export function failureTypeOf(type: string): string {
  return LEGACY_MODEL_HTTP.test(type) ? FailureType.ModelHttpError : type;
}

/**
 * Failure types of faults the activity's retries are for: when they run out, the turn fails as
 * ModelUnavailable (the caller never sees these types).
 */
export const TRANSIENT_MODEL_FAILURES: ReadonlySet<string> = new Set([FailureType.ModelHttpError, FailureType.ModelDeadline]);
