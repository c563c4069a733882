/** Runs a session worker until stopped: migrates the projection, connects, polls the task queue. */
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Pool } from 'pg';
import { openProjectionPool } from '../postgres/pool';
import { createSessionWorker } from './create-worker';

/** Where a worker connects and which model it calls. */
export interface WorkerSettings {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  model: { baseURL?: string; apiKey: string; defaultModel: string; timeoutMs?: number };
  /** A pre-built workflow bundle (tests build it once); bundled from src/workflows when absent. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

let runtimeInstalled = false;

/** Makes the Temporal runtime log warnings and errors only (once per process, before any worker). */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** A running worker. */
export interface RunningWorker {
  /** Settles when the worker stops (rejects if it failed). */
  done: Promise<void>;
  /** Stops polling, lets running tasks finish, closes connections. */
  stop(): Promise<void>;
}

/** Starts a worker; it runs until `stop()`. */
export async function startWorker(settings: WorkerSettings, pool?: Pool): Promise<RunningWorker> {
  installQuietRuntime();
  const ownPool = pool ? undefined : await openProjectionPool(settings.databaseUrl);
  const projectionPool = pool ?? (ownPool as Pool);
  const { worker, connection } = await createSessionWorker({
    temporalAddress: settings.temporalAddress,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    pool: projectionPool,
    openai: { baseURL: settings.model.baseURL, apiKey: settings.model.apiKey, timeoutMs: settings.model.timeoutMs },
    defaultModel: settings.model.defaultModel,
    workflowBundle: settings.workflowBundle,
  });
  const done = worker.run().finally(async () => {
    await connection.close();
    await ownPool?.end();
  });
  return {
    done,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
