/**
 * The fault suite (`npm run chaos`, never part of `npm test`): each scenario runs on real parts (a
 * Temporal dev server, Postgres, the offline model over HTTP, real workers), bounded in time and count,
 * and prints one row: messages sent, accepted, answered, ended in a typed error, lost, duplicated,
 * projection mismatches, sessions left blocked, wall time. Writes chaos/results/chaos-*.json.
 * CHAOS_SCENARIOS picks scenarios (comma-separated names); DATABASE_URL for a real Postgres.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestStack, type TestStack } from '../test/support/stack';
import type { ChaosRow, Ledger } from './ledger';
import { modelFaults } from './scenarios/model-faults';
import { oneSessionManyClients } from './scenarios/one-session-many-clients';
import { postgresOutage } from './scenarios/postgres-outage';
import { workerKills } from './scenarios/worker-kills';
import { hostileInputs } from './scenarios/hostile-inputs';
import { approvalsAcrossRollover } from './scenarios/approvals-rollover';
import { temporalRestart } from './scenarios/temporal-restart';
import { crossSite } from './scenarios/cross-site';
import { deleteForgotten } from './scenarios/delete-forgotten';
import { keylessClient } from './scenarios/keyless-client';
import { toolKill } from './scenarios/tool-kill';

/** What a scenario reports. */
type Outcome = { row: ChaosRow; notes: string[]; errors?: Record<string, number> };

/** A scenario on the shared stack (started when the first such scenario asks for it). */
type Scenario = (sharedStack: () => Promise<TestStack>) => Promise<Outcome>;

/** A scenario on the shared stack, checked by its ledger. */
const withLedger =
  (scenario: (stack: TestStack) => Promise<{ ledger: Ledger; notes: string[] }>): Scenario =>
  async (sharedStack) => {
    const stack = await sharedStack();
    const { ledger, notes } = await scenario(stack);
    return { row: await ledger.verify(stack.client), notes, errors: ledger.errors() };
  };

/** A scenario on a stack of its own, checked by its ledger; the stack is stopped afterwards. */
const onOwnStack =
  (scenario: () => Promise<{ ledger: Ledger; notes: string[]; stack: TestStack }>): Scenario =>
  async () => {
    const { ledger, notes, stack } = await scenario();
    try {
      return { row: await ledger.verify(stack.client), notes, errors: ledger.errors() };
    } finally {
      await stack.stop();
    }
  };

const SCENARIOS: Record<string, Scenario> = {
  'one-session': withLedger(oneSessionManyClients),
  'model-faults': withLedger(modelFaults),
  'worker-kills': withLedger(workerKills),
  'postgres-outage': withLedger(postgresOutage),
  'hostile-inputs': async (sharedStack) => hostileInputs(await sharedStack()),
  'approvals-rollover': onOwnStack(approvalsAcrossRollover),
  'temporal-restart': onOwnStack(temporalRestart),
  'cross-site': async (sharedStack) => crossSite(await sharedStack()),
  'delete-forgotten': () => deleteForgotten(),
  'keyless-client': () => keylessClient(),
  'tool-kill': onOwnStack(toolKill),
};

const COLUMNS: Array<[keyof ChaosRow, string]> = [
  ['scenario', 'scenario'],
  ['sent', 'sent'],
  ['accepted', 'accepted'],
  ['answered', 'answered'],
  ['typedErrors', 'typed errors'],
  ['lost', 'lost'],
  ['duplicated', 'duplicated'],
  ['mismatches', 'mismatches'],
  ['blocked', 'blocked'],
  ['plaintext', 'plaintext'],
  ['wallSeconds', 'wall s'],
];

function printRows(rows: ChaosRow[]): void {
  const cells = [COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => String(row[key])))];
  const widths = COLUMNS.map((_, column) => Math.max(...cells.map((line) => line[column].length)));
  for (const [index, line] of cells.entries()) {
    console.log(line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
}

async function main(): Promise<void> {
  const chosen = (process.env.CHAOS_SCENARIOS ?? Object.keys(SCENARIOS).join(',')).split(',');
  const unknown = chosen.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; CHAOS_SCENARIOS takes ${Object.keys(SCENARIOS).join(', ')}`);
  let shared: Promise<TestStack> | undefined;
  const sharedStack = () => (shared ??= startTestStack());
  const rows: ChaosRow[] = [];
  const details: Record<string, { notes: string[]; errors: Record<string, number> }> = {};
  try {
    for (const name of chosen) {
      process.stderr.write(`scenario ${name}...\n`);
      const { row, notes, errors } = await SCENARIOS[name](sharedStack);
      rows.push(row);
      details[row.scenario] = { notes, errors: errors ?? {} };
      process.stderr.write(`  ${JSON.stringify(row)}\n`);
    }
  } finally {
    await (await shared?.catch(() => undefined))?.stop();
  }
  console.log(`\nfault suite on ${os.cpus().length} cores; Postgres: ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PGlite'}\n`);
  printRows(rows);
  for (const [scenario, { notes, errors }] of Object.entries(details)) {
    for (const note of notes) console.log(`${scenario}: ${note}`);
    for (const [error, count] of Object.entries(errors)) console.log(`${scenario}: ${count} x ${error}`);
  }
  const dir = path.join(__dirname, 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify({ rows, details }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
