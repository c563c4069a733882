/**
 * `agent-sessions/client` (and the package root): what callers use to talk to sessions. Runs in any
 * Node process; needs Temporal for operations and Postgres for reads.
 */
export {
  RETENTION_SCHEDULE_ID,
  SessionsClient,
  type OperationOptions,
  type SessionsClientOptions,
  type StartOptions,
} from './sessions-client';
export { DurableAgentSession } from './agents-sdk-session';
export * from './errors';
export { namespacedSessionId } from '../shared/session-ids';
export type {
  Item,
  JsonObject,
  SessionItem,
  SessionSettings,
  SessionSettingsInput,
  SessionStatus,
  TurnResult,
  Usage,
  UserMessage,
} from '../shared/schemas';
