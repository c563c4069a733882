/** A worker for the bare workflow, in this process, on the stack's Temporal server and Postgres. */
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import OpenAI from 'openai';
import type { TestStack } from '../../test/support/stack';
import { floorActivities } from './activities';

const silent = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Starts the bare workflow's worker (default settings) on a task queue of its own. */
export async function startFloorWorker(stack: TestStack): Promise<{ taskQueue: string; stop(): Promise<void> }> {
  await stack.db.pool.query('CREATE TABLE IF NOT EXISTS bench_floor_turns (message text NOT NULL, reply text NOT NULL)');
  const taskQueue = `bench-floor-${Date.now().toString(36)}`;
  const connection = await NativeConnection.connect({ address: stack.temporal.address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: silent }),
    activities: floorActivities(new OpenAI({ baseURL: stack.model.baseURL, apiKey: 'offline', maxRetries: 0 }), stack.db.pool),
  });
  const running = worker.run();
  return {
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
