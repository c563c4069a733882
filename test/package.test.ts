/**
 * The package as people install it: `npm pack` yields compiled JavaScript and type declarations; a
 * fresh project outside the repository installs the tarball, type-checks its own agent against the
 * public API, runs a worker with the `agent-sessions` bin from node_modules/.bin, and talks to it with
 * the CLI and the library. The Dockerfile's production install runs from the committed lock file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTemporalDevServer, type TemporalDevServer } from '../src/dev/temporal-server';
import { startOfflineModel, type OfflineModel } from '../src/offline-model/server';
import { OFFLINE_MODEL_ID } from '../src/offline-model/wire';
import { createTestDatabase, type TestDatabase } from './support/database';

jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'installed-project');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without blocking this process (which serves the offline model). */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command that must succeed; its stdout. */
async function succeed(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

let temporal: TemporalDevServer;
let db: TestDatabase;
let model: OfflineModel;
let scratch: string;
let tarball: string;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  [temporal, db, model, scratch] = await Promise.all([
    startTemporalDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH, log: (line) => process.stderr.write(`${line}\n`) }),
    createTestDatabase(),
    startOfflineModel(),
    mkdtemp(path.join(os.tmpdir(), 'agent-sessions-package-')),
  ]);
  const packed = await succeed('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: ROOT });
  tarball = path.join(scratch, (JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string }[])[0].filename);
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await Promise.all([temporal?.stop(), db?.drop(), model?.close()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('npm pack', () => {
  test('ships compiled JavaScript, type declarations for every entry point, the bin and the migrations, and no sources or tests', async () => {
    const listing = await succeed('tar', ['-tzf', tarball], { cwd: scratch });
    const files = listing
      .split('\n')
      .filter(Boolean)
      .map((file) => file.replace(/^package\//, ''));
    for (const entry of ['index', 'client/index', 'worker/index', 'shared/index', 'testing/index']) {
      expect(files).toContain(`dist/${entry}.js`);
      expect(files).toContain(`dist/${entry}.d.ts`);
    }
    expect(files).toEqual(expect.arrayContaining(['bin/agent-sessions.js', 'dist/workflows/index.js', 'migrations/001_sessions_and_items.sql']));
    expect(files.filter((file) => /^(src|test|bench|scripts)\//.test(file) || file.endsWith('.map'))).toEqual([]);
    expect((await stat(tarball)).size).toBeLessThan(400_000);
  });
});

describe('a fresh project that installs the package', () => {
  let project: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    project = path.join(scratch, 'my-agents');
    await mkdir(project);
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'my-agents', version: '1.0.0', private: true }));
    await succeed('npm', ['install', '--no-audit', '--no-fund', tarball, 'zod@^4'], { cwd: project });
    for (const file of await readdir(FIXTURE)) await copyFile(path.join(FIXTURE, file), path.join(project, file));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: db.url,
      OPENAI_API_KEY: 'offline',
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_MODEL: OFFLINE_MODEL_ID,
      AGENT_SESSIONS_TASK_QUEUE: 'installed-project',
      AGENT_SESSIONS_DATA_DIR: path.join(project, '.data'),
    };
  });

  test("type-checks the user's agent against the installed declarations", async () => {
    await succeed(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project });
  });

  test('runs a worker for its own agent from node_modules/.bin, and talks to it with the CLI and the library', async () => {
    const bin = path.join(project, 'node_modules', '.bin', 'agent-sessions');
    worker = spawn(bin, ['worker', '--agents', './agents.ts'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker did not start:\n${output}`)), 120_000);
      const listen = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker polling')) {
          clearTimeout(timer);
          resolve();
        }
      };
      worker!.stdout!.on('data', listen);
      worker!.stderr!.on('data', listen);
      worker!.on('exit', (code) => reject(new Error(`the worker exited (${code}):\n${output}`)));
    });
    expect(output).toContain('agents: pantry from ./agents.ts');

    const reply = await succeed(bin, ['send', '--session', 'bo:pantry', 'Please store the honey'], { cwd: project, env });
    expect(reply.trim()).toBe('Here is what I found: Stored "Please store the honey"; the pantry holds 1 jars.');
    expect(JSON.parse(await succeed(bin, ['context', '--session', 'bo:pantry'], { cwd: project, env }))).toEqual({ jars: ['Please store the honey'] });

    const library = JSON.parse(await succeed(process.execPath, ['client.mjs'], { cwd: project, env }));
    expect(library).toEqual({
      reply: 'Here is what I found: Stored "Please store the jam"; the pantry holds 1 jars.',
      agent: 'pantry',
      context: { jars: ['Please store the jam'] },
      items: ['pantry', 'pantry', 'pantry', 'pantry'],
    });
  });
});

describe("the Dockerfile's production install", () => {
  test('installs from the committed lock file with npm ci --omit=dev, and the CLI runs without dev tools', async () => {
    const image = path.join(scratch, 'image');
    await mkdir(image);
    for (const file of ['package.json', 'package-lock.json']) await copyFile(path.join(ROOT, file), path.join(image, file));
    await succeed('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: image });
    for (const folder of ['dist', 'bin', 'migrations']) await cp(path.join(ROOT, folder), path.join(image, folder), { recursive: true });
    await expect(stat(path.join(image, 'node_modules', 'typescript'))).rejects.toThrow();
    const help = await succeed(process.execPath, ['bin/agent-sessions.js', '--help'], { cwd: image });
    expect(help).toContain('usage: npx agent-sessions <command>');
  });
});
