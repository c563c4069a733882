/** The workflows a worker registers (bundled from this file): conversations, the retention pass, and the reaper of deleted sessions' executions. */
export { conversation } from './conversation';
export { retention } from './retention';
export { reapSession } from './reaper';
