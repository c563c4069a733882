/**
 * The agents a worker serves, by name: declared with `defineAgent` or built with `@openai/agents`,
 * each with the agents its handoffs lead to. Checked when the worker is created, so a worker with a
 * tool that has no code, or a handoff to an agent it does not know, refuses to start.
 */
import type { AgentDefinition } from './define';
import { fromAgentsSdk, isAgentsSdkAgent, type AgentsSdkAgent } from './from-agents-sdk';
import { fromDefinition, type ToolImplementation } from './from-definition';
import type { RunnableAgent } from './runnable';

/** An agent a worker may register. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RegisteredAgent = AgentDefinition<any> | AgentsSdkAgent;

/** Tool code by tool name, for tools declared without `execute`. */
export type ToolImplementations = Record<string, ToolImplementation>;

/** The agents a worker knows, by name; the first one answers new sessions. */
export class AgentRegistry {
  private readonly byName = new Map<string, RunnableAgent>();
  /** The name of the agent a session starts with unless told otherwise. */
  readonly defaultAgent: string;

  /** `reservedToolNames`: built-in tools (memory) no agent may declare a tool of its own under. */
  constructor(agents: RegisteredAgent[], implementations: ToolImplementations = {}, reservedToolNames: readonly string[] = []) {
    if (agents.length === 0) throw new Error('a worker needs at least one agent');
    const sources = new Map<string, RegisteredAgent>();
    const pending = [...agents];
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      const seen = sources.get(next.name);
      if (seen === next) continue;
      if (seen) throw new Error(`two different agents are named "${next.name}"`);
      sources.set(next.name, next);
      if (isAgentsSdkAgent(next)) {
        const { runnable, targets } = fromAgentsSdk(next);
        this.byName.set(runnable.name, runnable);
        pending.push(...targets);
      } else {
        this.byName.set(next.name, fromDefinition(next, implementations));
        pending.push(...(next.handoffs ?? []).filter((target): target is AgentDefinition => typeof target !== 'string'));
      }
    }
    this.defaultAgent = agents[0].name;
    this.checkHandoffs();
    this.checkImplementations(implementations);
    this.checkReserved(reservedToolNames);
  }

  /** The agent with this name, or undefined. */
  find(name: string): RunnableAgent | undefined {
    return this.byName.get(name);
  }

  /** Every registered agent's name. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  private checkHandoffs(): void {
    for (const agent of this.byName.values()) {
      for (const handoff of agent.handoffs) {
        if (!this.byName.has(handoff.target)) {
          throw new Error(`the agent "${agent.name}" hands off to "${handoff.target}", which is not registered with this worker`);
        }
      }
    }
  }

  private checkReserved(reserved: readonly string[]): void {
    for (const agent of this.byName.values()) {
      const clash = agent.tools.find((tool) => reserved.includes(tool.name));
      if (clash) {
        throw new Error(
          `the agent "${agent.name}" declares a tool "${clash.name}", the name of a built-in memory tool; rename it, or turn the built-in tools off with startWorker({ memory: { tools: false } })`,
        );
      }
    }
  }

  private checkImplementations(implementations: ToolImplementations): void {
    const declared = new Set([...this.byName.values()].flatMap((agent) => agent.tools.map((tool) => tool.name)));
    for (const name of Object.keys(implementations)) {
      if (!declared.has(name)) throw new Error(`startWorker({ tools }) has code for "${name}", but no registered agent declares that tool`);
    }
  }
}
