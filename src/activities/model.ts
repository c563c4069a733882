/**
 * The model activity: reads the window the model may see from the projection (the claim check), adds
 * the turn's own items, shapes them with the session's input callback, and calls an OpenAI-compatible
 * endpoint with the `openai` client. Text Postgres could not store is repaired in the reply.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import type { Pool } from 'pg';
import type { AgentRegistry, RunInfo, RunnableAgent, RunnableHandoff, RunnableTool } from '../agents';
import type { ModelSettings } from '../shared/agent';
import type { MemoryOptions } from '../shared/memory';
import { ModelCallInput, type CallPlan, type ModelCallResult } from '../shared/activity-io';
import { FailureType } from '../shared/failures';
import { describeIssues, type Item, type JsonObject, type Usage } from '../shared/schemas';
import { repairJson } from '../shared/text';
import { isFunctionCall } from '../shared/items';
import { ChatCompletionReply, fromChatCompletion, toChatMessages } from './chat-format';
import { applyInputCallback, type InputCallbacks } from './input-callbacks';
import { revealedSecrets, scrubbedOfSecrets, withSecretsScrubbed } from '../shared/secrets';
import { parseActivityInput } from './activity-input';
import { toActivityFailure } from './model-errors';
import { MEMORY_TOOLS, memorySection, recallMemories } from './memory';
import { lastMessageText } from '../shared/item-text';
import { readWindow } from './model-window';
import { streamCompletion } from './chat-stream';
import { StreamWriter } from './stream-writer';
import type { StoredStreamEvent } from '../shared/stream';
import { timedLog } from './activity-log';
import { extractContent, resolveContent } from './content-refs';

/** What the model activities need from the worker. */
export interface ModelDependencies {
  openai: OpenAI;
  pool: Pool;
  agents: AgentRegistry;
  inputCallbacks: InputCallbacks;
  /** The model used for agents that name none. */
  defaultModel: string;
  /** How long one model request may take, reading the whole answer included, before it is abandoned and retried. */
  modelTimeoutMs: number;
  /** Long-term memory for sessions that belong to a user. */
  memory: MemoryOptions;
  /** Whether model calls stream, their events written for callers to follow (else each reply arrives whole). */
  streaming: boolean;
}

/** How often a waiting model call tells Temporal it is alive. */
const HEARTBEAT_INTERVAL_MS = 2_000;

/** The agent with this name (the default agent for an empty name), or a non-retryable failure that says to deploy it. */
function requireAgent(agents: AgentRegistry, name: string): RunnableAgent {
  const agent = agents.find(name || agents.defaultAgent);
  if (!agent) {
    throw ApplicationFailure.nonRetryable(
      `this worker has no agent named "${name}" (it serves ${agents.names.map((known) => `"${known}"`).join(', ')}); ` +
        'name one of them, or deploy a worker that registers it',
      FailureType.UnknownAgentOrTool,
    );
  }
  return agent;
}

/**
 * One chat completion, heartbeating while it waits; the reply's items (repaired) and usage. The
 * deadline covers reading the body too (the client's own timeout stops at the headers), so an
 * endpoint that stalls mid-answer is abandoned and retried.
 */
export function completeChat(
  deps: Pick<ModelDependencies, 'openai' | 'modelTimeoutMs'>,
  request: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
): Promise<{ items: Item[]; usage: Usage }> {
  return askEndpoint(deps, (signal) => deps.openai.chat.completions.create(request, { signal }));
}

/** Like `completeChat`, but streamed: each text delta goes to `onText` as the endpoint sends it. */
export function streamChat(
  deps: Pick<ModelDependencies, 'openai' | 'modelTimeoutMs'>,
  request: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
  onText: (delta: string) => void,
): Promise<{ items: Item[]; usage: Usage }> {
  return askEndpoint(deps, (signal) => streamCompletion(deps.openai, request, signal, onText));
}

/** Runs one request under the model deadline and the activity's cancellation, heartbeating; checks the completion. */
async function askEndpoint(
  deps: Pick<ModelDependencies, 'modelTimeoutMs'>,
  request: (signal: AbortSignal) => Promise<unknown>,
): Promise<{ items: Item[]; usage: Usage }> {
  const context = Context.current();
  const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
  // A timer and a controller of our own, not AbortSignal.timeout/any (whose signals Node 20 may collect
  // before they fire): the deadline ends the call even where the client does not honour the signal.
  const controller = new AbortController();
  const cancel = () => controller.abort(context.cancellationSignal.reason);
  context.cancellationSignal.addEventListener('abort', cancel, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const pastDeadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(ApplicationFailure.retryable(`the model gave no complete answer within ${deps.modelTimeoutMs} ms`, 'ModelDeadline'));
    }, deps.modelTimeoutMs);
  });
  let raw: unknown;
  try {
    raw = await Promise.race([request(controller.signal), pastDeadline]);
  } catch (error) {
    throw toActivityFailure(error);
  } finally {
    clearTimeout(timer);
    context.cancellationSignal.removeEventListener('abort', cancel);
    clearInterval(heartbeat);
  }
  const reply = ChatCompletionReply.safeParse(repairJson(raw));
  if (!reply.success) {
    throw ApplicationFailure.retryable(
      `the model endpoint answered with an invalid completion: ${describeIssues(reply.error)}`,
      FailureType.InvalidModelResponse,
    );
  }
  const usage = reply.data.usage;
  return {
    items: fromChatCompletion(reply.data),
    usage: {
      requests: 1,
      inputTokens: usage?.prompt_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? 0,
      totalTokens: usage?.total_tokens ?? 0,
    },
  };
}

