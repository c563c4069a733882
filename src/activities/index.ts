/** Every activity a worker registers, built from the worker's connections. */
import type OpenAI from 'openai';
import type { Pool } from 'pg';
import type { AgentRegistry } from '../shared/agent';
import { createSummarize } from './compaction';
import type { InputCallbacks } from './input-callbacks';
import { createCallModel } from './model';
import { createProjectionActivities } from './projection';
import { createCallTool, type ImplementedTool } from './tools/registry';

/** What the activities need: the model client, the projection's pool, the agents, tools and input callbacks. */
export interface ActivityDependencies {
  openai: OpenAI;
  pool: Pool;
  agents: AgentRegistry;
  tools: ImplementedTool[];
  inputCallbacks: InputCallbacks;
  defaultModel: string;
}

/** Creates the activities; the workflow imports only their type. */
export function createActivities(deps: ActivityDependencies) {
  return {
    callModel: createCallModel(deps),
    summarize: createSummarize(deps),
    callTool: createCallTool(deps.agents, deps.tools),
    ...createProjectionActivities(deps.pool),
  };
}

/** The activities' signatures, as the workflow proxies them. */
export type Activities = ReturnType<typeof createActivities>;
