/**
 * Spans for model calls and tool calls, named and described as OpenTelemetry's GenAI semantic
 * conventions say (`chat {model}`, `execute_tool {tool}`, the `gen_ai.*` attributes). Without a
 * registered tracer provider they are no-ops. Message text and tool arguments are attributes only when
 * the caller says content may be captured.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { Usage } from '../shared/schemas';
import { errorTypeOf } from './error-type';

const tracer = () => trace.getTracer('agent-sessions');

/** A model call to describe: which API, model and server, for which session and agent. */
export interface ModelCallSpan {
  api: 'chat_completions' | 'responses';
  model: string;
  /** The endpoint's base URL (server.address and server.port come from it); OpenAI's when absent. */
  baseURL?: string;
  sessionId: string;
  agent: string;
  /** The request's items, recorded as `gen_ai.input.messages` only when content may be captured. */
  input?: () => unknown;
  captureContent: boolean;
}

/** What a model call answered, as the span records it. */
export interface ModelCallOutcome {
  usage: Usage;
  finishReason?: string;
  items: unknown[];
}

/**
 * Runs a model call in a `chat {model}` client span. `call` gets a function to call at the first
 * streamed token (an event on the span). The span ends with the usage and finish reason, or with the
 * error's type when the call fails.
 */
export async function inModelCallSpan<Outcome extends ModelCallOutcome>(call: ModelCallSpan, run: (firstToken: () => void) => Promise<Outcome>): Promise<Outcome> {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': call.model,
    'gen_ai.conversation.id': call.sessionId,
    'gen_ai.agent.name': call.agent,
    'agent_sessions.openai_api': call.api,
    ...serverAttributes(call.baseURL),
  };
  return tracer().startActiveSpan(`chat ${call.model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    if (call.captureContent && call.input && span.isRecording()) span.setAttribute('gen_ai.input.messages', JSON.stringify(call.input()));
    let first = true;
    const firstToken = () => {
      if (!first) return;
      first = false;
      span.addEvent('gen_ai.first_token');
    };
    return endedAfter(span, async () => {
      const outcome = await run(firstToken);
      span.setAttributes({
        'gen_ai.usage.input_tokens': outcome.usage.inputTokens,
        'gen_ai.usage.output_tokens': outcome.usage.outputTokens,
        ...(outcome.usage.cachedTokens !== undefined ? { 'gen_ai.usage.cached_input_tokens': outcome.usage.cachedTokens } : {}),
        ...(outcome.usage.reasoningTokens !== undefined ? { 'gen_ai.usage.reasoning_tokens': outcome.usage.reasoningTokens } : {}),
        ...(outcome.finishReason ? { 'gen_ai.response.finish_reasons': [outcome.finishReason] } : {}),
      });
      if (call.captureContent) span.setAttribute('gen_ai.output.messages', JSON.stringify(outcome.items));
      return outcome;
    });
  });
}

/** A tool call to describe. */
export interface ToolCallSpan {
  name: string;
  callId: string;
  sessionId: string;
  agent: string;
  /** The call's arguments (JSON text), recorded only when content may be captured. */
  arguments: string;
  captureContent: boolean;
}

/**
 * Runs a tool call in an `execute_tool {tool}` span. A call the tool answered with an error output
 * (`failed`) ends the span with status ERROR and `error.type` `tool_error`.
 */
export async function inToolCallSpan<Result extends { output: unknown; failed?: boolean }>(call: ToolCallSpan, run: () => Promise<Result>): Promise<Result> {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': call.name,
    'gen_ai.tool.call.id': call.callId,
    'gen_ai.tool.type': 'function',
    'gen_ai.conversation.id': call.sessionId,
    'gen_ai.agent.name': call.agent,
    ...(call.captureContent ? { 'gen_ai.tool.call.arguments': call.arguments } : {}),
  };
  return tracer().startActiveSpan(`execute_tool ${call.name}`, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    return endedAfter(span, async () => {
      const result = await run();
      if (call.captureContent) span.setAttribute('gen_ai.tool.call.result', typeof result.output === 'string' ? result.output : JSON.stringify(result.output));
      if (result.failed) {
        span.setAttribute('error.type', 'tool_error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool answered with an error output' });
      }
      return result;
    });
  });
}

/** Runs `run`, then ends `span`: failed with the error's type when `run` throws. */
async function endedAfter<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's type: a Temporal failure's `type`, else its class name. No message text. */
function failed(span: Span, error: unknown): void {
  const type = errorTypeOf(error);
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** `server.address` and `server.port` of a base URL (api.openai.com:443 when absent). */
function serverAttributes(baseURL: string | undefined): Attributes {
  try {
    const url = new URL(baseURL ?? 'https://api.openai.com/v1');
    return { 'server.address': url.hostname, 'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return {};
  }
}