/** Creates the `callModel` activity. */
export function createCallModel(deps: ModelDependencies) {
  return async function callModel(rawInput: ModelCallInput): Promise<ModelCallResult> {
    const input = parseActivityInput(ModelCallInput, rawInput, 'callModel');
    const agent = requireAgent(deps.agents, input.agent);
    const { userId } = input;
    const [memories, history] = await Promise.all([
      userId ? recallMemories(deps.pool, userId, deps.memory.recall, lastMessageText(input.turnItems, 'user')) : [],
      readWindow(deps.pool, input.sessionId, input.window),
    ]);
    const run = { sessionId: input.sessionId, agent: agent.name, ...(userId ? { userId } : {}), memories };
    const { context, secrets } = revealedSecrets(input.context);
    const instructions = (await withSecretsScrubbed(secrets, () => agent.instructions(structuredClone(context), run))) + memorySection(memories);
    const items = await applyInputCallback(deps.inputCallbacks, input.inputCallback, ...(await resolveContent(deps.pool, input.sessionId, [history, input.turnItems] as const)));
    const tools = [
      ...agent.tools.map(toChatTool),
      ...agent.handoffs.map(handoffChatTool),
      ...(userId && deps.memory.tools ? MEMORY_TOOLS.map(toChatTool) : []),
    ];
    const chat = toChatMessages(instructions, items);
    if (chat.omitted.length > 0) log.info('items left out of the chat request', { reasons: chat.omitted });
    const request = {
      model: agent.model ?? deps.defaultModel,
      messages: scrubbedOfSecrets(chat.messages, secrets),
      ...(tools.length > 0 ? { tools } : {}),
      ...modelSettings(agent.settings),
    };
    const writer = await StreamWriter.open(deps, input.sessionId, input.stream);
    const done = timedLog();
    try {
      const reply = deps.streaming
        ? await streamChat(deps, request, (delta) => writer.text(agent.name, delta))
        : await completeChat(deps, request);
      done('model call completed', {
        agent: agent.name,
        model: request.model,
        streamed: deps.streaming,
        functionCalls: reply.items.filter(isFunctionCall).length,
        ...reply.usage,
      });
      const calls = await planCalls(agent, reply.items, structuredClone(context), run, secrets);
      await writer.finish(replyEvents(writer.step, agent.name, reply.items, calls));
      reply.items = await extractContent(deps.pool, input.sessionId, reply.items);
      return { ...reply, agent: agent.name, maxModelCalls: agent.maxModelCalls, calls };
    } catch (error) {
      await writer.abandon();
      throw error;
    }
  };
}

/**
 * What each function call of a reply is: a handoff to the agent its tool names, or a tool call, marked
 * when the tool says this call needs a human's approval.
 */
async function planCalls(agent: RunnableAgent, items: Item[], context: JsonObject, run: RunInfo, secrets: string[]): Promise<Record<string, CallPlan>> {
  const plans: Record<string, CallPlan> = {};
  for (const item of items.filter(isFunctionCall)) {
    const handoff = agent.handoffs.find((candidate) => candidate.toolName === item.name);
    const tool = agent.tools.find((candidate) => candidate.name === item.name);
    if (handoff) plans[item.call_id] = { kind: 'handoff', target: handoff.target };
    else if (tool && (await needsApproval(tool, context, item.arguments, run, secrets))) plans[item.call_id] = { kind: 'tool', approval: true };
    else plans[item.call_id] = { kind: 'tool' };
  }
  return plans;
}

/**
 * Whether a tool's approval policy holds this call; a policy that throws holds it (a human looks rather
 * than nobody), and its error is logged with the secrets' texts replaced.
 */
async function needsApproval(tool: RunnableTool, context: JsonObject, argumentsJson: string, run: RunInfo, secrets: string[]): Promise<boolean> {
  try {
    return await tool.needsApproval(context, argumentsJson, run);
  } catch (error) {
    log.warn('a tool approval policy threw; the call waits for approval', { tool: tool.name, error: scrubbedOfSecrets(String((error as Error)?.message ?? error), secrets) });
    return true;
  }
}

/** The stream events of a complete reply: each function call as a tool call, a handoff, or a call that waits for approval. */
function replyEvents(step: number, agent: string, items: Item[], calls: Record<string, CallPlan>): StoredStreamEvent[] {
  const events: StoredStreamEvent[] = [];
  for (const item of items.filter(isFunctionCall)) {
    const plan = calls[item.call_id];
    if (plan?.kind === 'handoff') events.push({ type: 'handoff', step, from: agent, to: plan.target, callId: item.call_id });
    else {
      events.push({ type: 'tool_call', step, agent, callId: item.call_id, name: item.name, arguments: item.arguments });
      if (plan?.approval) events.push({ type: 'approval', step, agent, callId: item.call_id, tool: item.name, arguments: item.arguments });
    }
  }
  return events;
}

/** A tool as the Chat Completions API declares it. */
function toChatTool(tool: Pick<RunnableTool, 'name' | 'description' | 'parameters'>): OpenAI.Chat.Completions.ChatCompletionFunctionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

/** A handoff as the tool the model calls to hand the conversation over. */
function handoffChatTool(handoff: RunnableHandoff): OpenAI.Chat.Completions.ChatCompletionFunctionTool {
  return {
    type: 'function',
    function: { name: handoff.toolName, description: handoff.description, parameters: { type: 'object', properties: {}, additionalProperties: false } },
  };
}

/** The request fields for an agent's model settings. */
function modelSettings(settings: ModelSettings | undefined) {
  return {
    ...(settings?.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings?.topP !== undefined ? { top_p: settings.topP } : {}),
    ...(settings?.maxTokens !== undefined ? { max_completion_tokens: settings.maxTokens } : {}),
    ...(settings?.parallelToolCalls !== undefined ? { parallel_tool_calls: settings.parallelToolCalls } : {}),
  };
}
