/**
 * Real parts for integration tests: a Temporal dev server, a fresh Postgres database, the offline
 * model over HTTP, workers running the real workflow bundle, and a client.
 */
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ENCODED_FAILURES_PATH } from '../../src/codec/data-converter';
import { SessionsClient } from '../../src/client/sessions-client';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal-server';
import { startOfflineModel, type OfflineModel } from '../../src/offline-model/server';
import { OFFLINE_MODEL_ID } from '../../src/offline-model/wire';
import { startWorker, WORKFLOWS_PATH, type RunningWorker } from '../../src/worker/run-worker';
import { installRuntimeLogger } from '../../src/worker/temporal-logging';
import { TRACING_WORKFLOW_INTERCEPTORS } from '../../src/telemetry/temporal-tracing';
import type { InputCallbacks } from '../../src/activities/input-callbacks';
import type { RegisteredAgent } from '../../src/agents';
import { supportAgent } from '../../src/dev/demo-agent';
import type { MemoryOptionsInput } from '../../src/shared/memory';
import { createTestDatabase, type TestDatabase } from './database';
import type { KeyRing } from '../../src/codec/key-ring';
import type { OpenAiApi } from '../../src/shared/agent';

/** What a test may change about one worker it starts. */
export interface TestWorkerOptions {
  modelTimeoutMs?: number;
  /** The API the worker's model calls speak (the stack's, else the worker's default, when absent). */
  openaiApi?: OpenAiApi;
  /** Whether the worker's model calls stream (yes when absent). */
  stream?: boolean;
  /** How long a stopping worker lets running activities finish (0, cancel at once, when absent). */
  shutdownGraceMs?: number;
}

/** Everything an integration test talks to. */
export interface TestStack {
  temporal: TemporalDevServer;
  db: TestDatabase;
  model: OfflineModel;
  client: SessionsClient;
  taskQueue: string;
  bundle: WorkflowBundleWithSourceMap;
  /** Starts a worker on the stack's task queue (tests may start several, or restart one). */
  startWorker(options?: TestWorkerOptions): Promise<RunningWorker>;
  /** Stops every worker this stack started; returns how many there were. */
  stopWorkers(): Promise<number>;
  stop(): Promise<void>;
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** The workflow bundle, built once per test file (one with encoded failures for encrypted stacks, one with the tracing interceptors for traced ones). */
export function workflowBundle(options: { encrypted?: boolean; traced?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  const failureConverterPath = options.encrypted ? ENCODED_FAILURES_PATH : undefined;
  const workflowInterceptorModules = options.traced ? [TRACING_WORKFLOW_INTERCEPTORS] : undefined;
  const key = `${failureConverterPath ?? 'plain'}${options.traced ? '+traced' : ''}`;
  if (!bundles.has(key)) bundles.set(key, bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger, failureConverterPath, workflowInterceptorModules }));
  return bundles.get(key)!;
}

/** What a test file may change about its stack. */
export interface TestStackOptions {
  /** Dynamic config for the dev server (e.g. lower per-run limits to force continue-as-new). */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Session input callbacks the workers register. */
  inputCallbacks?: InputCallbacks;
  /** The agents the workers serve (the demo support agent when absent). */
  agents?: RegisteredAgent[];
  /** The workers' memory settings. */
  memory?: MemoryOptionsInput;
  /** Encrypt every Temporal payload with these keys (workers and the client). */
  encryptionKeys?: KeyRing;
  /** Seal the projection's content with `encryptionKeys` too (workers and the client). */
  encryptProjection?: boolean;
  /** Keep the dev server's state in this SQLite file (in memory when absent). */
  temporalDbFile?: string;
  /** A running dev server to use instead of starting one (the stack stops it with the rest). */
  temporal?: TemporalDevServer;
  /** The API the workers' model calls speak (the worker's default, chat_completions, when absent). */
  openaiApi?: OpenAiApi;
  /** Bundle the workflow with the tracing interceptors (for a test that started tracing first; workers trace through `activeTracing()`). */
  traced?: boolean;
}

/** Starts the stack with one worker running. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  installRuntimeLogger({ defaultLevel: 'warn' }); // AGENT_SESSIONS_LOG_LEVEL=info shows a test's turns
  const [temporal, db, model, bundle] = await Promise.all([
    options.temporal ??
      startTemporalDevServer({
        cliPath: process.env.TEMPORAL_CLI_PATH,
        log: (line) => process.stderr.write(`${line}\n`),
        dynamicConfig: options.dynamicConfig,
        dbFile: options.temporalDbFile,
      }),
    createTestDatabase(),
    startOfflineModel(),
    workflowBundle({ encrypted: options.encryptionKeys !== undefined, traced: options.traced }),
  ]);
  const taskQueue = `test-${process.pid}-${Date.now().toString(36)}`;
  const client = await SessionsClient.connect({
    temporalAddress: temporal.address,
    databaseUrl: db.url,
    taskQueue,
    encryptionKeys: options.encryptionKeys,
    encryptProjection: options.encryptProjection,
  });
  const workers = new Set<RunningWorker>();

  async function startStackWorker(workerOptions: TestWorkerOptions = {}): Promise<RunningWorker> {
    const openaiApi = workerOptions.openaiApi ?? options.openaiApi;
    const handle = await startWorker(
      {
        temporalAddress: temporal.address,
        namespace: 'default',
        taskQueue,
        databaseUrl: db.url,
        model: {
          baseURL: model.baseURL,
          apiKey: 'offline',
          defaultModel: OFFLINE_MODEL_ID,
          timeoutMs: workerOptions.modelTimeoutMs,
          ...(workerOptions.stream !== undefined ? { stream: workerOptions.stream } : {}),
        },
        ...(openaiApi ? { openaiApi } : {}),
        workflowBundle: bundle,
        inputCallbacks: options.inputCallbacks,
        agents: options.agents ?? [supportAgent],
        memory: options.memory,
        encryptionKeys: options.encryptionKeys,
        encryptProjection: options.encryptProjection,
        shutdownGraceMs: workerOptions.shutdownGraceMs,
      },
      db.pool,
    );
    const tracked: RunningWorker = {
      done: handle.done,
      health: handle.health,
      stop: async () => {
        workers.delete(tracked);
        await handle.stop();
      },
    };
    workers.add(tracked);
    return tracked;
  }

  await startStackWorker();
  return {
    temporal,
    db,
    model,
    client,
    taskQueue,
    bundle,
    startWorker: startStackWorker,
    stopWorkers: async () => {
      const running = [...workers];
      await Promise.all(running.map((worker) => worker.stop()));
      return running.length;
    },
    stop: async () => {
      await Promise.all([...workers].map((worker) => worker.stop()));
      await client.close();
      await Promise.all([model.close(), db.drop()]);
      await temporal.stop();
    },
  };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`${message}\n`),
  error: (message: string) => process.stderr.write(`${message}\n`),
};
