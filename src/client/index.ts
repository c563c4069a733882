// src/client: the SessionsClient library and the @openai/agents Session adapter (agent-sessions/client); may import activities (executions only), codec, postgres, shared.
/**
 * `agent-sessions/client` (and the package root): what callers use to talk to sessions. Runs in any
 * Node process; needs Temporal for operations and Postgres for reads.
 */
export { RETENTION_SCHEDULE_ID, SessionHandle, SessionsClient, type MessageInput, type OperationOptions, type SessionsClientOptions, type StartOptions } from './sessions-client';
export { DurableAgentSession } from './agents-sdk-session';
export { parseKeyRing, type KeyRing } from '../codec/key-ring';
export type { StreamEvent, StoredStreamEvent } from '../shared/stream';
export * from './errors';
export { namespacedSessionId } from '../shared/session-ids';
export { secret, type Secret } from '../shared/secrets';
export type { ListedSession, SessionFilter, SessionPage, SessionUsage, UsageEntry } from '../shared/listing';
export type { Memory, MemoryInput, MemorySelector } from '../shared/memory';
export type { ApprovalDecisionResult, PendingApproval } from '../shared/approvals';
export type { ImportResult, SessionExport } from '../shared/export';
export type { Item, JsonObject, Labels, SessionItem, SessionSettings, SessionSettingsInput, SessionStatus, TurnResult, Usage, UserMessage } from '../shared/schemas';
