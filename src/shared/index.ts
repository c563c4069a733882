// src/shared: workflow-safe definitions both sides use (schemas, wire names, limits, errors); imports no other folder and does no I/O.
/**
 * `agent-sessions/shared`: workflow-safe definitions (zod schemas with their types, wire names, limits,
 * failure types and error classes). Imports nothing that does I/O, so any code may use it.
 */
export * from './schemas';
export { ContentPart, UserContentPart, CONTENT_REF_PREFIX, IMAGE_MEDIA_TYPES, FILE_MEDIA_TYPES, isContentRef, parseDataUrl } from './content-parts';
export { HOSTED_TOOL_CALL_TYPES, contentText, contentForDisplay, describeItem, isFunctionCall, isMessage, pairingOf, typeOf } from './items';
export * from './errors';
export { FailureType } from './failures';
export * from './messages';
export * from './limits';
export * from './memory';
export * from './listing';
export * from './approvals';
export { EXPORT_FORMAT, EXPORT_VERSION, SessionExport, documentUpToTurn } from './export';
export { ModelSettings, handoffOutput, handoffToolName } from './agent';
export { namespacedSessionId } from './session-ids';
