/**
 * How agents and their tools are declared. Declarations are workflow-safe data and pure functions:
 * the workflow reads them to run the loop, the activities read them to call the model and the tools.
 */
import { z } from 'zod';
import type { JsonObject } from './schemas';

/** Model settings an agent may set; unset ones use the endpoint's defaults. */
export const ModelSettings = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().min(0).max(1).optional(),
    maxTokens: z.number().int().positive().optional(),
    parallelToolCalls: z.boolean().optional(),
  })
  .strict();
export type ModelSettings = z.infer<typeof ModelSettings>;

/** A function tool: its name, what it does, and its parameters as a zod object schema. */
export interface ToolSpec<Params extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  parameters: Params;
}

/** Instructions as text, or computed from the context each time the model is called. */
export type Instructions<Context extends JsonObject> = string | ((context: Context, agent: Agent<Context>) => string);

/** An agent: a name, instructions, a model (the worker's default when absent), settings and tools. */
export interface Agent<Context extends JsonObject = JsonObject> {
  name: string;
  instructions: Instructions<Context>;
  model?: string;
  settings?: ModelSettings;
  tools: ToolSpec[];
  maxModelCalls?: number;
}

/** Declares a function tool (a name the model sees, so keep it snake_case). */
export function defineTool<Params extends z.ZodObject>(spec: ToolSpec<Params>): ToolSpec<Params> {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    throw new Error(`tool name "${spec.name}" must be 1-64 letters, digits, _ or -`);
  }
  return spec;
}

/**
 * Declares an agent whose instructions read a typed context. The session keeps the context as JSON,
 * so the declared agent is registered as an `Agent` over any JSON object.
 */
export function defineAgent<Context extends JsonObject>(agent: Agent<Context>): Agent {
  ModelSettings.parse(agent.settings ?? {});
  return agent as unknown as Agent;
}

/** The agents a worker knows, by name, and the one a new session starts with. */
export class AgentRegistry {
  private readonly byName = new Map<string, Agent>();

  /** Registers agents; the first one is the default for new sessions. */
  constructor(agents: Agent[]) {
    if (agents.length === 0) throw new Error('an agent registry needs at least one agent');
    for (const agent of agents) {
      if (this.byName.has(agent.name)) throw new Error(`two agents are named "${agent.name}"`);
      this.byName.set(agent.name, agent);
    }
    this.defaultAgent = agents[0].name;
  }

  /** The name of the agent a session starts with unless told otherwise. */
  readonly defaultAgent: string;

  /** The agent with this name, or undefined. */
  find(name: string): Agent | undefined {
    return this.byName.get(name);
  }

  /** The tool an agent offers under this name, or undefined. */
  findTool(agentName: string, toolName: string): ToolSpec | undefined {
    return this.find(agentName)?.tools.find((tool) => tool.name === toolName);
  }
}

/** The instructions an agent gives the model for this context. */
export function resolveInstructions(agent: Agent, context: JsonObject): string {
  return typeof agent.instructions === 'string' ? agent.instructions : agent.instructions(context, agent);
}
