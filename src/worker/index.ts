// src/worker: building and running a worker with the user's agents (agent-sessions/worker); may import activities, agents, codec, logging, postgres, shared, telemetry.
/**
 * `agent-sessions/worker`: declaring agents and tools, and running a worker that serves them. Agent
 * and tool code runs here, in the worker's activities; the workflow knows agents by name only.
 */
export {
  AgentRegistry,
  defineAgent,
  defineTool,
  type AgentDefinition,
  type AnyTool,
  type Instructions,
  type RegisteredAgent,
  type RunContext,
  type RunInfo,
  type ToolCallInfo,
  type ToolDefinition,
  type ToolRunContext,
  type ToolImplementation,
  type ToolImplementations,
  toolCallOf,
} from '../agents';
export type { InputCallbacks, SessionInputCallback } from '../activities/input-callbacks';
export type { MemoryOptionsInput as MemoryOptions, MemoryRecall } from '../shared/memory';
export { secret, type Secret } from '../shared/secrets';
export { loadAgentsModule, type AgentsModule } from './agents-module';
export { startWorker, type ModelEndpoint, type RunningWorker, type WorkerSettings } from './run-worker';
export { installRuntimeLogger } from './temporal-logging';
export { parseKeyRing, type KeyRing } from '../codec/key-ring';
export { createDataConverter, ENCODED_FAILURES_PATH } from '../codec/data-converter';
export type { WorkerHealth } from './worker-health';
export { installRuntimeWithMetrics } from './temporal-metrics';
export { startMetricsServer, answerProbe, metricsText, type RunningMetricsServer } from '../telemetry/exposition';
export { Probes, type HealthReport, type HealthSource } from '../telemetry/health';
export { metricsRegistry, recordModelCall, recordToolCall } from '../telemetry/metrics';
export { startTracing, activeTracing, type Tracing, type TracingOptions } from '../telemetry/tracing';
export { TRACING_WORKFLOW_INTERCEPTORS } from '../telemetry/temporal-tracing';
