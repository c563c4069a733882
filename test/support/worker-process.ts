/** A worker as its own process (`agent-sessions worker` from the built package, its own agents or a module's), which a test or a scenario may kill. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OFFLINE_MODEL_ID } from '../../src/offline-model/wire';
import type { TestStack } from './stack';

/** Starts `agent-sessions worker` (with `args`) on the stack's task queue (with `env` added) and resolves once it polls. */
export async function spawnWorker(stack: TestStack, databaseUrl = stack.db.url, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<ChildProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-worker-'));
  const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'agent-sessions.js'), 'worker', ...args], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: databaseUrl,
      AGENT_SESSIONS_TASK_QUEUE: stack.taskQueue,
      AGENT_SESSIONS_DATA_DIR: dataDir,
      OPENAI_API_KEY: 'offline',
      OPENAI_BASE_URL: stack.model.baseURL,
      OPENAI_MODEL: OFFLINE_MODEL_ID,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the worker process exited (${code}): ${output.slice(-500)}`)));
  });
  return child;
}

/** Starts `agent-sessions worker --agents agentsModule` on the stack's task queue and resolves once it polls. */
export function spawnAgentsWorker(stack: TestStack, agentsModule: string, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  return spawnWorker(stack, stack.db.url, env, ['--agents', agentsModule]);
}

/** Kills a worker process with SIGKILL and waits until it is gone. */
export async function killWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}
