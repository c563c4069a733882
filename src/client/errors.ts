/**
 * The errors the client library throws. `CallerError`s are the caller's to fix (bad input, unknown
 * session); `SystemError`s are faults of the backends or the model. Each message says what to do next.
 */

/** Base class of every error this library throws. */
export abstract class AgentSessionsError extends Error {
  /** Whether the caller can fix it by changing the call ('caller') or must fix the system ('system'). */
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

/** The session once existed but was closed (terminated or failed); its id cannot start a new one. */
export class SessionClosedError extends CallerError {
  constructor(readonly sessionId: string) {
    super(`the session "${sessionId}" is closed; use a new session id`);
  }
}

/** The turn ran but failed (the model refused, stayed unreachable, or looped); the session is unchanged. */
export class TurnFailedError extends SystemError {
  constructor(
    readonly failureType: string,
    message: string,
  ) {
    super(message);
  }
}

/** Temporal or Postgres could not be reached. */
export class BackendUnavailableError extends SystemError {}
