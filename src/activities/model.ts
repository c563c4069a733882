/**
 * The model activity: reads the committed items the model may see from the projection (the claim
 * check), adds the turn's own items, and calls an OpenAI-compatible endpoint with the `openai` client.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type OpenAI from 'openai';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { AgentRegistry, ModelSettings, ToolSpec } from '../shared/agent';
import { ModelCallInput, type ModelCallResult } from '../shared/activity-io';
import { FailureType } from '../shared/failures';
import { describeIssues } from '../shared/schemas';
import { readItemRange } from '../postgres/items';
import { ChatCompletionReply, fromChatCompletion, toChatMessages } from './chat-format';
import { toActivityFailure } from './model-errors';

/** What the model activity needs from the worker. */
export interface ModelDependencies {
  openai: OpenAI;
  pool: Pool;
  agents: AgentRegistry;
  /** The model used for agents that name none. */
  defaultModel: string;
}

/** How often a waiting model call tells Temporal it is alive. */
const HEARTBEAT_INTERVAL_MS = 2_000;

/** Creates the `callModel` activity. */
export function createCallModel(deps: ModelDependencies) {
  return async function callModel(rawInput: ModelCallInput): Promise<ModelCallResult> {
    const input = ModelCallInput.parse(rawInput);
    const agent = deps.agents.find(input.agent);
    if (!agent) {
      throw ApplicationFailure.nonRetryable(`this worker has no agent named "${input.agent}"`, FailureType.UnknownAgentOrTool);
    }
    const committed = await readItemRange(deps.pool, input.sessionId, input.committed.fromSeq, input.committed.throughSeq);
    if (committed.length !== input.committed.count) {
      throw new Error(
        `the projection holds ${committed.length} of the ${input.committed.count} items of session ` +
          `${input.sessionId} (seq ${input.committed.fromSeq}..${input.committed.throughSeq}); retrying until it catches up`,
      );
    }
    const messages = toChatMessages(input.instructions, [...committed.map((entry) => entry.item), ...input.turnItems]);
    const context = Context.current();
    const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
    let raw: unknown;
    try {
      raw = await deps.openai.chat.completions.create(
        {
          model: agent.model ?? deps.defaultModel,
          messages,
          ...(agent.tools.length > 0 ? { tools: agent.tools.map(toChatTool) } : {}),
          ...modelSettings(agent.settings),
        },
        { signal: context.cancellationSignal },
      );
    } catch (error) {
      throw toActivityFailure(error);
    } finally {
      clearInterval(heartbeat);
    }
    const reply = ChatCompletionReply.safeParse(raw);
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
  };
}

/** A tool as the Chat Completions API declares it, its parameters as JSON schema. */
function toChatTool(tool: ToolSpec): OpenAI.Chat.Completions.ChatCompletionFunctionTool {
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.parameters) as Record<string, unknown>;
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters } };
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
