/**
 * What a running worker's probes check. Liveness: the worker has not failed (it runs, or drains after
 * a stop was asked for). Readiness: the worker is RUNNING with both pollers polling, Temporal answers
 * its health check, Postgres answers and has every migration applied.
 */
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { checkProjectionReady } from '../postgres/readiness';
import { BackendUnavailableError, SystemError } from '../shared/errors';
import { runChecks, type HealthCheck, type HealthSource } from '../telemetry/health';

/**
 * The health a running worker reports (`RunningWorker.health`): `live()` fails only when the worker
 * failed or stopped; `ready()` fails while it does not poll, or Temporal or Postgres does not answer, or
 * a migration is missing.
 */
export type WorkerHealth = HealthSource;

/** The worker has stopped polling for good (failed, or stopped outside a drain). */
class WorkerNotRunningError extends SystemError {}

/** Serving status 1 of grpc.health.v1 (SERVING). */
const SERVING = 1;

/** The checks of one worker, over its Temporal connection and its projection pool. */
export function workerHealth(worker: Worker, connection: NativeConnection, pool: Pool, taskQueue: string): WorkerHealth {
  const state = () => worker.getState();
  const live: HealthCheck = {
    name: 'worker',
    check: () => {
      const now = state();
      if (now === 'FAILED' || now === 'STOPPED') throw new WorkerNotRunningError(`the worker is ${now}; restart the process (its log says why)`);
    },
  };
  const polling: HealthCheck = {
    name: 'worker',
    check: () => {
      const now = state();
      if (now !== 'RUNNING') throw new WorkerNotRunningError(`the worker is ${now}, not RUNNING`);
      const status = worker.getStatus();
      const idle = [
        ['workflow', status.workflowPollerState],
        ['activity', status.activityPollerState],
      ].filter(([, poller]) => poller !== 'POLLING');
      if (idle.length > 0) throw new WorkerNotRunningError(`the ${idle.map(([kind, poller]) => `${kind} poller is ${poller}`).join(' and the ')} on task queue "${taskQueue}"`);
    },
  };
  const temporal: HealthCheck = {
    name: 'temporal',
    check: async () => {
      const answer = await connection.healthService.check({}).catch((error: Error) => {
        throw new BackendUnavailableError(`Temporal does not answer: ${error.message.split('\n')[0]}; check TEMPORAL_ADDRESS and the server`, { cause: error });
      });
      if (answer.status !== SERVING) throw new BackendUnavailableError(`Temporal answers its health check with status ${answer.status}, not SERVING`);
    },
  };
  const postgres: HealthCheck = { name: 'postgres', check: () => checkProjectionReady(pool) };
  return {
    live: () => runChecks([live]),
    ready: () => runChecks([polling, temporal, postgres]),
  };
}
