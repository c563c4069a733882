/** Builds a worker that runs conversation workflows and their activities on one task queue. */
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import OpenAI from 'openai';
import type { Pool } from 'pg';
import { agents } from '../agents';
import { createActivities } from '../activities';
import { supportTools } from '../activities/tools/support';

/** Everything a session worker talks to. */
export interface SessionWorkerOptions {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  openai: { baseURL?: string; apiKey: string; timeoutMs?: number };
  defaultModel: string;
  /** A pre-built workflow bundle (tests build it once); bundled from src/workflows when absent. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

/** The path the workflow bundle is built from. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** How long one model request may take before it is abandoned and retried. */
const DEFAULT_MODEL_TIMEOUT_MS = 120_000;

/** Connects to Temporal and creates the worker; run it with `worker.run()`, close `connection` after. */
export async function createSessionWorker(options: SessionWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  try {
    const openai = new OpenAI({
      apiKey: options.openai.apiKey,
      baseURL: options.openai.baseURL,
      timeout: options.openai.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS,
      maxRetries: 0,
    });
    const worker = await Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
      activities: createActivities({ openai, pool: options.pool, agents, tools: supportTools, defaultModel: options.defaultModel }),
    });
    return { worker, connection };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
