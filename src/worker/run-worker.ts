/** Runs a session worker until stopped: migrates the projection, connects, polls the task queue. */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import OpenAI from 'openai';
import type { Pool } from 'pg';
import { createActivities } from '../activities';
import type { InputCallbacks } from '../activities/input-callbacks';
import { AgentRegistry, type RegisteredAgent, type ToolImplementations } from '../agents';
import { openProjectionPool } from '../postgres/pool';
import { BackendUnavailableError, InvalidInputError } from '../shared/errors';
import { MEMORY_TOOL_NAMES, MemoryOptions, type MemoryOptionsInput } from '../shared/memory';
import { describeIssues } from '../shared/schemas';
import { DEFAULT_OPENAI_API, OpenAiApi } from '../shared/agent';
import { createDataConverter } from '../codec/data-converter';
import { ContentSealer } from '../codec/content-sealer';
import { sealContentWith } from '../postgres/content-sealing';
import type { KeyRing } from '../codec/key-ring';
import { recordWorkerSetting } from '../postgres/deployment-settings';
import { installRuntimeLogger, releaseIdleRuntime, sessionLogAttributes } from './temporal-logging';
import { sessionMetricsSinks } from './metrics-sinks';
import { workerHealth, type WorkerHealth } from './worker-health';
import { registerBacklogSource } from '../telemetry/task-queue-backlog';
import { activeTracing, contentInSpans, type Tracing } from '../telemetry/tracing';
import { TRACING_WORKFLOW_INTERCEPTORS, tracingActivityInterceptors, tracingSinks } from '../telemetry/temporal-tracing';
import { tracingClientInterceptors } from '../telemetry/client-tracing';

/** The path the workflow bundle is built from. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** How long one model request may take before it is abandoned and retried. */
const DEFAULT_MODEL_TIMEOUT_MS = 120_000;

/** The model endpoint a worker calls. */
export interface ModelEndpoint {
  baseURL?: string;
  apiKey: string;
  /** The model for agents that name none. */
  defaultModel: string;
  /** How long one request may take before it is abandoned and retried (120 s when absent). */
  timeoutMs?: number;
  /**
   * Whether model calls stream (yes when absent): callers see the text as it is generated. Turn it off
   * for an endpoint that cannot stream; callers then get each model reply's text when it is complete.
   */
  stream?: boolean;
}

