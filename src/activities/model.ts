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
import { DEFAULT_OPENAI_API, type ModelSettings, type OpenAiApi } from '../shared/agent';
import type { MemoryOptions } from '../shared/memory';
import { ModelCallInput, type CallPlan, type ModelCallResult } from '../shared/activity-io';
import { FailureType } from '../shared/failures';
import { Item, type FinishReason, type JsonObject, type Usage } from '../shared/schemas';
import { repairJson } from '../shared/text';
import { contentText, isFunctionCall, isMessage } from '../shared/items';
import { ChatCompletionReply, chatFinishReason, chatUsage, fromChatCompletion, toChatMessages } from './chat-format';
import { fromResponse, ResponsesReply, responsesFinishReason, responsesFunctionTool, responsesHostedTool, responsesUsage, toResponsesInput } from './responses-format';
import { responseFailure, streamResponse } from './responses-stream';
import { applyInputCallback, type InputCallbacks } from './input-callbacks';
import { revealedSecrets, scrubbedOfSecrets, withSecretsScrubbed } from '../shared/secrets';
import { invalidActivityInput, invalidModelResponse, parseOrFail } from '../shared/parse';
import { toActivityFailure } from './model-errors';
import { MEMORY_TOOLS, memorySection, recallMemories } from './memory';
import { lastMessageText } from '../shared/item-text';
import { readWindow } from './model-window';
import { streamCompletion } from './chat-stream';
import { StreamWriter } from './stream-writer';
import type { StoredStreamEvent } from '../shared/stream';
import { timedLog } from './activity-log';
import { extractContent, resolveContent } from './content-refs';
import { observedModelCall } from '../telemetry/observed-calls';

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
  /**
   * Which API the worker speaks: `chat_completions` when absent (every OpenAI-compatible server speaks
   * it), or `responses` (reasoning items carried back, hosted tools).
   */
  openaiApi?: OpenAiApi;
  /** Whether the model call's span may carry the request's items and the reply (tracing's content opt-in; never with encryption). */
  traceContent?: boolean;
}

/** What one model call answered: its items (repaired), the tokens it used, and why it stopped. */
export interface ModelReply {
  items: Item[];
  usage: Usage;
  finishReason?: FinishReason;
}

/** How often a waiting model call tells Temporal it is alive. */
const HEARTBEAT_INTERVAL_MS = 2_000;

