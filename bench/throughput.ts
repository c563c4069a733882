/**
 * Throughput with many concurrent sessions on one worker: each session takes one turn, all at once,
 * against a bare workflow making the same round trips (a model call, a Postgres write) on the same
 * Temporal server with a worker of default settings: Temporal's floor on this machine.
 */
import { Client, Connection } from '@temporalio/client';
import type { TestStack } from '../test/support/stack';
import { startFloorWorker } from './floor/worker';
import { floorTurn } from './floor/workflows';

/** Runs `work` on every item, at most `width` at a time. */
async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += width) await Promise.all(items.slice(start, start + width).map(work));
}

/** Turns a second when `sessions` each take one turn at the same moment (after one warm-up turn each). */
async function turnsPerSecond<T>(sessions: T[], warmUp: (session: T) => Promise<unknown>, turn: (session: T) => Promise<unknown>): Promise<number> {
  await inBatches(sessions, 100, warmUp);
  const start = process.hrtime.bigint();
  await Promise.all(sessions.map(turn));
  return sessions.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** This project's turns a second and the bare workflow's, with `concurrency` sessions each. */
export async function measureThroughput(stack: TestStack, concurrency: number): Promise<{ agentSessions: number; floor: number }> {
  const run = Date.now().toString(36);
  const ids = Array.from({ length: concurrency }, (_, index) => `bench-throughput-${run}-${index}`);
  const agentSessions = await turnsPerSecond(
    ids,
    (id) => stack.client.send(id, 'hello'),
    (id) => stack.client.send(id, 'hello again'),
  );
  process.stderr.write('measured agent-sessions throughput\n');

  const floorWorker = await startFloorWorker(stack);
  const client = new Client({ connection: await Connection.connect({ address: stack.temporal.address }) });
  try {
    const handles = ids.map((id) => client.workflow.getHandle(`floor-${id}`));
    const floor = await turnsPerSecond(
      handles,
      async (handle) => {
        await client.workflow.start('floorSession', { workflowId: handle.workflowId, taskQueue: floorWorker.taskQueue });
        await handle.executeUpdate(floorTurn, { args: ['hello'] });
      },
      (handle) => handle.executeUpdate(floorTurn, { args: ['hello again'] }),
    );
    await inBatches(handles, 100, (handle) => handle.terminate('bench done'));
    return { agentSessions, floor };
  } finally {
    await client.connection.close();
    await floorWorker.stop();
  }
}
