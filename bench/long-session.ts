/**
 * Sessions without end: one session through 10,000 turns (offline model answering at once) on real
 * parts. Prints per-turn p50/p99 and the worker's RSS around turns 10, 1,000 and 10,000, the number of
 * runs (continue-as-new), the largest history length and the largest carried payload; writes
 * bench/results/long-session-*.json. Run: `npm run bench:long` (BENCH_TURNS to change the length;
 * DATABASE_URL for a real Postgres, embedded PGlite otherwise).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startTestStack } from '../test/support/stack';
import { printTable, summarise, type BenchRow } from './stats';

const TURNS = Number(process.env.BENCH_TURNS ?? 10_000);
/** Turns around each checkpoint that are timed. */
const SAMPLE = 50;

async function main(): Promise<void> {
  const checkpoints = [10, 1_000, TURNS].filter((turn, index, all) => turn <= TURNS && all.indexOf(turn) === index);
  const stack = await startTestStack();
  const connection = await Connection.connect({ address: stack.temporal.address });
  try {
    const session = `bench-long:${Date.now().toString(36)}`;
    const turnMs: number[] = [];
    const rssMiB = new Map<number, number>();
    let largestHistoryLength = 0;
    for (let turn = 1; turn <= TURNS; turn++) {
      const start = process.hrtime.bigint();
      await stack.client.send(session, `message number ${turn}`);
      turnMs.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (checkpoints.includes(turn)) rssMiB.set(turn, Math.round(process.memoryUsage().rss / 2 ** 20));
      if (turn % 100 === 0 || turn === TURNS) {
        stack.model.reset(); // the test double records every request body; keep that out of the worker's RSS
        largestHistoryLength = Math.max(largestHistoryLength, (await stack.client.status(session)).historyLength);
        if (turn % 1000 === 0) process.stderr.write(`turn ${turn}\n`);
      }
    }
    const status = await stack.client.status(session);
    const temporal = new Client({ connection });
    let largestCarriedBytes = 0;
    for await (const execution of temporal.workflow.list({ query: `WorkflowId = "${session}"` })) {
      const history = await temporal.workflow.getHandle(session, execution.runId).fetchHistory();
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
      largestCarriedBytes = Math.max(largestCarriedBytes, input?.length ?? 0);
    }
    const rows: BenchRow[] = checkpoints.map((turn) => {
      const from = Math.max(0, turn - SAMPLE);
      return summarise(`turns ${from + 1}-${turn} (worker RSS ${rssMiB.get(turn)} MiB)`, turnMs.slice(from, turn));
    });
    console.log(`\n${TURNS} turns in one session; Postgres: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PGlite'}\n`);
    printTable(rows);
    const figures = {
      runs: status.run,
      itemCount: status.itemCount,
      largestHistoryLength,
      largestCarriedPayloadBytes: largestCarriedBytes,
      windowItems: status.window.items,
    };
    console.log(`\nruns (1 + continue-as-new): ${figures.runs}; items in Postgres: ${figures.itemCount}`);
    console.log(`largest history length of a run: ${figures.largestHistoryLength} events; largest carried payload: ${figures.largestCarriedPayloadBytes} bytes`);
    const resultsDir = path.join(__dirname, 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `long-session-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
    await writeFile(file, `${JSON.stringify({ turns: TURNS, rows, rssMiB: Object.fromEntries(rssMiB), ...figures, machine }, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await connection.close();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
