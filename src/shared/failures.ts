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
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
