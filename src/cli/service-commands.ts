/** `worker`, `dev`, `demo` and `migrate`: the commands that run the system. */
import { mkdir } from 'node:fs/promises';
import { Pool } from 'pg';
import { loadConfig, type Config } from '../config';
import { runDemo } from './demo';
import { clearEndpoints, saveEndpoints } from '../dev/endpoints';
import { startModelService } from '../dev/model-endpoint';
import { startDevStack } from '../dev/stack';
import { migrate as applyMigrations } from '../postgres/migrate';
import { supportAgent } from '../dev/demo-agent';
import { loadAgentsModule, type AgentsModule } from '../worker/agents-module';
import { startWorker, type RunningWorker, type WorkerSettings } from '../worker/run-worker';
import { installRuntimeLogger, releaseIdleRuntime } from '../worker/temporal-logging';
import { createConsoleLogger } from './console-log';
import { InvalidInputError } from '../client/errors';
import { SessionsClient } from '../client/sessions-client';
import { knownEndpoints, requireDatabase, requireTemporal } from './endpoints';
import { checkOptions, RetentionOptions, WorkerOptions } from './options';
import { untilInterrupted, type CommandInput } from './connect';
import { CANCEL_MARGIN_MS, serviceOptions, StartingHealth, startWorkerProbes } from './observability';
import { installRuntimeWithMetrics } from '../worker/temporal-metrics';
import { Probes } from '../telemetry/health';

const say = (line: string) => console.log(line);

/** The agents a `worker` or `dev` command serves: the module `--agents` names, or the demo agent. */
async function agentsFor(values: CommandInput['values']): Promise<AgentsModule & { from: string }> {
  const { agents } = checkOptions(WorkerOptions, { agents: values.agents });
  if (!agents) return { agents: [supportAgent], from: 'the demo agent (give --agents MODULE to serve yours)' };
  return { ...(await loadAgentsModule(agents)), from: agents };
}

/** Exit codes for a stop a signal asked for (128 + its number), as shells and container runtimes expect. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Until `ready()`, SIGINT or SIGTERM ends the process at once: nothing has started that needs a graceful
 * stop, and the Temporal runtime, once installed, holds these signals (it would only stop workers, and
 * there are none yet).
 */
function exitOnSignalUntilReady(): { ready(): void } {
  const handlers = Object.entries(SIGNAL_EXIT_CODES).map(([signal, code]) => {
    const handler = () => {
      console.error(`stopped by ${signal} during start-up`);
      process.exit(code);
    };
    process.once(signal, handler);
    return { signal, handler };
  });
  return { ready: () => handlers.forEach(({ signal, handler }) => process.off(signal, handler)) };
}

/**
 * Stops a worker: it takes no new task, lets running calls finish within its grace, then cancels them;
 * after `deadlineMs` the process exits (1) regardless.
 */