/** Where a worker connects and which model it calls. */
export interface WorkerSettings {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  /** The Postgres schema of the tables: `AGENT_SESSIONS_DB_SCHEMA`, else `agent_sessions`. */
  databaseSchema?: string;
  model: ModelEndpoint;
  /**
   * Which OpenAI API the worker's model calls speak: `chat_completions` (the default: every
   * OpenAI-compatible server, Ollama, vLLM, LiteLLM…, speaks it, and upgrading does not change the
   * wire of a running deployment) or `responses` (OpenAI's Responses API: reasoning items carried back
   * on every call, hosted tools such as web search). The CLI's worker reads `OPENAI_API`.
   */
  openaiApi?: OpenAiApi;
  /**
   * The agents this worker serves (declared with `defineAgent`, or `@openai/agents` Agents); the first
   * answers new sessions. Agents their handoffs lead to are registered with them.
   */
  agents: RegisteredAgent[];
  /** Code for tools declared without `execute`, by tool name. */
  tools?: ToolImplementations;
  /** Session input callbacks by name, for sessions whose settings name one. */
  inputCallbacks?: InputCallbacks;
  /**
   * Long-term memory for sessions that belong to a user: which memories go into the instructions
   * (`recall`: 'none', 'all', `{ latest: N }` or `{ keywords: N }`; the latest 20 when absent) and
   * whether agents get the `remember`, `recall` and `forget` tools (yes when absent).
   */
  memory?: MemoryOptionsInput;
  /** Encrypts every Temporal payload (AES-256-GCM) with these keys; clients need the same keys. */
  encryptionKeys?: KeyRing;
  /**
   * Also seals what the Postgres projection stores of conversations (items, streamed events, memories,
   * content parts) with `encryptionKeys`; recorded in the database, so every writer seals (and sealing stays on).
   */
  encryptProjection?: boolean;
  /**
   * The migration switch (AGENT_SESSIONS_ALLOW_PLAINTEXT): with keys, accept unencrypted payloads (the
   * histories of a deployment that did not encrypt before); without keys, start against a database
   * marked encrypted and mark it plaintext. Off: a worker with keys refuses unencrypted payloads and a
   * worker without keys refuses to start against an encrypted deployment.
   */
  allowPlaintext?: boolean;
  /**
   * A pre-built workflow bundle (tests build it once); bundled from src/workflows when absent. With
   * `encryptionKeys`, build it with `failureConverterPath: ENCODED_FAILURES_PATH`, or the failures the
   * workflow raises are stored unencrypted.
   */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /**
   * Where the worker's spans go: the process's tracing (`startTracing`, from the OTEL_* variables) when
   * absent; `false` traces nothing. Traced, a message's trace runs from the caller's update through the
   * workflow to each model call (`chat {model}`), tool call (`execute_tool {tool}`) and projection write.
   * A pre-built `workflowBundle` must include `TRACING_WORKFLOW_INTERCEPTORS` (`workflowInterceptorModules`).
   */
  tracing?: Tracing | false;
  /**
   * How long a stopping worker lets running activities finish before it cancels them (Temporal retries
   * a cancelled call elsewhere, with the same idempotency key); 0 (cancel at once) when absent. The
   * CLI's worker takes `--shutdown-grace-seconds` (AGENT_SESSIONS_SHUTDOWN_GRACE_SECONDS, 20 s).
   */
  shutdownGraceMs?: number;
}

/** A running worker. */
export interface RunningWorker {
  /** Settles when the worker stops (rejects if it failed). */
  done: Promise<void>;
  /** Stops polling, lets running tasks finish, closes connections. */
  stop(): Promise<void>;
  /**
   * What probes ask: `live()` (fails once the worker failed) and `ready()` (fails unless it polls,
   * Temporal and Postgres answer and every migration is applied), each a report naming what failed.
   */
  health: WorkerHealth;
}

/**
 * Starts a worker on `pool` (or on a pool of its own to `databaseUrl`); it runs until `stop()`. When it
 * cannot start, it closes what it opened (the Temporal runtime too, when nothing else uses it) and throws.
 */
export async function startWorker(settings: WorkerSettings, pool?: Pool): Promise<RunningWorker> {
  try {
    return await startPolling(settings, pool);
  } catch (error) {
    await releaseIdleRuntime();
    throw error;
  }
}

