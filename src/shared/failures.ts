/**
 * The `type` of every ApplicationFailure the workflow throws at a caller. The client maps each to an
 * error class; the split between the caller's mistakes and system faults starts here.
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
  /** The model answered with something that is not a valid completion. */
  InvalidModelResponse: 'InvalidModelResponse',
  /** A turn failed for another reason the message explains. */
  TurnFailed: 'TurnFailed',
  /** The agent or tool named does not exist in this worker. */
  UnknownAgentOrTool: 'UnknownAgentOrTool',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
