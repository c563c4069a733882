// src/activities: every activity a worker runs, all the I/O (model, tools, projection, retention); may import agents, postgres, shared.
/** Every activity a worker registers, built from the worker's connections. */
import type { Client } from '@temporalio/client';
import type OpenAI from 'openai';
import type { Pool } from 'pg';
import type { AgentRegistry } from '../agents';
import type { MemoryOptions } from '../shared/memory';
import type { OpenAiApi } from '../shared/agent';
import { createSummarize } from './compaction';
import type { InputCallbacks } from './input-callbacks';
import { createCallModel } from './model';
import { createProjectionActivities } from './projection';
import { createRetentionActivities } from './retention';
import { createExecutionActivities } from './executions';
import { createCallTool } from './tools';

/** What the activities need: the model client, the projection's pool, the agents and input callbacks. */
export interface ActivityDependencies {
  openai: OpenAI;
  pool: Pool;
  agents: AgentRegistry;
  inputCallbacks: InputCallbacks;
  defaultModel: string;
  modelTimeoutMs: number;
  /** Long-term memory for sessions that belong to a user. */
  memory: MemoryOptions;
  /** Whether model calls stream (their events written for callers to follow). */
  streaming: boolean;
  /** Which API the model calls speak (`chat_completions` when absent). */
  openaiApi?: OpenAiApi;
  /** Whether model and tool spans may carry message text and tool arguments (tracing's content opt-in; never with encryption). */
  traceContent?: boolean;
  /** The worker's Temporal client, made on first use (retention deletes sessions through it). */
  temporal: () => Promise<Client>;
}

/** Creates the activities; the workflow imports only their type. */
export function createActivities(deps: ActivityDependencies) {
  return {
    callModel: createCallModel(deps),
    summarize: createSummarize(deps),
    callTool: createCallTool(deps),
    ...createProjectionActivities(deps.pool),
    ...createRetentionActivities(deps.pool, deps.temporal),
    ...createExecutionActivities(deps.temporal),
  };
}

/** The activities' signatures, as the workflow proxies them. */
export type Activities = ReturnType<typeof createActivities>;
