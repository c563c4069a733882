/**
 * Tools run at least once, and say so: each call carries an idempotency key, the same on every run of
 * that call (a worker killed mid-call, an activity retry, an approved call retried), and its attempt.
 * A long tool heartbeats, so that a call lost with its worker runs again within seconds, not minutes.
 */
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Pool } from 'pg';
import { cashier, closeEffects, prepareEffects } from './fixtures/keyed-charge-agents';
import { startTestStack, type TestStack } from './support/stack';
import { killWorker, spawnAgentsWorker } from './support/worker-process';

const AGENTS_MODULE = path.join(__dirname, 'fixtures', 'keyed-charge-agents.ts');

let stack: TestStack;
let effects: Pool;
let child: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startTestStack({ agents: [cashier] });
  process.env.TOOL_EFFECTS_URL = stack.db.url;
  await prepareEffects(stack.db.url);
  effects = new Pool({ connectionString: stack.db.url, max: 2 });
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await effects?.end();
  await closeEffects();
  await stack?.stop();
});

beforeEach(() => stack.model.reset());

interface Run {
  key: string | null;
  attempt: number | null;
  pid: number;
  at: Date;
}

const runs = async (tag: string): Promise<Run[]> => (await effects.query<Run>('SELECT key, attempt, pid, at FROM tool_runs WHERE call_tag = $1 ORDER BY id', [tag])).rows;
const charges = async (tag: string): Promise<number> => Number((await effects.query('SELECT count(*) AS n FROM tool_charges WHERE call_tag = $1', [tag])).rows[0].n);

/** Polls until `check` gives a value (at most `ms`). */
async function waitFor<T>(check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a worker killed during an 8 s tool: the call runs again on another worker within seconds, with the same key, and charges once', async () => {
  const session = 'tools:crash';
  await stack.stopWorkers();
  child = await spawnAgentsWorker(stack, AGENTS_MODULE);
  stack.model.enqueue({ toolCalls: [{ name: 'charge', arguments: { amount: 40, tag: 'crash', ms: 8_000 } }] }, { text: 'Charged.' });
  const turn = stack.client.send(session, 'Charge me 40 EUR');
  await waitFor(async () => ((await runs('crash')).length === 1 ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 500)); // the tool is in its 8 s wait
  const killedAt = Date.now();
  await killWorker(child);
  child = undefined;
  await stack.startWorker();

  const [first, second] = await waitFor(async () => {
    const seen = await runs('crash');
    return seen.length >= 2 ? seen : undefined;
  }, 150_000);
  const rerunAfterMs = second.at.getTime() - killedAt;
  process.stderr.write(`tool rerun ${rerunAfterMs} ms after the kill\n`);
  expect(rerunAfterMs).toBeLessThan(20_000);
  const result = await turn;
  expect(result.reply).toBe('Charged.');
  const callId = result.items.flatMap((entry) => (entry.item.type === 'function_call' ? [entry.item.call_id] : []))[0];
  expect(first.key).toBe(`${session}:${callId}`);
  expect(second.key).toBe(first.key);
  expect([first.attempt, second.attempt]).toEqual([1, 2]);
  expect(await runs('crash')).toHaveLength(2);
  expect(await charges('crash')).toBe(1);
  expect(await stack.client.items(session)).toEqual(await stack.client.workflowItems(session));
}, 200_000);

test('an approved call whose first attempt fails after charging: the retry has the same key, the charge is applied once', async () => {
  const session = 'tools:approved';
  stack.model.enqueue({ toolCalls: [{ name: 'charge', arguments: { amount: 500, tag: 'approved', failFirst: true } }] }, { text: 'Charged 500.' });
  const turn = stack.client.send(session, 'Charge me 500 EUR');
  const pending = await waitFor(async () => {
    const calls = await stack.client.pendingApprovals(session).catch(() => []);
    return calls.length === 1 ? calls : undefined;
  });
  await stack.client.approve(session, pending[0].callId);
  const result = await turn;
  expect(result.reply).toBe('Charged 500.');
  const seen = await runs('approved');
  expect(seen.map((run) => run.key)).toEqual([`${session}:${pending[0].callId}`, `${session}:${pending[0].callId}`]);
  expect(seen.map((run) => run.attempt)).toEqual([1, 2]);
  expect(await charges('approved')).toBe(1);
});

test('different calls get different keys', async () => {
  const session = 'tools:two';
  stack.model.enqueue(
    {
      toolCalls: [
        { name: 'charge', arguments: { amount: 5, tag: 'two-a' } },
        { name: 'charge', arguments: { amount: 6, tag: 'two-b' } },
      ],
    },
    { text: 'Both charged.' },
  );
  expect((await stack.client.send(session, 'Two charges')).reply).toBe('Both charged.');
  const [a] = await runs('two-a');
  const [b] = await runs('two-b');
  expect(a.key).toMatch(/^tools:two:call_/);
  expect(b.key).toMatch(/^tools:two:call_/);
  expect(a.key).not.toBe(b.key);
  expect(await charges('two-a')).toBe(1);
  expect(await charges('two-b')).toBe(1);
});
