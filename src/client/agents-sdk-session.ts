/**
 * The `@openai/agents` Session interface over a durable session: `run(agent, input, { session })`
 * keeps its history in a Temporal workflow and the Postgres projection instead of process memory, so
 * any process can continue the conversation and concurrent writers never race. The SDK's items are
 * stored exactly as given and come back deep-equal (every read is a new copy); items a worker wrote in
 * the Responses API's spelling come back in the SDK's. History transactions are applied once per
 * operation id; the same id with a different transaction is refused with `OperationIdReusedError` and
 * changes nothing (the SDK's `MemorySession` throws its `UserError` there; the runner only passes either
 * on), and a suffix that does not match with `InvalidInputError`.
 */
import type { AgentInputItem, SessionHistoryTransactionArgs, SessionHistoryTransactionAwareSession } from '@openai/agents';
import { SessionNotFoundError } from '../shared/errors';
import type { SessionItem } from '../shared/schemas';
import type { ContentPart } from '../shared/content-parts';
import { HOSTED_TOOL_CALL_TYPES, isMessage, pairingOf, type Item, type MessageItem } from '../shared/items';
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

/**
 * An SDK item as the session stores it: exactly as given (the session's item schema knows the SDK's
 * spellings), so `getItems` gives back what `addItems` took.
 */
export function fromAgentItem(item: AgentInputItem): Item {
  return item as unknown as Item;
}

/**
 * Session items as SDK items. Items the SDK wrote come back as they were written; items in the
 * Responses API's spelling (a worker's own turns) are spelled the SDK's way: `callId`, a function
 * output as a `function_call_result` with its tool's name, assistant text as `output_text` parts,
 * images and files as the SDK's `image` and `file`, reasoning summaries as reasoning content, and a
 * hosted tool's call as a `hosted_tool_call`.
 */
export function toAgentItems(entries: SessionItem[]): AgentInputItem[] {
  const names = new Map<string, string>();
  return entries.map(({ item }) => {
    const record = item as Record<string, unknown>;
    const pairing = pairingOf(item);
    if (item.type === 'function_call' && typeof record.name === 'string') names.set(pairing?.callId ?? '', record.name);
    return toAgentItem(item, record, names) as AgentInputItem;
  });
}

function toAgentItem(item: Item, record: Record<string, unknown>, names: Map<string, string>): unknown {
  const { call_id: callId, ...rest } = record;
  if (item.type === 'function_call' && typeof callId === 'string') return { ...rest, callId };
  if (item.type === 'function_call_output' && typeof callId === 'string') {
    const { type: _type, output, ...others } = rest;
    return { ...others, type: 'function_call_result', callId, name: names.get(callId) ?? 'unknown', status: 'completed', output: sdkOutput(output) };
  }
  if (isMessage(item)) return sdkMessage(item);
  if (item.type === 'reasoning' && Array.isArray(record.summary) && record.content === undefined) {
    const { summary, encrypted_content: encrypted, ...others } = record;
    return {
      ...others,
      content: (summary as Array<{ text?: unknown }>).map((part) => ({ type: 'input_text', text: String(part.text ?? '') })),
      ...(typeof encrypted === 'string' ? { providerData: { encryptedContent: encrypted } } : {}),
    };
  }
  if ((HOSTED_TOOL_CALL_TYPES as readonly string[]).includes(String(item.type)) && !SDK_HOSTED_TYPES.has(String(item.type))) {
    return {
      type: 'hosted_tool_call',
      name: item.type,
      ...(typeof record.id === 'string' ? { id: record.id } : {}),
      ...(typeof record.status === 'string' ? { status: record.status } : {}),
      providerData: record,
    };
  }
  return record;
}

/** Hosted tool item types the SDK has items of its own for (kept as they are). */
const SDK_HOSTED_TYPES = new Set(['hosted_tool_call', 'tool_search_call']);

/** A message in the SDK's spelling: assistant text as output_text parts; images and files as `image` and `file`. */
function sdkMessage(item: MessageItem): unknown {
  if (item.role === 'assistant' && typeof item.content === 'string') {
    return { ...item, type: 'message', status: item.status ?? 'completed', content: [{ type: 'output_text', text: item.content }] };
  }
  if (typeof item.content === 'string') return item;
  return { ...item, content: item.content.map(sdkPart) };
}

/** A content part in the SDK's spelling. */
function sdkPart(part: ContentPart): unknown {
  if (part.type === 'input_image' && part.image === undefined && (typeof part.image_url === 'string' || typeof part.file_id === 'string')) {
    const { image_url: url, file_id: fileId, ...rest } = part;
    return { ...rest, image: typeof url === 'string' ? url : { id: fileId } };
  }
  if (part.type === 'input_file' && part.file === undefined && [part.file_data, part.file_id, part.file_url].some((value) => typeof value === 'string')) {
    const { file_data: data, file_id: fileId, file_url: url, ...rest } = part;
    return { ...rest, file: typeof data === 'string' ? data : typeof url === 'string' ? { url } : { id: fileId } };
  }
  return part;
}

/** A function output in the SDK's spelling: a string as is, content parts spelled the SDK's way. */
function sdkOutput(output: unknown): unknown {
  return Array.isArray(output) ? output.map((part) => sdkPart(part as ContentPart)) : output;
}