/** The agent with this name (the default agent for an empty name), or a non-retryable failure that says to deploy it. */
function requireAgent(agents: AgentRegistry, name: string): RunnableAgent {
  const agent = agents.find(name || agents.defaultAgent);
  if (!agent) {
    throw ApplicationFailure.nonRetryable(
      `this worker has no agent named "${name}" (it serves ${agents.names.map((known) => `"${known}"`).join(', ')}); ` + 'name one of them, or deploy a worker that registers it',
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
): Promise<ModelReply> {
  return askEndpoint(deps, (signal) => deps.openai.chat.completions.create(request, { signal }), readChatReply);
}

/** Like `completeChat`, but streamed: each text delta goes to `onText` as the endpoint sends it. */
export function streamChat(
  deps: Pick<ModelDependencies, 'openai' | 'modelTimeoutMs'>,
  request: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
  onText: (delta: string) => void,
): Promise<ModelReply> {
  return askEndpoint(deps, (signal) => streamCompletion(deps.openai, request, signal, onText), readChatReply);
}

/** One Response (Responses API), heartbeating while it waits, under the same deadline as a chat completion. */
export function completeResponse(deps: Pick<ModelDependencies, 'openai' | 'modelTimeoutMs'>, request: OpenAI.Responses.ResponseCreateParamsNonStreaming): Promise<ModelReply> {
  return askEndpoint(deps, (signal) => deps.openai.responses.create(request, { signal }), readResponsesReply);
}

/** Like `completeResponse`, but streamed: each text delta goes to `onText` as the endpoint sends it. */
export function streamResponses(
  deps: Pick<ModelDependencies, 'openai' | 'modelTimeoutMs'>,
  request: OpenAI.Responses.ResponseCreateParamsNonStreaming,
  onText: (delta: string) => void,
): Promise<ModelReply> {
  return askEndpoint(deps, (signal) => streamResponse(deps.openai, request, signal, onText), readResponsesReply);
}

/** Runs one request under the model deadline and the activity's cancellation, heartbeating; reads the (repaired) answer. */
async function askEndpoint(
  deps: Pick<ModelDependencies, 'modelTimeoutMs'>,
  request: (signal: AbortSignal) => Promise<unknown>,
  read: (raw: unknown) => ModelReply,
): Promise<ModelReply> {
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
      reject(ApplicationFailure.retryable(`the model gave no complete answer within ${deps.modelTimeoutMs} ms`, FailureType.ModelDeadline));
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
  return read(repairJson(raw));
}

/** A chat completion's items, usage and finish reason; an answer that is not a completion is retried. */
function readChatReply(raw: unknown): ModelReply {
  const reply = parseOrFail(ChatCompletionReply, raw, 'an invalid completion', invalidModelResponse);
  const finishReason = chatFinishReason(reply);
  return { items: fromChatCompletion(reply), usage: chatUsage(reply.usage), ...(finishReason ? { finishReason } : {}) };
}

/**
 * A Response's items (every output item as the API gave it), usage and finish reason. An incomplete
 * response is still a reply; a failed one fails the call as its error says; one that is not a
 * Response is retried.
 */
function readResponsesReply(raw: unknown): ModelReply {
  const reply = parseOrFail(ResponsesReply, raw, 'an invalid response', invalidModelResponse);
  if (reply.status === 'failed') throw responseFailure(reply.error);
  const items = fromResponse(reply);
  items.forEach((item, index) => parseOrFail(Item, item, `an invalid output item ${index}`, invalidModelResponse));
  return { items, usage: responsesUsage(reply.usage), finishReason: responsesFinishReason(reply, items) };
}

/** Creates the `callModel` activity. */
export function createCallModel(deps: ModelDependencies) {
  return async function callModel(rawInput: ModelCallInput): Promise<ModelCallResult> {
    const input = parseOrFail(ModelCallInput, rawInput, 'callModel', invalidActivityInput);
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
    const api = deps.openaiApi ?? DEFAULT_OPENAI_API;
    const request = { model: agent.model ?? deps.defaultModel, agent, instructions, items, memoryTools: Boolean(userId && deps.memory.tools), secrets };
    const ask = api === 'responses' ? responsesCall(deps, request) : chatCall(deps, request);
    const writer = await StreamWriter.open(deps, input.sessionId, input.stream);
    const done = timedLog();
    try {
      const span = {
        api,
        model: request.model,
        baseURL: deps.openai.baseURL,
        sessionId: input.sessionId,
        agent: agent.name,
        input: () => items,
        captureContent: deps.traceContent ?? false,
      };
      const reply = await observedModelCall(span, (firstToken) =>
        ask(
          deps.streaming
            ? (delta) => {
                firstToken();
                writer.text(agent.name, delta);
              }
            : undefined,
        ),
      );
      done('model call completed', {
        agent: agent.name,
        model: request.model,
        api,
        streamed: deps.streaming,
        finishReason: reply.finishReason,
        functionCalls: reply.items.filter(isFunctionCall).length,
        ...reply.usage,
      });
      const calls = await planCalls(agent, reply.items, structuredClone(context), run, secrets);
      const output = agent.output && !reply.items.some(isFunctionCall) ? checkedOutput(agent, reply.items) : undefined;
      await writer.finish(replyEvents(writer.step, agent.name, reply.items, calls));
      reply.items = await extractContent(deps.pool, input.sessionId, reply.items);
      return { ...reply, agent: agent.name, maxModelCalls: agent.maxModelCalls, calls, ...(output ? { output: output.value } : {}) };
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

/**
 * The stream events of a complete reply: each item other than text and function calls (reasoning, a
 * hosted tool's call) as it is, then each function call as a tool call, a handoff, or a call that
 * waits for approval.
 */
function replyEvents(step: number, agent: string, items: Item[], calls: Record<string, CallPlan>): StoredStreamEvent[] {
  const events: StoredStreamEvent[] = [];
  for (const item of items) {
    if (!isMessage(item) && !isFunctionCall(item)) events.push({ type: 'item', step, agent, item: item as { type: string } });
  }
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

/** What a model request is built from, whichever API carries it. */
interface RequestParts {
  model: string;
  agent: RunnableAgent;
  instructions: string;
  items: Item[];
  /** Whether the memory tools are offered. */
  memoryTools: boolean;
  /** Secrets' texts, replaced in what is sent. */
  secrets: string[];
}

/** A model call, ready to run: streamed (each text delta to `onText`) or whole. */
type ModelCall = (onText?: (delta: string) => void) => Promise<ModelReply>;

/**
 * A Chat Completions request: the instructions as a system message, the items as messages (what the
 * API cannot carry left out, with the reasons logged), function, handoff and memory tools; hosted
 * tools are left out (Responses only), with the reason logged; structured output as `response_format`.
 */
function chatCall(deps: ModelDependencies, parts: RequestParts): ModelCall {
  const { agent } = parts;
  const tools = [...agent.tools.map(toChatTool), ...agent.handoffs.map(handoffChatTool), ...(parts.memoryTools ? MEMORY_TOOLS.map(toChatTool) : [])];
  const chat = toChatMessages(parts.instructions, parts.items);
  if (chat.omitted.length > 0) log.info('items left out of the chat request', { reasons: chat.omitted });
  if (agent.hostedTools && agent.hostedTools.length > 0) {
    log.info('hosted tools left out of the chat request (they need OPENAI_API=responses)', { tools: agent.hostedTools.map((tool) => tool.type) });
  }
  const request: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
    model: parts.model,
    messages: scrubbedOfSecrets(chat.messages, parts.secrets),
    ...(tools.length > 0 ? { tools } : {}),
    ...(agent.output ? { response_format: { type: 'json_schema', json_schema: { name: OUTPUT_FORMAT_NAME, schema: agent.output.schema, strict: true } } } : {}),
    ...modelSettings(agent.settings),
  };
  return (onText) => (onText ? streamChat(deps, request, onText) : completeChat(deps, request));
}

/**
 * A Responses API request: the agent's instructions, the items adapted as `input` (what the API
 * cannot take left out, with the reasons logged), function, handoff, memory and hosted tools,
 * structured output as `text.format`. Never stored on the provider's side (`store: false`), and the
 * reasoning comes back encrypted, so the session's own items carry it to every later call.
 */
function responsesCall(deps: ModelDependencies, parts: RequestParts): ModelCall {
  const { agent } = parts;
  const tools: OpenAI.Responses.Tool[] = [
    ...agent.tools.map(responsesFunctionTool),
    ...agent.handoffs.map((handoff) =>
      responsesFunctionTool({
        name: handoff.toolName,
        description: handoff.description,
        parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
      }),
    ),
    ...(parts.memoryTools ? MEMORY_TOOLS.map(responsesFunctionTool) : []),
    ...(agent.hostedTools ?? []).map(responsesHostedTool),
  ];
  const adapted = toResponsesInput(parts.items);
  if (adapted.omitted.length > 0) log.info('items left out of the Responses request', { reasons: adapted.omitted });
  const settings = agent.settings;
  const request: OpenAI.Responses.ResponseCreateParamsNonStreaming = {
    model: parts.model,
    ...(parts.instructions ? { instructions: scrubbedOfSecrets(parts.instructions, parts.secrets) } : {}),
    input: scrubbedOfSecrets(adapted.input, parts.secrets),
    ...(tools.length > 0 ? { tools } : {}),
    store: false,
    include: ['reasoning.encrypted_content'],
    ...(agent.output ? { text: { format: { type: 'json_schema', name: OUTPUT_FORMAT_NAME, schema: agent.output.schema, strict: true } } } : {}),
    ...(settings?.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings?.topP !== undefined ? { top_p: settings.topP } : {}),
    ...(settings?.maxTokens !== undefined ? { max_output_tokens: Math.max(16, settings.maxTokens) } : {}),
    ...(settings?.parallelToolCalls !== undefined ? { parallel_tool_calls: settings.parallelToolCalls } : {}),
  };
  return (onText) => (onText ? streamResponses(deps, request, onText) : completeResponse(deps, request));
}

/** The name structured output is sent under. */
const OUTPUT_FORMAT_NAME = 'final_output';

/**
 * The final answer of an agent with an `outputType`: its text parsed as JSON and checked by the
 * schema; otherwise a non-retryable InvalidOutput saying what was wrong (the session is unchanged).
 */
function checkedOutput(agent: RunnableAgent, items: Item[]): { value: unknown } {
  const output = agent.output!;
  const message = [...items].reverse().find((item) => isMessage(item) && item.role === 'assistant');
  const text = message && isMessage(message) ? contentText(message.content) : '';
  const refuse = (problem: string) =>
    ApplicationFailure.nonRetryable(
      `the agent "${agent.name}" declares an outputType, and the model's final answer ${problem}; ` +
        'send the message again, or make the schema or the instructions easier for the model to meet',
      FailureType.InvalidOutput,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw refuse(`is not JSON (${(error as Error).message}): ${JSON.stringify(text.slice(0, 200))}`);
  }
  const checked = output.check(value);
  if ('problem' in checked) throw refuse(`does not match it: ${checked.problem}`);
  return checked;
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
