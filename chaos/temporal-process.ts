/**
 * A Temporal dev server run as a child process of the suite (not through the SDK's test environment,
 * which hides the process), so that a scenario can stop it with SIGTERM or SIGKILL and start it again
 * on the same port and the same SQLite file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../src/dev/ports';
import { resolveTemporalCli } from '../src/dev/temporal-cli';
import { DEV_SERVER_DYNAMIC_CONFIG, dynamicConfigArgs, type TemporalDevServer } from '../src/dev/temporal-server';

/** How long a (re)started server may take to answer. */
const READY_WITHIN_MS = 60_000;

/** A dev server whose process the scenario controls. */
export interface RestartableTemporal extends TemporalDevServer {
  /** Stops the server with `signal` and waits until its process is gone. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the server again on the same port and database file, and waits until it answers. */
  restart(): Promise<void>;
}

/** Starts a headless dev server that keeps its state in a SQLite file of its own (removed by `stop`). */
export async function startRestartableTemporal(dynamicConfig: Record<string, string | number | boolean> = {}): Promise<RestartableTemporal> {
  const cli = await resolveTemporalCli(process.env.TEMPORAL_CLI_PATH, (line) => process.stderr.write(`${line}\n`));
  if (cli.type !== 'existing-path') throw new Error('this scenario runs the Temporal CLI itself: set TEMPORAL_CLI_PATH or install Go to build it');
  const executable = cli.path;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'agent-sessions-chaos-temporal-'));
  const port = await freePort(0);
  const address = `127.0.0.1:${port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    'default',
    '--headless',
    '--db-filename',
    path.join(dir, 'temporal.db'),
    '--log-format',
    'pretty',
    '--log-level',
    'error',
    ...dynamicConfigArgs({ ...DEV_SERVER_DYNAMIC_CONFIG, ...dynamicConfig }),
  ];
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    output = '';
    const started = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) => started.once('exit', (code, signal) => reject(new Error(`the dev server exited (${code ?? signal}): ${output}`))));
    exited.catch(() => undefined);
    await Promise.race([answering(address), exited]);
  }

  async function kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const gone = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await gone;
  }

  const orphaned = () => child?.kill('SIGKILL');
  process.once('exit', orphaned);
  await start();
  return {
    address,
    kill,
    restart: start,
    stop: async () => {
      process.off('exit', orphaned);
      await kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server at `address` answers for the default namespace; throws after a minute. */
async function answering(address: string): Promise<void> {
  const giveUpAt = Date.now() + READY_WITHIN_MS;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1 second' });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > giveUpAt) throw new Error(`the dev server at ${address} did not answer within ${READY_WITHIN_MS / 1000} s: ${(error as Error).message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
