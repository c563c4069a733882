/**
 * The `@openai/agents` Session interface over a durable session: `run(agent, input, { session })`
 * keeps its history in a Temporal workflow and the Postgres projection instead of process memory, so
 * any process can continue the conversation and concurrent writers never race. Items convert both
 * ways between the SDK's `AgentInputItem` shapes and this project's Responses-style items.
 */
import type { AgentInputItem, SessionHistoryTransactionArgs, SessionHistoryTransactionAwareSession } from '@openai/agents';
import { InvalidInputError, SessionNotFoundError } from '../shared/errors';
import type { Item, SessionItem } from '../shared/schemas';
import type { SessionsClient, StartOptions } from './sessions-client';

/** A durable session for `@openai/agents`' runner; its id is the session id. */
export class DurableAgentSession implements SessionHistoryTransactionAwareSession {
  constructor(
    private readonly client: SessionsClient,
    private readonly sessionId: string,
    /** How the session starts when the SDK's first write creates it. */
    private readonly start: StartOptions = {},
  ) {}

  /** The session id. */
  async getSessionId(): Promise<string> {
    return this.sessionId;
  }

  /** The latest `limit` items (all when absent), chronological; none for a session that does not exist yet. */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    return toAgentItems(await this.client.items(this.sessionId, { limit }).catch(emptyWhenNotFound));
  }

  /** Appends items (starting the session with the first ones). */
  async addItems(items: AgentInputItem[]): Promise<void> {
    if (items.length > 0) await this.client.addItems(this.sessionId, items.map(fromAgentItem), this.start);
  }

  /** Removes and returns the latest item (a tool result takes its call with it). */
  async popItem(): Promise<AgentInputItem | undefined> {
    const popped = await this.client.popItem(this.sessionId).catch((error) => emptyWhenNotFound(error, null));
    return popped ? toAgentItems([popped])[0] : undefined;
  }

  /** Removes every item; the session and its context stay. */
  async clearSession(): Promise<void> {
    await this.client.clearSession(this.sessionId).catch((error) => emptyWhenNotFound(error, undefined));
  }

  /** The SDK's history transaction: applied once per operation id, atomically in the session's queue. */
  async applyHistoryTransaction({ operationId, transaction }: SessionHistoryTransactionArgs): Promise<void> {
    if (transaction.type === 'append_items') {
      await this.client.addItems(this.sessionId, transaction.items.map(fromAgentItem), { ...this.start, id: operationId });
      return;
    }
    await this.client.replaceSuffix(this.sessionId, transaction.expectedSuffix.map(fromAgentItem), transaction.replacement.map(fromAgentItem), {
      id: operationId,
    });
  }
}

function emptyWhenNotFound<T = never[]>(error: unknown, empty: T = [] as T): T {
  if (error instanceof SessionNotFoundError) return empty;
  throw error;
}

/** The text of SDK message content: a string, or its text parts joined. */
function textOf(content: unknown, itemType: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new InvalidInputError(`a ${itemType} item has no content`);
  return content
    .map((part: { type?: string; text?: string; refusal?: string }) => {
      if (part.type === 'input_text' || part.type === 'output_text') return part.text ?? '';
      if (part.type === 'refusal') return part.refusal ?? '';
      throw new InvalidInputError(`durable sessions store text content; a ${part.type} part is not supported`);
    })
    .join('');
}

/** An SDK item as a session item. */
export function fromAgentItem(item: AgentInputItem): Item {
  const candidate = item as { type?: string; role?: string; content?: unknown };
  if (candidate.type === 'function_call') {
    const call = item as Extract<AgentInputItem, { type: 'function_call' }>;
    return { type: 'function_call', call_id: call.callId, name: call.name, arguments: call.arguments };
  }
  if (candidate.type === 'function_call_result') {
    const result = item as Extract<AgentInputItem, { type: 'function_call_result' }>;
    const output = typeof result.output === 'string' ? result.output : 'text' in result.output ? String(result.output.text) : JSON.stringify(result.output);
    return { type: 'function_call_output', call_id: result.callId, output };
  }
  if ((candidate.type === undefined || candidate.type === 'message') && candidate.role) {
    const role = candidate.role as 'user' | 'assistant' | 'system' | 'developer';
    return { type: 'message', role, content: textOf(candidate.content, `${role} message`) };
  }
  throw new InvalidInputError(
    `durable sessions store messages, function calls and their results; a ${candidate.type ?? 'typeless'} item is not supported`,
  );
}

/** Session items as SDK items; a tool result gets its tool's name from the call before it. */
export function toAgentItems(entries: SessionItem[]): AgentInputItem[] {
  const names = new Map<string, string>();
  return entries.map(({ item }): AgentInputItem => {
    if (item.type === 'function_call') {
      names.set(item.call_id, item.name);
      return { type: 'function_call', callId: item.call_id, name: item.name, arguments: item.arguments, status: 'completed' };
    }
    if (item.type === 'function_call_output') {
      return { type: 'function_call_result', callId: item.call_id, name: names.get(item.call_id) ?? 'unknown', status: 'completed', output: item.output };
    }
    const text = typeof item.content === 'string' ? item.content : item.content.map((part) => part.text).join('');
    if (item.role === 'assistant') return { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] };
    if (item.role === 'user') return { type: 'message', role: 'user', content: text };
    return { type: 'message', role: 'system', content: text };
  });
}