async function startPolling(settings: WorkerSettings, pool?: Pool): Promise<RunningWorker> {
  const memory = MemoryOptions.safeParse(settings.memory ?? {});
  if (!memory.success) throw new InvalidInputError(`startWorker({ memory }) is invalid: ${describeIssues(memory.error)}`);
  const openaiApi = OpenAiApi.safeParse(settings.openaiApi ?? DEFAULT_OPENAI_API);
  if (!openaiApi.success) throw new InvalidInputError(`startWorker({ openaiApi }) must be "chat_completions" or "responses", not ${JSON.stringify(settings.openaiApi)}`);
  const agents = new AgentRegistry(settings.agents, settings.tools, memory.data.tools ? MEMORY_TOOL_NAMES : []);
  installRuntimeLogger({ withholdErrorText: settings.encryptionKeys !== undefined });
  new ContentSealer(settings.encryptionKeys, settings.encryptProjection ?? false); // refuses sealing without keys
  const projectionPool = pool ?? (await openProjectionPool(settings.databaseUrl, { schema: settings.databaseSchema }));
  const closeOwnPool = async () => {
    if (!pool) await projectionPool.end();
  };
  const allowPlaintext = settings.allowPlaintext ?? false;
  const tracing = settings.tracing === false ? undefined : (settings.tracing ?? activeTracing());
  try {
    const recorded = await recordWorkerSetting(projectionPool, { keys: settings.encryptionKeys, encryptProjection: settings.encryptProjection ?? false, allowPlaintext });
    sealContentWith(projectionPool, new ContentSealer(settings.encryptionKeys, recorded.sealProjection));
  } catch (error) {
    await closeOwnPool();
    throw error;
  }
  let connection: NativeConnection | undefined;
  let worker: Worker;
  let temporalClient: Promise<Client> | undefined;
  const dataConverter = createDataConverter(settings.encryptionKeys, {
    refusePlaintext: !allowPlaintext,
    onPlaintextRefused: () =>
      Runtime.instance().logger.warn(
        'refused an unencrypted payload: this worker encrypts; the sender needs AGENT_SESSIONS_ENCRYPTION_KEYS (or set AGENT_SESSIONS_ALLOW_PLAINTEXT=true while migrating a plaintext deployment)',
      ),
  });
  const temporal = () => {
    // No gRPC-level retries on this connection: its activities (retention, the reaper) are retried by
    // Temporal, and the SDK's retry timers outlive Connection.close(), throwing "Channel has been shut
    // down" from a timer when a worker stops during a retry.
    temporalClient ??= Connection.connect({ address: settings.temporalAddress, interceptors: [] }).then(
      (clientConnection) =>
        new Client({
          connection: clientConnection,
          namespace: settings.namespace,
          dataConverter: createDataConverter(settings.encryptionKeys),
          interceptors: tracing ? tracingClientInterceptors() : {},
        }),
      (error: unknown) => {
        temporalClient = undefined; // the next retention call connects again
        throw error;
      },
    );
    return temporalClient;
  };
  const closeClient = async () => {
    if (temporalClient) await (await temporalClient.catch(() => undefined))?.connection.close();
  };
  try {
    connection = await NativeConnection.connect({ address: settings.temporalAddress }).catch((error: Error) => {
      throw new BackendUnavailableError(`cannot reach Temporal at ${settings.temporalAddress} (${error.message.split('\n')[0]}); is the server running? Check TEMPORAL_ADDRESS`, {
        cause: error,
      });
    });
    const modelTimeoutMs = settings.model.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS;
    const openai = new OpenAI({ apiKey: settings.model.apiKey, baseURL: settings.model.baseURL, timeout: modelTimeoutMs, maxRetries: 0 });
    worker = await Worker.create({
      connection,
      dataConverter,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      ...(settings.workflowBundle ? { workflowBundle: settings.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
      interceptors: {
        activity: [sessionLogAttributes, ...(tracing ? [tracingActivityInterceptors] : [])],
        // A pre-built bundle carries its interceptors (see `tracing`); one built here gets tracing's.
        ...(tracing && !settings.workflowBundle ? { workflowModules: [TRACING_WORKFLOW_INTERCEPTORS] } : {}),
      },
      sinks: { ...sessionMetricsSinks(agents.names[0]), ...(tracing ? tracingSinks(tracing) : {}) },
      ...(settings.shutdownGraceMs !== undefined ? { shutdownGraceTime: settings.shutdownGraceMs } : {}),
      activities: createActivities({
        openai,
        pool: projectionPool,
        agents,
        inputCallbacks: settings.inputCallbacks ?? {},
        defaultModel: settings.model.defaultModel,
        modelTimeoutMs,
        memory: memory.data,
        streaming: settings.model.stream ?? true,
        openaiApi: openaiApi.data,
        traceContent: contentInSpans(tracing, settings.encryptionKeys !== undefined),
        temporal,
      }),
    });
  } catch (error) {
    await connection?.close();
    await closeOwnPool();
    throw error;
  }
  const open = connection;
  const unregisterBacklog = registerBacklogSource({ workflowService: open.workflowService, namespace: settings.namespace, taskQueue: settings.taskQueue });
  const done = worker.run().finally(async () => {
    unregisterBacklog();
    await closeClient();
    await open.close();
    await closeOwnPool();
  });
  return {
    done,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
    health: workerHealth(worker, open, projectionPool, settings.taskQueue),
  };
}
