import { z } from 'zod';
import { COMPACTION_INSTRUCTIONS, SUMMARY_PREFIX } from '../shared/compaction';
import {
  contentText,
  type AssistantReply,
  type ChatMessage,
  type ChatRequest,
  type ChatTool,
  type PlannedToolCall,
} from './protocol';

const OFFLINE_DISCLAIMER = 'I am the offline test model and can only answer from this conversation.';
const NAME_INTRODUCTION = /\bmy name is\s+(\p{L}[\p{L}'-]*)/iu;
const NAME_QUESTION = /\b(?:what['’]?s|what is|do you remember) my name\b/i;
const GENERIC_VERBS = new Set(['get', 'lookup', 'fetch', 'find', 'check', 'look']);
const TOOL_KEYWORD = /^\p{L}{4,}$/u;
const ARGUMENT_NEEDING_DIGITS = /id|number/i;
const FIRST_NUMBER = /-?\d+(?:\.\d+)?/;
const QUOTE_MAX_LENGTH = 80;

/** The parts of a tool's JSON schema the responder reads; a schema it cannot read counts as "no arguments". */
const ToolParameters = z.object({
  properties: z
    .record(z.string(), z.looseObject({ type: z.union([z.string(), z.array(z.string())]).optional() }))
    .default({}),
  required: z.array(z.string()).default([]),
});

/**
 * Answers a chat request by fixed rules, using nothing but the request itself. The first rule that applies wins:
 * 1. Tool results after the last user message: `Here is what I found: <their contents>` (so a tool is never called
 *    twice for the same user message).
 * 2. The last user message says "my name is X": `Nice to meet you, X!` (X is the word after "is").
 * 3. It asks "what's my name" / "what is my name" / "do you remember my name": the latest "my name is X" among the
 *    earlier user messages gives `Your name is X.`; without one, `I don't know your name yet.`
 * 4. An offered function tool matches: its name split on `_` gives keywords (words of 4+ letters, minus the generic
 *    verbs get/lookup/fetch/find/check/look); the first tool with a keyword starting a word of the user text is called.
 *    Each required parameter is filled from the text: names containing "id"/"number" and number/integer types take
 *    the first token holding a digit (as a number for number types), others the whole user text. A tool whose
 *    digit-needing parameter finds no digits in the text is skipped.
 * 0. A compaction request (the system prompt of `COMPACTION_INSTRUCTIONS`): `The user said: <their lines, joined>`,
 *    so that facts such as a name survive into the summary; earlier summaries are kept in it.
 * 5. Otherwise: `You said: "<short quote>". I am the offline test model and can only answer from this conversation.`
 */
export function respond(request: ChatRequest): AssistantReply {
  const { messages } = request;
  if (messages[0]?.role === 'system' && contentText(messages[0].content) === COMPACTION_INSTRUCTIONS) {
    return { text: summaryOf(contentText(messages[messages.length - 1].content)) };
  }
  const lastUserIndex = lastIndexOfRole(messages, 'user');
  const toolResults = messages.slice(lastUserIndex + 1).filter((message) => message.role === 'tool');
  if (toolResults.length > 0) {
    return { text: `Here is what I found: ${toolResults.map((message) => contentText(message.content)).join('\n')}` };
  }
  if (lastUserIndex === -1) return { text: OFFLINE_DISCLAIMER };

  const userText = contentText(messages[lastUserIndex].content);
  const introducedName = introducedNameIn(userText);
  if (introducedName !== undefined) return { text: `Nice to meet you, ${introducedName}!` };
  if (NAME_QUESTION.test(userText)) return { text: recallName(messages.slice(0, lastUserIndex)) };

  const toolCall = planToolCall(request.tools ?? [], userText);
  if (toolCall !== undefined) return { toolCalls: [toolCall] };
  return { text: `You said: "${shortQuote(userText)}". ${OFFLINE_DISCLAIMER}` };
}

function lastIndexOfRole(messages: ChatMessage[], role: ChatMessage['role']): number {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index].role === role) return index;
  }
  return -1;
}

function introducedNameIn(text: string): string | undefined {
  return NAME_INTRODUCTION.exec(text)?.[1];
}

/** A deterministic summary of a transcript: earlier summaries, then what the user said. */
function summaryOf(transcript: string): string {
  const lines = transcript.split('\n');
  const summaries = lines.filter((line) => line.startsWith(`system: ${SUMMARY_PREFIX}`)).map((line) => line.slice(`system: ${SUMMARY_PREFIX}`.length));
  const said = lines.filter((line) => line.startsWith('user: ')).map((line) => line.slice('user: '.length));
  return [...summaries, said.length > 0 ? `The user said: ${said.join(' | ')}` : ''].filter(Boolean).join(' ') || 'Nothing to summarise.';
}

function recallName(earlierMessages: ChatMessage[]): string {
  const names = earlierMessages
    .filter((message) => message.role === 'user' || (message.role === 'system' && contentText(message.content).startsWith(SUMMARY_PREFIX)))
    .map((message) => introducedNameIn(contentText(message.content)))
    .filter((name) => name !== undefined);
  const latestName = names.at(-1);
  return latestName === undefined ? "I don't know your name yet." : `Your name is ${latestName}.`;
}

function planToolCall(tools: ChatTool[], userText: string): PlannedToolCall | undefined {
  for (const tool of tools) {
    if (tool.type !== 'function' || tool.function === undefined) continue;
    if (!toolKeywords(tool.function.name).some((keyword) => startsAWordOf(userText, keyword))) continue;
    const toolArguments = argumentsFromText(tool.function.parameters, userText);
    if (toolArguments !== undefined) return { name: tool.function.name, arguments: toolArguments };
  }
  return undefined;
}

function toolKeywords(toolName: string): string[] {
  return toolName
    .toLowerCase()
    .split('_')
    .filter((word) => TOOL_KEYWORD.test(word) && !GENERIC_VERBS.has(word));
}

function startsAWordOf(text: string, keyword: string): boolean {
  return new RegExp(`(?:^|\\P{L})${keyword}`, 'iu').test(text);
}

function argumentsFromText(parameters: unknown, userText: string): Record<string, unknown> | undefined {
  const schema = ToolParameters.safeParse(parameters ?? {});
  if (!schema.success) return {};
  const toolArguments: Record<string, unknown> = {};
  for (const name of schema.data.required) {
    const numeric = isNumericType(schema.data.properties[name]?.type);
    if (!numeric && !ARGUMENT_NEEDING_DIGITS.test(name)) {
      toolArguments[name] = userText;
      continue;
    }
    const token = firstTokenWithDigit(userText);
    if (token === undefined) return undefined;
    toolArguments[name] = numeric ? Number(FIRST_NUMBER.exec(token)?.[0]) : token;
  }
  return toolArguments;
}

function isNumericType(type: string | string[] | undefined): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.includes('number') || types.includes('integer');
}

function firstTokenWithDigit(text: string): string | undefined {
  return text
    .split(/\s+/)
    .map((token) => token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .find((token) => /\d/.test(token));
}

function shortQuote(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length <= QUOTE_MAX_LENGTH ? collapsed : `${collapsed.slice(0, QUOTE_MAX_LENGTH - 1)}…`;
}
