/**
 * Loads the module a user names with `agent-sessions worker --agents MODULE`: it exports `agents` (an
 * array of agents, the first answering new sessions) and may export `tools`, `inputCallbacks` and
 * `memory` (the worker's memory settings).
 * TypeScript modules load through tsx, so a project needs no build step to run its agents.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { RegisteredAgent, ToolImplementations } from '../agents';
import type { InputCallbacks } from '../activities/input-callbacks';
import { InvalidInputError } from '../shared/errors';
import type { MemoryOptionsInput } from '../shared/memory';

/** What a worker takes from an agents module. */
export interface AgentsModule {
  agents: RegisteredAgent[];
  tools?: ToolImplementations;
  inputCallbacks?: InputCallbacks;
  /** Memory settings for sessions that belong to a user (checked when the worker starts). */
  memory?: MemoryOptionsInput;
}

const AgentsModuleShape = z.object({
  agents: z.array(z.looseObject({ name: z.string() }), { error: 'it must export `agents`, an array of agents' }).min(1, '`agents` is empty'),
  tools: z
    .record(
      z.string(),
      z.custom<unknown>((value) => typeof value === 'function', 'each tool must be a function'),
    )
    .optional(),
  inputCallbacks: z
    .record(
      z.string(),
      z.custom<unknown>((value) => typeof value === 'function', 'each callback must be a function'),
    )
    .optional(),
});

/** Imports the module at `file` (relative to the working directory) and checks what it exports. */
export async function loadAgentsModule(file: string): Promise<AgentsModule> {
  const absolute = path.resolve(file);
  let loaded: Record<string, unknown>;
  try {
    loaded = /\.[cm]?ts$/.test(absolute)
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- tsx's CommonJS loader, loaded only for a .ts agents module
        (require('tsx/cjs/api') as typeof import('tsx/cjs/api')).require(absolute, __filename)
      : ((await import(pathToFileURL(absolute).href)) as Record<string, unknown>);
  } catch (error) {
    throw new InvalidInputError(`cannot load the agents module ${file}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const exported = 'agents' in loaded ? loaded : ((loaded.default as Record<string, unknown> | undefined) ?? {});
  const checked = AgentsModuleShape.safeParse(exported);
  if (!checked.success) throw new InvalidInputError(`${file} is not an agents module: ${z.prettifyError(checked.error).split('\n')[0]}`);
  return exported as unknown as AgentsModule;
}
