/** The `callTool` activity: runs a function call with the code the worker registered for it. */
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { AgentRegistry, ToolAnswer } from '../agents';
import type { MemoryOptions } from '../shared/memory';
import { ToolCallInput, type ToolCallResult } from '../shared/activity-io';
import { MAX_TOOL_OUTPUT_CHARS } from '../shared/limits';
import type { JsonObject } from '../shared/schemas';
import { repairJson } from '../shared/text';
import { rehiddenSecrets, revealedSecrets, scrubbedOfSecrets, withSecretsScrubbed } from '../shared/secrets';
import { invalidActivityInput, parseOrFail } from '../shared/parse';
import { invokeMemoryTool, isMemoryTool } from './memory';
import { StreamWriter } from './stream-writer';
import { timedLog } from './activity-log';
import { extractContent } from './content-refs';
import { observedToolCall } from '../telemetry/observed-calls';

/** How often a running tool's activity heartbeats (the workflow gives it a 10 s heartbeat timeout). */
const TOOL_HEARTBEAT_INTERVAL_MS = 2_000;

/** A call's idempotency key: the same on every run of the call (retries, a new worker, a replay), unique per call. */
export function toolIdempotencyKey(sessionId: string, callId: string): string {
  return `${sessionId}:${callId}`;
}

/**
 * Creates the `callTool` activity. Bad arguments from the model and unknown tools are answered to the
 * model as an error output (so it can correct itself), the result marked `failed`; a tool that throws is retried. The tool works on
 * a copy of the context: the top-level keys it changed come back as the patch. Text Postgres could not
 * store is repaired, and an output longer than 64,000 characters is cut. The built-in memory tools act
 * on the session's user's memories. An output that is a large data URL (an image, a file) is stored in
 * Postgres and the output carries its reference. The tool sees secret context values as their text; where it leaves
 * a text in a secret's place, that text is a secret again, and everywhere else in its output, patch and
 * errors a secret's text is replaced by `[secret]`.
 * Tools run at least once: the tool gets the call's idempotency key (the same on every run of the call)
 * and the attempt. The activity heartbeats while the tool runs, so a call lost with its worker runs
 * again within seconds; the tool's `signal` aborts when the run is cancelled.
 */
export function createCallTool(deps: { agents: AgentRegistry; pool: Pool; memory: MemoryOptions; streaming: boolean; traceContent?: boolean }) {
  const { agents } = deps;
  /** The tool's answer; the output is written to the message's stream before it is returned. */
  return async function callTool(rawInput: ToolCallInput): Promise<ToolCallResult> {
    const input = parseOrFail(ToolCallInput, rawInput, 'callTool', invalidActivityInput);
    const done = timedLog();
    const { call } = input;
    const span = { name: call.name, callId: call.call_id, sessionId: input.sessionId, agent: input.agent, arguments: call.arguments, captureContent: deps.traceContent ?? false };
    const result = await observedToolCall(span, () => runCall(input));
    done('tool call completed', {
      tool: input.call.name,
      callId: input.call.call_id,
      // A failed call (an unknown tool, invalid arguments) answers the model with an error output.
      outcome: result.failed ? 'error output' : 'ok',
      contextKeysChanged: Object.keys(result.contextPatch ?? {}).length,
    });
    const writer = await StreamWriter.open(deps, input.sessionId, input.stream);
    await writer.finish([{ type: 'tool_output', step: writer.step, callId: input.call.call_id, output: result.output, failed: result.failed }]);
    return result;
  };

  async function runCall(input: ToolCallInput): Promise<ToolCallResult & { failed: boolean }> {
    const { name } = input.call;
    if (isMemoryTool(name) && deps.memory.tools && input.userId) {
      const answer = await invokeMemoryTool(deps.pool, input.call, { userId: input.userId, sessionId: input.sessionId });
      return repairJson({ output: capOutput(answer.output), failed: answer.failed });
    }
    const tool = agents.find(input.agent || agents.defaultAgent)?.tools.find((candidate) => candidate.name === name);
    if (!tool) return { output: `Error: the agent ${input.agent} has no tool named ${name}.`, failed: true };
    // The tool's own copy of the context (revealing copies it), secrets as their text.
    const { context, secrets } = revealedSecrets(input.context);
    const activity = Context.current();
    const run = {
      sessionId: input.sessionId,
      agent: input.agent,
      ...(input.userId ? { userId: input.userId } : {}),
      callId: input.call.call_id,
      idempotencyKey: toolIdempotencyKey(input.sessionId, input.call.call_id),
      attempt: activity.info.attempt,
      signal: activity.cancellationSignal,
    };
    // Heartbeats while the tool runs: a worker that dies mid-call misses them, and the call runs again elsewhere.
    const heartbeat = setInterval(() => activity.heartbeat(), TOOL_HEARTBEAT_INTERVAL_MS);
    let returned: ToolAnswer;
    try {
      returned = await withSecretsScrubbed(secrets, () => tool.invoke(input.call.arguments, context, run));
    } finally {
      clearInterval(heartbeat);
    }
    // An image or file the tool returns as a data URL is stored apart and travels as a reference (never cut).
    const output = await extractContent(deps.pool, input.sessionId, returned.output);
    const left = rehiddenSecrets(input.context, context);
    const contextPatch = changedKeys(input.context, left);
    // The secrets it had and those it left (a text it wrote in a secret's place is one now).
    const known = revealedSecrets({ had: input.context, left }).secrets;
    return repairJson(scrubbedOfSecrets({ output: capOutput(output), failed: returned.failed, ...(contextPatch ? { contextPatch } : {}) }, known));
  }
}

/** The top-level keys of `after` whose JSON differs from `before`, or undefined when none does. */
function changedKeys(before: JsonObject, after: JsonObject): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(value) !== JSON.stringify(before[key])) patch[key] = value ?? null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** A tool's output cut to MAX_TOOL_OUTPUT_CHARS, with a note for the model that it was cut. */
export function capOutput(output: string): string {
  if (output.length <= MAX_TOOL_OUTPUT_CHARS) return output;
  return `${output.slice(0, MAX_TOOL_OUTPUT_CHARS)}\n[output cut: ${output.length - MAX_TOOL_OUTPUT_CHARS} more characters were not kept]`;
}
