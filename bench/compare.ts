/**
 * Side by side, in one run, on real parts and the same offline model over HTTP:
 * 1. turn latency (a plain turn, a turn with one tool call) at several session lengths for this
 *    project, `@openai/agents` run() with a MemorySession, and LangGraph JS with PostgresSaver;
 * 2. the time to the first streamed text, against the model's own;
 * 3. throughput with many concurrent sessions on one worker, against a bare workflow making the same
 *    round trips on the same server (Temporal's floor);
 * 4. reading the latest 50 items of long sessions, against a bare indexed SELECT.
 * Prints tables and writes bench/results/compare-*.json. Run: `npm run bench` (DATABASE_URL for a real
 * Postgres; BENCH_LENGTHS, BENCH_SAMPLES, BENCH_CONCURRENCY, BENCH_SYSTEMS to change the run).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestStack, type TestStack } from '../test/support/stack';
import { measureFirstText } from './first-text';
import { measureReads } from './reads';
import { printTable, summarise, type BenchRow } from './stats';
import { agentSessionsSystem } from './systems/agent-sessions';
import { agentsSdkSystem } from './systems/agents-sdk';
import { langGraphSystem } from './systems/langgraph';
import type { BenchSystem } from './systems/system';
import { measureThroughput } from './throughput';
import { plainMessage, TOOL_MESSAGE } from './script';

const LENGTHS = (process.env.BENCH_LENGTHS ?? '50,1000,10000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1000);
const SYSTEMS = (process.env.BENCH_SYSTEMS ?? 'agent-sessions,agents-sdk,langgraph').split(',');
/** Untimed turns before each series (connections, caches, JIT). */
const WARM_UP = 3;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The systems this run compares, on the stack's model and Postgres. */
async function systems(stack: TestStack): Promise<BenchSystem[]> {
  const all: Record<string, () => Promise<BenchSystem>> = {
    'agent-sessions': async () => agentSessionsSystem(stack.client),
    'agents-sdk': () => agentsSdkSystem(stack.model.baseURL),
    langgraph: () => langGraphSystem(stack.model.baseURL, stack.db.url),
  };
  return Promise.all(SYSTEMS.map((name) => all[name]()));
}

/** Plain-turn and tool-turn latency of each system at each session length. */
async function measureTurns(stack: TestStack, compared: BenchSystem[]): Promise<Array<BenchRow & { system: string; length: number; kind: string }>> {
  const rows: Array<BenchRow & { system: string; length: number; kind: string }> = [];
  for (const length of LENGTHS) {
    for (const system of compared) {
      const sessionId = `bench-${length}-${system.name.split(' ')[0].replace(/\W/g, '')}-${Date.now().toString(36)}`;
      await system.prefill(sessionId, length);
      for (let turn = 0; turn < WARM_UP; turn++) await system.turn(sessionId, plainMessage(turn));
      const plain: number[] = [];
      const withTool: number[] = [];
      for (let sample = 0; sample < SAMPLES; sample++) {
        plain.push(await timed(() => system.turn(sessionId, plainMessage(length + sample))));
        withTool.push(await timed(() => system.turn(sessionId, TOOL_MESSAGE)));
        if (sample % 10 === 9) stack.model.reset(); // the offline model records requests; keep that memory out of the figures
      }
      for (const [kind, samples] of [
        ['plain turn', plain],
        ['turn with a tool call', withTool],
      ] as const) {
        rows.push({ ...summarise(`${system.name} @ ${length} turns: ${kind}`, samples), system: system.name, length, kind });
      }
      process.stderr.write(`measured ${system.name} at ${length} turns\n`);
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const stack = await startTestStack();
  const compared = await systems(stack);
  try {
    const turns = await measureTurns(stack, compared);
    const firstText = await measureFirstText(stack, SAMPLES);
    const throughput = await measureThroughput(stack, CONCURRENCY);
    const reads = await measureReads(stack, [1_000, 100_000]);

    console.log(`\nPostgres: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PGlite'}; ${os.cpus().length} cores; ${SAMPLES} samples a row\n`);
    printTable(turns);
    console.log('');
    printTable(firstText.rows);
    console.log(
      `\nthroughput, ${CONCURRENCY} concurrent sessions on one worker (a turn each): ` +
        `agent-sessions ${throughput.agentSessions.toFixed(1)} turns/s, bare workflow ${throughput.floor.toFixed(1)} turns/s ` +
        `(${((100 * throughput.agentSessions) / throughput.floor).toFixed(0)}% of the floor)\n`,
    );
    printTable(reads.rows);

    const resultsDir = path.join(__dirname, 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `compare-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
    await writeFile(file, `${JSON.stringify({ samples: SAMPLES, turns, firstText, throughput, reads, machine }, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await Promise.all(compared.map((system) => system.close()));
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
