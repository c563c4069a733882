/**
 * What a process serving the client (`serve`, or an application's own server) reports to its probes:
 * readiness when Temporal answers through the client's connection and the projection answers with
 * every migration applied; liveness always (the event loop answered).
 */
import type { Transport } from './transport';
import { checkProjectionReady } from '../postgres/readiness';
import { BackendUnavailableError } from '../shared/errors';
import { CHECK_TIMEOUT_MS, runChecks, type HealthCheck, type HealthSource } from '../telemetry/health';
import type { BacklogSource } from '../telemetry/task-queue-backlog';

/** The client's health checks. */
export function clientHealth(transport: Transport): HealthSource {
  const temporal: HealthCheck = {
    name: 'temporal',
    check: async () => {
      const { connection, workflowService } = transport.temporal;
      await connection
        .withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => workflowService.getSystemInfo({}))
        .catch((error: Error) => {
          throw new BackendUnavailableError(`Temporal does not answer: ${error.message.split('\n')[0]}; check TEMPORAL_ADDRESS and the server`, { cause: error });
        });
    },
  };
  const pool = transport.pool;
  const checks = pool ? [temporal, { name: 'postgres', check: () => checkProjectionReady(pool) }] : [temporal];
  return {
    live: () => runChecks([{ name: 'process', check: () => undefined }]),
    ready: () => runChecks(checks),
  };
}

/** The client's task queue, for the backlog metric (`registerBacklogSource`). */
export function clientBacklogSource(transport: Transport): BacklogSource {
  return { workflowService: transport.temporal.workflowService, namespace: transport.temporal.options.namespace, taskQueue: transport.taskQueue };
}
