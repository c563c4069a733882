// src/: the package root (index.ts re-exports the client) and config.ts (settings from the environment); may import client, codec, shared.
/** The package root: the client (`agent-sessions/client`). Workers import `agent-sessions/worker`. */
export * from './client';
