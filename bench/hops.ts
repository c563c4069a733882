/**
 * Where a turn's time goes, per hop: runs plain turns in one session, and the same number of turns of
 * the bare workflow (a model call and a Postgres write, nothing else), then reads both event histories
 * and gives the median time of each hop (a workflow task waiting for and running in the worker, each
 * activity from scheduled to completed), beside what the caller saw.
 * Run: `npm run bench:hops` (DATABASE_URL for a real Postgres; BENCH_SAMPLES turns, 50 by default);
 * `npm run bench:hops -- --tracing` compares the same turns with tracing off and on.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startTestStack } from '../test/support/stack';
import { startFloorWorker } from './floor/worker';
import { floorTurn } from './floor/workflows';
import { plainMessage } from './script';
import { printTable, summarise, type BenchRow } from './stats';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing } from '../src/telemetry/tracing';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);

type History = temporal.api.history.v1.IHistory;

/** The hops of every turn in a history, by name, in milliseconds. */
function hopsOf(history: History): Map<string, number[]> {
  const hops = new Map<string, number[]>();
  const record = (name: string, ms: number) => hops.set(name, [...(hops.get(name) ?? []), ms]);
  let after = 'the update';
  let taskScheduled = 0;
  let taskStarted = 0;
  let activityScheduled = 0;
  let activity = '';
  for (const event of history.events ?? []) {
    const type = String(temporal.api.enums.v1.EventType[event.eventType ?? 0]).replace('EVENT_TYPE_', '');
    const at = Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
    if (type === 'WORKFLOW_TASK_SCHEDULED') taskScheduled = at;
    if (type === 'WORKFLOW_TASK_STARTED') {
      taskStarted = at;
      record(`workflow task after ${after}: waits for the worker`, at - taskScheduled);
    }
    if (type === 'WORKFLOW_TASK_COMPLETED') record(`workflow task after ${after}: runs in the worker`, at - taskStarted);
    if (type === 'ACTIVITY_TASK_SCHEDULED') {
      activityScheduled = at;
      activity = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
    }
    if (type === 'ACTIVITY_TASK_COMPLETED') {
      record(`activity ${activity}: scheduled to completed`, at - activityScheduled);
      after = activity;
    }
    if (type === 'WORKFLOW_EXECUTION_UPDATE_COMPLETED') after = 'the update';
  }
  return hops;
}

/** Times `SAMPLES` sequential calls of `turn` after one warm-up. */
async function timeTurns(turn: (index: number) => Promise<unknown>): Promise<number[]> {
  await turn(-1);
  const caller: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    const start = process.hrtime.bigint();
    await turn(index);
    caller.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return caller;
}

function rowsOf(label: string, history: History, caller: number[]): BenchRow[] {
  const rows = [...hopsOf(history).entries()].filter(([, samples]) => samples.length >= SAMPLES / 2).map(([name, samples]) => summarise(`${label}: ${name}`, samples));
  return [...rows, summarise(`${label}: the caller, from call to result`, caller)];
}

/**
 * `--tracing`: the same turns with tracing off, on, and off again, side by side (three stacks, one after
 * the other; traced, spans go in batches over OTLP http/protobuf to a collector stand-in on loopback that drops them).
 */
async function compareTracing(): Promise<void> {
  const turns = async (label: string, traced: boolean): Promise<BenchRow[]> => {
    const stack = await startTestStack({ traced });
    try {
      const sessionId = `bench-hops-${traced ? 'traced' : 'untraced'}-${Date.now().toString(36)}`;
      const caller = await timeTurns((index) => stack.client.send(sessionId, plainMessage(index)));
      const connection = await Connection.connect({ address: stack.temporal.address });
      try {
        return rowsOf(label, await new Client({ connection }).workflow.getHandle(sessionId).fetchHistory(), caller);
      } finally {
        await connection.close();
      }
    } finally {
      await stack.stop();
    }
  };
  const off = await turns('tracing off', false);
  const collector = createServer((request, response) => request.resume().on('end', () => response.writeHead(200).end()));
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  const tracing = startTracing({ serviceName: 'bench-hops' });
  let on: BenchRow[];
  try {
    on = await turns('tracing on', true);
  } finally {
    await tracing?.shutdown();
    collector.close();
  }
  // Off once more, after: the first run also pays for a cold process, so off-on-off shows the order's share.
  const offAgain = await turns('tracing off, again', false);
  console.log(`\nper hop of a plain turn, tracing off, on, and off again (event history timestamps; ${SAMPLES} turns each)\n`);
  const hop = (row: BenchRow) => row.what.slice(row.what.indexOf(': '));
  printTable(off.flatMap((row) => [row, ...[...on, ...offAgain].filter((other) => hop(other) === hop(row))]));
}

async function main(): Promise<void> {
  if (process.argv.includes('--tracing')) return compareTracing();
  const stack = await startTestStack();
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection });
  const floor = await startFloorWorker(stack);
  try {
    const sessionId = `bench-hops-${Date.now().toString(36)}`;
    const ours = await timeTurns((index) => stack.client.send(sessionId, plainMessage(index)));
    const bare = await client.workflow.start('floorSession', { workflowId: `${sessionId}-floor`, taskQueue: floor.taskQueue });
    const floorCaller = await timeTurns((index) => bare.executeUpdate(floorTurn, { args: [plainMessage(index)] }));
    const rows = [...rowsOf('agent-sessions', await client.workflow.getHandle(sessionId).fetchHistory(), ours), ...rowsOf('bare workflow', await bare.fetchHistory(), floorCaller)];
    await bare.terminate('bench done');
    console.log(`\nper hop of a plain turn (event history timestamps; ${SAMPLES} turns each)\n`);
    printTable(rows);
  } finally {
    await floor.stop();
    await connection.close();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
