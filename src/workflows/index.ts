// src/workflows: the deterministic workflows (conversation, retention, reaper) bundled into the sandbox; may import shared, and activities as types only.
/** The workflows a worker registers (bundled from this file): conversations, the retention pass, and the reaper of deleted sessions' executions. */
export { conversation } from './conversation';
export { retention } from './retention';
export { reapSession } from './reaper';
