/** Every activity a worker registers, built from the worker's connections. */
import type OpenAI from 'openai';
import type { Pool } from 'pg';
import type { AgentRegistry } from '../shared/agent';
import { createCallModel } from './model';
import { createProjectTurn } from './projection';
import { createCallTool, type ImplementedTool } from './tools/registry';

/** What the activities need: the model client, the projection's pool, the agents and their tools. */
export interface ActivityDependencies {
  openai: OpenAI;
  pool: Pool;
  agents: AgentRegistry;
  tools: ImplementedTool[];
  defaultModel: string;
}

/** Creates the activities; the workflow imports only their type. */
export function createActivities(deps: ActivityDependencies) {
  return {
    callModel: createCallModel(deps),
    callTool: createCallTool(deps.agents, deps.tools),
    projectTurn: createProjectTurn(deps.pool),
  };
}

/** The activities' signatures, as the workflow proxies them. */
export type Activities = ReturnType<typeof createActivities>;
