/**
 * Does the cost of a turn grow with the session? Runs 500 plain text turns in one session (offline
 * model answering at once) on real parts, and times turns 1–50 against turns 451–500, plus reading
 * the latest 50 items from the projection. Prints a table and writes bench/results/turns-*.json.
 * Run: `npm run bench` (DATABASE_URL for a real Postgres; embedded PGlite otherwise).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestStack } from '../test/support/stack';
import { printTable, summarise, type BenchRow } from './stats';

const TURNS = Number(process.env.BENCH_TURNS ?? 500);
const WINDOW = 50;
const READS = 200;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main(): Promise<void> {
  const stack = await startTestStack();
  try {
    const session = `bench:${Date.now().toString(36)}`;
    const turnMs: number[] = [];
    const historyBytes: number[] = [];
    for (let turn = 1; turn <= TURNS; turn++) {
      turnMs.push(await timed(() => stack.client.send(session, `message number ${turn}`)));
      if (turn === WINDOW || turn === TURNS) historyBytes.push((await stack.client.status(session)).historySizeBytes);
    }
    const projectionReads: number[] = [];
    const queryReads: number[] = [];
    for (let read = 0; read < READS; read++) {
      projectionReads.push(await timed(() => stack.client.items(session, { limit: WINDOW })));
      queryReads.push(await timed(() => stack.client.workflowItems(session, { limit: WINDOW })));
    }
    const rows: BenchRow[] = [
      summarise(`turn ${1}-${WINDOW}`, turnMs.slice(0, WINDOW)),
      summarise(`turn ${TURNS - WINDOW + 1}-${TURNS}`, turnMs.slice(TURNS - WINDOW)),
      summarise(`items(limit ${WINDOW}) from Postgres`, projectionReads),
      summarise(`getItems(limit ${WINDOW}) query`, queryReads),
    ];
    const [bytesEarly, bytesLate] = historyBytes;
    const bytesPerTurnLate = (bytesLate - bytesEarly) / (TURNS - WINDOW);
    console.log(`\n${TURNS} turns in one session; Postgres: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PGlite'}\n`);
    printTable(rows);
    console.log(`\nhistory size: ${bytesEarly} bytes after turn ${WINDOW}, ${bytesLate} after turn ${TURNS}`);
    console.log(`history growth: ${(bytesEarly / WINDOW).toFixed(0)} bytes/turn over turns 1-${WINDOW}, ${bytesPerTurnLate.toFixed(0)} bytes/turn after`);
    const resultsDir = path.join(__dirname, 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `turns-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
    await writeFile(file, `${JSON.stringify({ turns: TURNS, rows, historyBytes: { afterEarly: bytesEarly, afterAll: bytesLate, perTurnLate: bytesPerTurnLate }, machine }, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
