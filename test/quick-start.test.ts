/**
 * The README's quick start, as a new user runs it: `agent-sessions demo` on the embedded defaults
 * (dev server, PGlite, offline model), then `send` and `history` from other processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const CLI = path.join(__dirname, '..', 'bin', 'agent-sessions.js');
let dataDir: string;
let demo: ChildProcess | undefined;
let output = '';

/** The environment of a new user: nothing configured but the data folder. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AGENT_SESSIONS_DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'AGENT_SESSIONS_TASK_QUEUE']) delete env[name];
  return env;
}

/** Runs a CLI command to completion (with extra environment, or text on standard input). */
function cli(...args: string[]) {
  return cliWith({}, ...args);
}

function cliWith(options: { env?: NodeJS.ProcessEnv; input?: string }, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...userEnv(), ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-quick-start-'));
  demo = spawn(process.execPath, [CLI, 'demo'], { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not get ready in 100 s:\n${output}`)), 100_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    demo?.stdout?.on('data', onData);
    demo?.stderr?.on('data', onData);
    demo?.once('exit', (code) => reject(new Error(`the demo exited early (${code}):\n${output}`)));
  });
}, 110_000);

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    demo.kill('SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
});

test('the demo remembers the name across turns and across a worker restart', () => {
  expect(output).toContain('Nice to meet you, Alice!');
  expect(output).toContain('Order 1234: shipped on Monday');
  const restart = output.indexOf('stopping the worker and starting a new one');
  const recall = output.indexOf('support> Your name is Alice.');
  expect(restart).toBeGreaterThan(0);
  expect(recall).toBeGreaterThan(restart);
});

test('the demo says where each service runs, including the Temporal UI', () => {
  expect(output).toMatch(/Temporal UI: http:\/\/127\.0\.0\.1:\d+/);
  expect(output).toContain('embedded PGlite');
  expect(output).toContain('offline test double');
  expect(output).toMatch(/Watch the event history: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/alice%3Asupport/);
});

test('the demo prints human lines only: no JSON log lines, no webpack bundle report', () => {
  const lines = output.split('\n');
  expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
  for (const report of ['assetsByChunkName', 'modules by path', 'workflow-bundle-', '"level":', 'Workflow bundle created']) {
    expect({ report, found: output.includes(report) }).toEqual({ report, found: false });
  }
  expect(output).toContain('Worker:     polling task queue "agent-sessions"');
  expect(output).toContain('support> Your name is Alice.');
});

test('send and history from another process reach the running stack', () => {
  const sent = cli('send', '--session', 'alice:support', "What's my name?");
  expect(sent).toMatchObject({ status: 0, stdout: 'Your name is Alice.\n' });
  const history = cli('history', '--session', 'alice:support', '--limit', '2', '--json');
  expect(history.status).toBe(0);
  const items = JSON.parse(history.stdout);
  expect(items.map((entry: { seq: number }) => entry.seq)).toEqual([9, 10]);
  expect(items[1].item).toEqual({ type: 'message', role: 'assistant', content: 'Your name is Alice.' });
});

test('a failing command exits non-zero with a one-line reason', () => {
  const missing = cli('history', '--limit', '2');
  expect(missing.status).toBe(2);
  expect(missing.stderr.trim().split('\n')).toEqual(['error: --session: ID is required']);
  const unknown = cli('status', '--session', 'nobody:here');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr.trim()).toBe('error: no session "nobody:here" exists; send it a message first to start it');
});

test('the session operations work from the command line, in one order with turns', () => {
  const session = 'cli:operations';
  expect(cli('send', '--session', session, '--id', 'cli-1', 'My name is Lena.')).toMatchObject({ status: 0, stdout: 'Nice to meet you, Lena!\n' });
  const again = cli('send', '--session', session, '--id', 'cli-1', '--json', 'My name is Lena.');
  expect(JSON.parse(again.stdout).items[0].seq).toBe(1);
  const items = JSON.stringify([{ type: 'message', role: 'user', content: 'added by hand' }]);
  const added = cliWith({ input: items }, 'add', '--session', session, '--json', '-');
  expect(added).toMatchObject({ status: 0 });
  expect(added.stdout).toContain('#3');
  expect(cli('pop', '--session', session).stdout).toContain('added by hand');
  expect(cli('compact', '--session', session)).toMatchObject({ status: 0, stdout: 'nothing old enough to summarise\n' });
  expect(cli('clear', '--session', session)).toMatchObject({ status: 0 });
  expect(cli('history', '--session', session)).toMatchObject({ status: 0, stdout: `(no items for session ${session})\n` });
  expect(cli('delete', '--session', session)).toMatchObject({ status: 0 });
  const deleted = cli('send', '--session', session, 'Hello?');
  expect(deleted.status).toBe(2);
  expect(deleted.stderr).toContain('was deleted');
});

test('history reads Postgres alone, so it works while Temporal is unreachable', () => {
  const history = cliWith({ env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } }, 'history', '--session', 'alice:support', '--limit', '1', '--json');
  expect(history.status).toBe(0);
  expect(JSON.parse(history.stdout)).toHaveLength(1);
});

test('bad options and unknown sessions exit 2 with one line; a dead Temporal exits 1 with one line', () => {
  for (const limit of ['0x2', '1e1', '0', '-1', '2.0']) {
    const result = cli('history', '--session', 'alice:support', '--limit', limit);
    expect({ limit, status: result.status }).toEqual({ limit, status: 2 });
  }
  const unknown = cli('history', '--session', 'nobody:here');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  const badId = cli('send', '--session', 'has space', 'hi');
  expect(badId.status).toBe(2);
  const worker = cliWith({ env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } }, 'worker');
  expect(worker.status).toBe(1);
  expect(worker.stderr.trim().split('\n')).toEqual([expect.stringContaining('error: cannot reach Temporal at 127.0.0.1:1')]);
});

test('Ctrl-C stops the stack cleanly', async () => {
  const exited = new Promise<number | null>((resolve) => demo?.once('exit', (code) => resolve(code)));
  demo?.kill('SIGINT');
  expect(await exited).toBe(0);
});
