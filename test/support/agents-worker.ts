/** A worker process serving an agents module (`agent-sessions worker --agents MODULE`), which a test may kill. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OFFLINE_MODEL_ID } from '../../src/offline-model/wire';
import type { TestStack } from './stack';

/** Starts `agent-sessions worker --agents module` on the stack's task queue and resolves once it polls. */
export async function spawnAgentsWorker(stack: TestStack, agentsModule: string, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-tools-'));
  const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'agent-sessions.js'), 'worker', '--agents', agentsModule], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      DATABASE_URL: stack.db.url,
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
