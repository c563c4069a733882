/** The package root: the client (`agent-sessions/client`). Workers import `agent-sessions/worker`. */
export * from './client';
