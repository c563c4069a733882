/**
 * How the client reads Temporal's refusals: which ones a retry with the same operation id will get
 * past (a run that is continuing as new, too many updates in flight, a closing run, a passing outage),
 * and which failure type a failed update carries. Decided by error classes and gRPC codes, never text.
 */
import { QueryNotRegisteredError, ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../shared/failures';

/** gRPC status codes Temporal answers with (from @grpc/grpc-js `status`). */
const GrpcStatus = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNAVAILABLE: 14,
} as const;

/** The gRPC status code somewhere in an error's cause chain, if any. */
export function grpcCode(error: unknown): number | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number' && 'details' in (current as object)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The ApplicationFailure a failed update carries, if any. */
export function updateFailure(error: unknown): ApplicationFailure | undefined {
  return error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure ? error.cause : undefined;
}

/**
 * Whether Temporal refused an update in a way that a retry with the same id gets past: the run is
 * continuing as new, ten updates are in flight, the run reached its update cap, the update was aborted
 * because its run closed, or the server is briefly unavailable.
 */
export function isRetryableRefusal(error: unknown): boolean {
  if (updateFailure(error)?.type === FailureType.SessionRollingOver) return true;
  const code = grpcCode(error);
  return code === GrpcStatus.RESOURCE_EXHAUSTED || code === GrpcStatus.ABORTED || code === GrpcStatus.FAILED_PRECONDITION || code === GrpcStatus.UNAVAILABLE;
}

/** Whether the call hit the client's own deadline (no worker took the update or query in time). */
export function isDeadline(error: unknown): boolean {
  return error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || grpcCode(error) === GrpcStatus.DEADLINE_EXCEEDED;
}

/** Whether Temporal says there is no such (running) workflow. */
export function isNotFound(error: unknown): boolean {
  return grpcCode(error) === GrpcStatus.NOT_FOUND;
}

/** Whether Temporal itself could not be reached. */
export function isUnavailable(error: unknown): boolean {
  return grpcCode(error) === GrpcStatus.UNAVAILABLE;
}

/**
 * Whether a query failed without a typed answer: Temporal's "Failed to query Workflow" (the run's
 * worker could not be reached, or its workflow task fails) or a failed query handler (INVALID_ARGUMENT,
 * whose message is "Encoded failure" when failures are encrypted).
 */
export function isQueryFailure(error: unknown): boolean {
  return error instanceof QueryNotRegisteredError || (error instanceof ServiceError && grpcCode(error) !== undefined);
}
