/**
 * A worker (or `serve`) that cannot start exits at once, non-zero, with one `error:` line: a bad
 * database, a failed migration, malformed encryption keys, a bad agents module. SIGTERM during start-up
 * ends it at once. Runs the built CLI (`npx tsc -p tsconfig.build.json` first); needs no Temporal.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createEmptyDatabase, type EmptyDatabase } from './support/database';

const CLI = path.join(__dirname, '..', 'bin', 'agent-sessions.js');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stderr: string;
  /** The lines of standard error that are not JSON log lines. */
  lines: string[];
}

let dir: string;
let conflicting: EmptyDatabase;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-startup-'));
  conflicting = await createEmptyDatabase();
  // A migrations table some other tool made: the worker's migration cannot read it.
  const client = new Client({ connectionString: conflicting.url });
  await client.connect();
  // In the projection's schema (agent_sessions by default), and in public (where older deployments kept it).
  await client.query('CREATE SCHEMA agent_sessions');
  await client.query('CREATE TABLE agent_sessions.schema_migrations (version text PRIMARY KEY, applied_at timestamptz)');
  await client.query('CREATE TABLE public.schema_migrations (version text PRIMARY KEY, applied_at timestamptz)');
  await client.end();
});

afterAll(async () => {
  await conflicting?.drop();
});

/** Runs the CLI with `env` until it exits (killed after 20 s); `onStart` may signal it. */
function run(args: string[], env: NodeJS.ProcessEnv = {}, onStart?: (pid: number) => void): Promise<Exit> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      DATABASE_URL: SERVER_URL,
      OPENAI_API_KEY: 'test',
      AGENT_SESSIONS_DATA_DIR: dir,
      AGENT_SESSIONS_ENCRYPTION_KEYS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  onStart?.(child.pid!);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      const lines = stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
      resolve({ code, signal, ms: Date.now() - started, stderr, lines });
    });
  });
}

const worker = (env: NodeJS.ProcessEnv, args: string[] = []) => run(['worker', ...args], env);

/** The exit of a start-up failure: non-zero, well within 10 s, one `error:` line. */
function expectFailed(exit: Exit, code: number, pattern: RegExp): void {
  expect({ code: exit.code, signal: exit.signal, lines: exit.lines }).toEqual({ code, signal: null, lines: [expect.stringMatching(pattern)] });
  expect(exit.lines[0]).toMatch(/^error: /);
  expect(exit.ms).toBeLessThan(10_000);
}

const otherDatabase = (name: string) => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

test('a database that does not exist', async () => {
  expectFailed(await worker({ DATABASE_URL: otherDatabase('no_such_database_here') }), 1, /database "no_such_database_here" does not exist/);
});

test('a database host that refuses connections', async () => {
  expectFailed(await worker({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' }), 1, /ECONNREFUSED/);
});

test('a role the database refuses', async () => {
  const url = new URL(SERVER_URL);
  url.username = 'no_such_role_here';
  expectFailed(await worker({ DATABASE_URL: url.toString() }), 1, /no_such_role_here/);
});

test('a migration that fails (a schema_migrations table of another shape)', async () => {
  expectFailed(await worker({ DATABASE_URL: conflicting.url }), 1, /column "id" does not exist/);
});

test('malformed encryption keys', async () => {
  expectFailed(await worker({ AGENT_SESSIONS_ENCRYPTION_KEYS: 'not-a-key' }), 2, /AGENT_SESSIONS_ENCRYPTION_KEYS|key/);
});

test('an agents module that does not exist', async () => {
  expectFailed(await worker({}, ['--agents', './nope.ts']), 2, /cannot load the agents module \.\/nope\.ts/);
});

test('an agents module that throws', async () => {
  const file = path.join(dir, 'throws.ts');
  await writeFile(file, "throw new Error('the pricing service is down');\nexport const agents = [];\n");
  expectFailed(await worker({}, ['--agents', file]), 2, /the pricing service is down/);
});

test('serve on a port already taken', async () => {
  const taken = new URL(SERVER_URL).port || '5432';
  expectFailed(await run(['serve', '--port', taken]), 1, /EADDRINUSE/);
});

test('SIGTERM during start-up (Temporal accepts the connection and never answers) ends the process at once', async () => {
  // A server that takes connections and says nothing: the worker's connection to Temporal waits on it.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  let signalledAt = 0;
  try {
    const exit = await run(['worker'], { TEMPORAL_ADDRESS: address }, (pid) => {
      const waitForConnection = setInterval(() => {
        if (sockets.size === 0) return;
        clearInterval(waitForConnection);
        signalledAt = Date.now();
        process.kill(pid, 'SIGTERM');
      }, 50);
    });
    expect(signalledAt).toBeGreaterThan(0); // it was still starting when signalled
    expect(Date.now() - signalledAt).toBeLessThan(3_000);
    expect(exit.code).toBe(143);
    expect(exit.lines).toEqual(['stopped by SIGTERM during start-up']);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});