async function stopWithinGrace(handle: RunningWorker, deadlineMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), deadlineMs)));
  try {
    if ((await Promise.race([handle.stop().then(() => 'stopped' as const), expired])) === 'expired') {
      // A tool that ignores its cancellation signal: its call runs again elsewhere, with the same idempotency key.
      console.error(`error: the worker did not stop within ${deadlineMs / 1000} s (a call still running); exiting`);
      process.exit(1);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a worker against TEMPORAL_ADDRESS and DATABASE_URL (or a running dev stack) until stopped. A
 * start-up that fails closes what it opened (so the process exits with its error); a signal before the
 * worker polls exits at once, one after stops it gracefully.
 */
export async function worker(input: CommandInput): Promise<void> {
  const startup = exitOnSignalUntilReady();
  try {
    await runWorker(input, startup);
  } catch (error) {
    await releaseIdleRuntime();
    throw error;
  } finally {
    startup.ready();
  }
}

async function runWorker({ values }: CommandInput, startup: { ready(): void }): Promise<void> {
  const served = await agentsFor(values);
  const service = serviceOptions(values);
  const graceMs = service['shutdown-grace-seconds'] * 1000;
  // With a metrics port, Temporal's own worker metrics join ours on it.
  if (service['metrics-port'] !== undefined) await installRuntimeWithMetrics();
  else installRuntimeLogger();
  const health = new StartingHealth();
  const probes = new Probes(health);
  const metrics = await startWorkerProbes(service, probes);
  const config = loadConfig();
  const endpoints = await knownEndpoints(config);
  const temporalAddress = requireTemporal(endpoints);
  const databaseUrl = requireDatabase(endpoints);
  const model = await startModelService(config);
  try {
    const handle = await startWorker({ ...workerSettings(config, served, { temporalAddress, databaseUrl, model: model.endpoint }), shutdownGraceMs: graceMs });
    health.started(handle.health);
    // One write, so that a reader who sees the first line sees what the worker serves too.
    say(
      [
        `worker polling task queue "${config.taskQueue}" on ${temporalAddress}`,
        `agents: ${served.agents.map((agent) => agent.name).join(', ')} from ${served.from}`,
        `model: ${model.description}, over the ${config.openaiApi} API (OPENAI_API)`,
        ...(metrics ? [`metrics: ${metrics.url}/metrics, probes: ${metrics.url}/healthz and ${metrics.url}/readyz`] : []),
      ].join('\n'),
    );
    startup.ready();
    await Promise.race([untilInterrupted(), handle.done]);
    probes.startDraining(); // readiness fails at once; the worker polls no more and lets running calls finish
    await stopWithinGrace(handle, graceMs + CANCEL_MARGIN_MS);
  } finally {
    await metrics?.close();
    await model.stop();
  }
}

/** The settings of the worker a command runs: where it connects, from the configuration, serving the agents module's agents. */
function workerSettings(config: Config, served: AgentsModule, where: Pick<WorkerSettings, 'temporalAddress' | 'databaseUrl' | 'model'>): WorkerSettings {
  return {
    ...where,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    openaiApi: config.openaiApi,
    agents: served.agents,
    tools: served.tools,
    inputCallbacks: served.inputCallbacks,
    memory: served.memory,
    encryptionKeys: config.encryptionKeys,
    encryptProjection: config.encryptProjection,
    allowPlaintext: config.allowPlaintext,
  };
}

/** Starts what the environment does not give, plus a worker; `demo` runs a short conversation first. */
export async function dev(input: CommandInput, options: { demo: boolean }): Promise<void> {
  try {
    await runDev(input, options);
  } catch (error) {
    await releaseIdleRuntime(); // a failed start-up leaves nothing holding the process
    throw error;
  }
}

async function runDev({ values }: CommandInput, options: { demo: boolean }): Promise<void> {
  const served = await agentsFor(values);
  // A terminal is the audience: the worker's warnings and errors as one readable line each, nothing at
  // info (the demo's conversation and the service lines are the show). --log-json: JSON lines, as `worker` logs.
  installRuntimeLogger(values['log-json'] === true ? { defaultLevel: 'info' } : createConsoleLogger());
  const config = loadConfig();
  await mkdir(config.dataDir, { recursive: true });
  const stack = await startDevStack(config, say);
  let handle: RunningWorker | undefined;
  try {
    const settings = workerSettings(config, served, { temporalAddress: stack.temporalAddress, databaseUrl: stack.databaseUrl, model: stack.model });
    handle = await startWorker(settings);
    await saveEndpoints(config.dataDir, {
      temporalAddress: stack.temporalAddress,
      databaseUrl: stack.databaseUrl,
      pid: process.pid,
    });
    for (const line of stack.describe()) say(line);
    say(`Worker:     polling task queue "${config.taskQueue}"`);
    if (options.demo) {
      const client = await SessionsClient.connect({
        temporalAddress: stack.temporalAddress,
        databaseUrl: stack.databaseUrl,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        encryptionKeys: config.encryptionKeys,
        encryptProjection: config.encryptProjection,
      });
      try {
        await runDemo({
          client,
          say,
          uiUrl: stack.temporalUiUrl,
          namespace: config.namespace,
          restartWorker: async () => {
            await handle?.stop();
            handle = await startWorker(settings);
          },
        });
      } finally {
        await client.close();
      }
    }
    say('');
    say('Ready. In another terminal: npx agent-sessions send --session alice:support "Hello"');
    say('Press Ctrl-C to stop.');
    await Promise.race([untilInterrupted(), handle.done]);
  } finally {
    await clearEndpoints(config.dataDir);
    await handle?.stop();
    await stack.stop();
  }
}

/** Deletes sessions older than N days once, or (`--schedule`) makes a Temporal Schedule do it daily. */
export async function retention({ values }: CommandInput): Promise<void> {
  const options = checkOptions(RetentionOptions, values);
  const config = loadConfig();
  const client = await SessionsClient.connect({
    temporalAddress: requireTemporal(await knownEndpoints(config)),
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    encryptionKeys: config.encryptionKeys,
    encryptProjection: config.encryptProjection,
  });
  try {
    const olderThanDays = options['older-than-days'];
    if (options.schedule) {
      const id = await client.scheduleRetention({ olderThanDays });
      say(`schedule "${id}" deletes sessions idle for more than ${olderThanDays} days, every 24 hours`);
    } else {
      const { deleted } = await client.applyRetention({ olderThanDays });
      say(`deleted ${deleted} session(s) idle for more than ${olderThanDays} days`);
    }
  } finally {
    await client.close();
  }
}

/** Applies pending migrations to DATABASE_URL. */
export async function migrate(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new InvalidInputError('set DATABASE_URL to the database to migrate');
  const pool = new Pool({ connectionString: config.databaseUrl, max: 1 });
  try {
    const applied = await applyMigrations(pool);
    say(applied.length === 0 ? 'the database is up to date' : `applied ${applied.join(', ')}`);
  } finally {
    await pool.end();
  }
}
