import { z } from 'zod';
import { COMPACTION_INSTRUCTIONS, SUMMARY_PREFIX } from '../shared/compaction';
import { lastUserIndex, type Attachment, type Conversation, type HostedTool, type OfferedTool, type Turn } from './conversation';
import type { Citation, HostedCall, PlannedToolCall, RuleReply } from './protocol';
import { valueForSchema } from './structured';

const OFFLINE_DISCLAIMER = 'I am the offline test model and can only answer from this conversation.';
const NAME_INTRODUCTION = /\bmy name is\s+(\p{L}[\p{L}'-]*)/iu;
const NAME_QUESTION = /\b(?:what['’]?s|what is|do you remember) my name\b/i;
const GENERIC_VERBS = new Set(['get', 'lookup', 'fetch', 'find', 'check', 'look']);
const TOOL_KEYWORD = /^\p{L}{4,}$/u;
const ARGUMENT_NEEDING_DIGITS = /id|number/i;
const FIRST_NUMBER = /-?\d+(?:\.\d+)?/;
const QUOTE_MAX_LENGTH = 80;
const WEB_SEARCH_ASK = /\b(?:search the web|web search|search online|latest news)\b/i;
const FILE_SEARCH_ASK = /\b(?:search my files|in my files|search my documents)\b/i;
const CODE_ASK = /\b(?:calculate|compute|run code|run this code|run python)\b/i;
/** The page every offline web search "finds". */
export const OFFLINE_SEARCH_URL = 'https://example.com/offline-search';

/** The parts of a tool's JSON schema the responder reads; a schema it cannot read counts as "no arguments". */
const ToolParameters = z.object({
  properties: z.record(z.string(), z.looseObject({ type: z.union([z.string(), z.array(z.string())]).optional() })).default({}),
  required: z.array(z.string()).default([]),
});

/**
 * Answers a conversation (from either API) by fixed rules, using nothing but the request itself. The first rule that
 * applies wins:
 * 0. A compaction request (the system prompt of `COMPACTION_INSTRUCTIONS`): `The user said: <their lines, joined>`,
 *    so that facts such as a name survive into the summary; earlier summaries are kept in it.
 * 1. Tool results after the last user message: `Here is what I found: <their contents>` (so a tool is never called
 *    twice for the same user message).
 * 2. The last user message says "my name is X": `Nice to meet you, X!` (X is the word after "is").
 * 3. It asks "what's my name" / "what is my name" / "do you remember my name": the latest "my name is X" among the
 *    earlier user messages gives `Your name is X.`; without one, `I don't know your name yet.`
 * 4. A hosted tool is offered (Responses only) and asked for: "search the web"/"latest news" with `web_search`,
 *    "search my files"/"in my files" with `file_search`, "calculate"/"run code" with `code_interpreter`: the tool call,
 *    then a text about its result (with a citation for the searches).
 * 5. An offered function tool matches: its name split on `_` gives keywords (words of 4+ letters, minus the generic
 *    verbs get/lookup/fetch/find/check/look); the first tool with a keyword starting a word of the user text is called.
 *    Each required parameter is filled from the text: names containing "id"/"number" and number/integer types take
 *    the first token holding a digit (as a number for number types), others the whole user text. A tool whose
 *    digit-needing parameter finds no digits in the text is skipped.
 * 6. Otherwise: `You said: "<short quote>". I am the offline test model and can only answer from this conversation.`
 *
 * Images and files in the last user message are mentioned first (`I see 1 image and 1 file (report.pdf).`) in the
 * answers of rules 2, 3, 4 and 6. With a structured format (a JSON schema), a text answer becomes a JSON document
 * satisfying the schema, its strings drawn from the user's message.
 */
export function respond(conversation: Conversation): RuleReply {
  const reply = respondByRules(conversation);
  if (conversation.structuredFormat === undefined || !('text' in reply)) return reply;
  const userText = lastUserText(conversation.turns);
  return { text: JSON.stringify(valueForSchema(conversation.structuredFormat.schema, shortQuote(userText) || 'offline')) };
}

function respondByRules({ turns, tools, hostedTools }: Conversation): RuleReply {
  if (turns[0]?.role === 'system' && turns[0].text === COMPACTION_INSTRUCTIONS) {
    const last = turns[turns.length - 1];
    return { text: summaryOf('text' in last ? last.text : '') };
  }
  const userIndex = lastUserIndex(turns);
  const toolResults = turns.slice(userIndex + 1).flatMap((turn) => (turn.role === 'toolResult' ? [turn.text] : []));
  if (toolResults.length > 0) return { text: `Here is what I found: ${toolResults.join('\n')}` };
  if (userIndex === -1) return { text: OFFLINE_DISCLAIMER };

  const user = turns[userIndex] as Extract<Turn, { role: 'user' }>;
  const mention = attachmentsMention(user.attachments);
  const withMention = (reply: RuleReply): RuleReply =>
    mention && 'text' in reply ? { ...reply, text: `${mention} ${reply.text}`, citations: shiftCitations(reply.citations, mention.length + 1) } : reply;

  const introducedName = introducedNameIn(user.text);
  if (introducedName !== undefined) return withMention({ text: `Nice to meet you, ${introducedName}!` });
  if (NAME_QUESTION.test(user.text)) return withMention({ text: recallName(turns.slice(0, userIndex)) });

  const hosted = planHostedCall(hostedTools, user.text);
  if (hosted !== undefined) return withMention(hosted);

  const toolCall = planToolCall(tools, user.text);
  if (toolCall !== undefined) return { toolCalls: [toolCall] };
  return withMention({ text: `You said: "${shortQuote(user.text)}". ${OFFLINE_DISCLAIMER}` });
}

/** `I see 1 image and 2 files (a.pdf, b.txt).`, or '' without attachments. */
export function attachmentsMention(attachments: Attachment[]): string {
  const images = attachments.filter((attachment) => attachment.kind === 'image').length;
  const files = attachments.filter((attachment) => attachment.kind === 'file');
  if (images === 0 && files.length === 0) return '';
  const names = files.flatMap((file) => (file.filename ? [file.filename] : []));
  const parts = [
    ...(images > 0 ? [`${images} image${images === 1 ? '' : 's'}`] : []),
    ...(files.length > 0 ? [`${files.length} file${files.length === 1 ? '' : 's'}${names.length > 0 ? ` (${names.join(', ')})` : ''}`] : []),
  ];
  return `I see ${parts.join(' and ')}.`;
}

function shiftCitations(citations: Citation[] | undefined, offset: number): Citation[] | undefined {
  return citations?.map((citation) =>
    citation.type === 'url_citation'
      ? { ...citation, start_index: citation.start_index + offset, end_index: citation.end_index + offset }
      : { ...citation, index: citation.index + offset },
  );
}

function lastUserText(turns: Turn[]): string {
  const index = lastUserIndex(turns);
  return index === -1 ? '' : (turns[index] as Extract<Turn, { role: 'user' }>).text;
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

function recallName(earlierTurns: Turn[]): string {
  const names = earlierTurns
    .flatMap((turn) => (turn.role === 'user' || (turn.role === 'system' && turn.text.startsWith(SUMMARY_PREFIX)) ? [turn.text] : []))
    .map((text) => introducedNameIn(text))
    .filter((name) => name !== undefined);
  const latestName = names.at(-1);
  return latestName === undefined ? "I don't know your name yet." : `Your name is ${latestName}.`;
}

/** A hosted tool call and the text that follows it, when an offered hosted tool is asked for. */
function planHostedCall(hostedTools: HostedTool[], userText: string): RuleReply | undefined {
  const offered = (type: HostedTool['type']) => hostedTools.find((tool) => tool.type === type);
  const query = shortQuote(userText);
  if (offered('web_search') && WEB_SEARCH_ASK.test(userText)) {
    const title = 'Offline search result';
    const text = `According to ${title}, the offline web has nothing new about "${query}".`;
    const start = 'According to '.length;
    const hostedCall: HostedCall = { type: 'web_search', query };
    return { hostedCall, text, citations: [{ type: 'url_citation', url: OFFLINE_SEARCH_URL, title, start_index: start, end_index: start + title.length }] };
  }
  if (offered('file_search') && FILE_SEARCH_ASK.test(userText)) {
    const text = `Your files say nothing more about "${query}".`;
    return {
      hostedCall: { type: 'file_search', queries: [query] },
      text,
      citations: [{ type: 'file_citation', file_id: 'file-offline', filename: 'offline.txt', index: text.length }],
    };
  }
  if (offered('code_interpreter') && CODE_ASK.test(userText)) {
    const expression = /[\d(][\d\s+\-*/().]*[\d)]/.exec(userText)?.[0].trim();
    const value = expression === undefined ? undefined : evaluateArithmetic(expression);
    const code = value === undefined ? `print(${JSON.stringify(query)})` : `print(${expression})`;
    const logs = value === undefined ? query : String(value);
    return { hostedCall: { type: 'code_interpreter', code, logs }, text: `The code printed: ${logs}` };
  }
  return undefined;
}

/** Evaluates + - * / and parentheses over numbers; undefined for anything else or a lone number. */
export function evaluateArithmetic(expression: string): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[+\-*/()]/g) ?? [];
  if (!tokens.some((token) => /^[+\-*/]$/.test(token))) return undefined;
  let position = 0;
  const peek = () => tokens[position];
  const primary = (): number => {
    const token = tokens[position++];
    if (token === '(') {
      const value = sum();
      if (tokens[position++] !== ')') throw new Error('unbalanced');
      return value;
    }
    if (token === '-') return -primary();
    if (token === undefined || !/^\d/.test(token)) throw new Error('unexpected');
    return Number(token);
  };
  const product = (): number => {
    let value = primary();
    while (peek() === '*' || peek() === '/') value = tokens[position++] === '*' ? value * primary() : value / primary();
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek() === '+' || peek() === '-') value = tokens[position++] === '+' ? value + product() : value - product();
    return value;
  };
  try {
    const value = sum();
    return position === tokens.length && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function planToolCall(tools: OfferedTool[], userText: string): PlannedToolCall | undefined {
  for (const tool of tools) {
    if (!toolKeywords(tool.name).some((keyword) => startsAWordOf(userText, keyword))) continue;
    const toolArguments = argumentsFromText(tool.parameters, userText);
    if (toolArguments !== undefined) return { name: tool.name, arguments: toolArguments };
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

export function shortQuote(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length <= QUOTE_MAX_LENGTH ? collapsed : `${collapsed.slice(0, QUOTE_MAX_LENGTH - 1)}…`;
}
