/**
 * What the client checks before anything is sent or stored: ids, messages, start options, and values
 * that may carry large content (images, files), which come back with that content as references and
 * the parts to store. Every failure is InvalidInputError, never a raw ZodError.
 */
import { randomUUID } from 'node:crypto';
import { invalidInput, parseOrFail } from '../shared/parse';
import { z } from 'zod';
import { InvalidInputError } from '../shared/errors';
import { AgentName, describeIssues, type Item, type JsonObject, type Labels, SessionId, type SessionSettingsInput, UserMessage } from '../shared/schemas';
import { ConversationInput } from '../shared/session-snapshot';
import type { ContentPart } from '../shared/content-parts';
import { CONTENT_REF_PREFIX } from '../shared/content-parts';
import { largeContentBytes, MAX_MESSAGE_CONTENT_BYTES, reservedRefPath } from '../shared/content-refs';
import { withContentRefs } from '../postgres/content-parts';

/** The content part types a user message is made of; `send`'s `input` of these becomes one user message. */
const USER_PART_TYPES = ['input_text', 'input_image', 'input_file'];

/** Content longer than this is stored in Postgres and travels as a reference (as the error messages say it). */
export const INLINE_LIMIT_TEXT = '16 KiB';

/**
 * A message as `send`, `stream` and `signal` take it: its text, or `input`: the content parts of one
 * user message (`input_text`, `input_image` with an `image_url` that is a URL or a data URL,
 * `input_file` with `file_data` as a data URL and a `filename`), or whole Responses API items.
 */
export type MessageInput = string | (Omit<UserMessage, 'input'> & { input?: Array<ContentPart | Item> });

/** A checked value whose large content was replaced by references, and those parts (to store before it is sent). */
export interface WithParts<T> {
  value: T;
  parts: Map<string, string>;
}

/** How a new session starts, when a message is the first one (ignored when the session exists). */
export interface StartOptions {
  /** The typed context a new session starts with. */
  context?: JsonObject;
  /** The agent that answers first in a new session. */
  agent?: string;
  /** The session's settings: the model's window, compaction, an input callback, a time-to-live. */
  settings?: SessionSettingsInput;
  /** The user the session belongs to: their long-term memories are recalled, and kept by the memory tools. */
  userId?: string;
  /** Labels to list the session by (`{ tier: 'gold' }`); change them with `updateLabels`. */
  labels?: Labels;
}

/** An operation's id, to make a retried call idempotent (one is made when absent). */
export interface OperationOptions {
  id?: string;
}

/** Parses a value, or throws InvalidInputError with what is wrong (never a raw ZodError). */
export function check<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.infer<Schema> {
  return parseOrFail(schema, value, what, invalidInput);
}

/** A session id as given, or InvalidInputError. */
export function checkSessionId(sessionId: unknown): string {
  return check(SessionId, sessionId, 'invalid session id');
}

/** The workflow's input for a new session, from the caller's start options. */
export function checkStart(start: StartOptions): ConversationInput {
  return check(ConversationInput.omit({ snapshot: true }).extend({ agent: AgentName.optional() }), start, 'invalid start options');
}

/**
 * Checks a message: content parts become one user message, every item is checked as given (data URLs
 * for their type and size), no string may be a reference, at most 50 MiB of parts; then its large
 * content is replaced by references and the message checked again for its size as it will travel.
 */
export function checkMessage(message: MessageInput | UserMessage): WithParts<UserMessage & { id: string }> {
  const raw: unknown = typeof message === 'string' ? { text: message } : message;
  const { value, parts } = checkWithContent(UserMessage, withPartsAsMessage(raw), 'invalid message');
  return { value: { ...value, id: value.id ?? randomUUID() }, parts };
}

/** A message whose `input` is content parts, with those parts as one user message; as it is otherwise. */
function withPartsAsMessage(message: unknown): unknown {
  if (!message || typeof message !== 'object' || !Array.isArray((message as { input?: unknown }).input)) return message;
  const input = (message as { input: unknown[] }).input;
  const isPart = (entry: unknown) => !!entry && typeof entry === 'object' && USER_PART_TYPES.includes(String((entry as { type?: unknown }).type));
  const partCount = input.filter(isPart).length;
  if (partCount === 0) return message;
  if (partCount !== input.length) {
    throw new InvalidInputError('invalid message: input is either content parts (input_text, input_image, input_file) of one user message or whole items, not both');
  }
  return { ...message, input: [{ type: 'message', role: 'user', content: input }] };
}

/** The size check a schema makes of the whole JSON value (which large content, before it becomes a reference, would fail). */
function isJsonSizeIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && / must be at most \d+ bytes as JSON$/.test(issue.message);
}

/**
 * Checks a value that may carry large content (images, files): no string may start with the reserved
 * reference prefix; the value must pass `schema` as given (but for its JSON size); its parts together
 * at most MAX_MESSAGE_CONTENT_BYTES; then, with its large content as references, it must pass `schema`
 * whole. Returns the value with references and the parts to store.
 *
 * `document`: the value is a session document (export, fork): its items are what a session stored, so
 * a string in them that looks like a reference (a model may have said one) is stored as content, as it
 * was the first time, and its context and labels, which no read resolves, are kept as they are.
 */
export function checkWithContent<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string, options: { document?: boolean } = {}): WithParts<z.infer<Schema>> {
  const reserved = options.document ? undefined : reservedRefPath(value);
  if (reserved !== undefined) {
    throw new InvalidInputError(`${what}: ${reserved}: strings starting "${CONTENT_REF_PREFIX}" are reserved for content the session stores; send the image or file itself`);
  }
  const given = schema.safeParse(value);
  if (!given.success) {
    const issues = given.error.issues.filter((issue) => !isJsonSizeIssue(issue));
    if (issues.length > 0) throw new InvalidInputError(`${what}: ${describeIssues(new z.ZodError(issues))}`);
  }
  const bytes = largeContentBytes(value);
  if (bytes > MAX_MESSAGE_CONTENT_BYTES) {
    throw new InvalidInputError(
      `${what}: its images and files come to ${bytes} bytes, over the limit of ${MAX_MESSAGE_CONTENT_BYTES} bytes (50 MiB) in one message; send them in several`,
    );
  }
  if (options.document && value !== null && typeof value === 'object' && 'items' in value) {
    const { value: items, parts } = withContentRefs(value.items, { produced: true });
    return { value: check(schema, { ...value, items }, what), parts };
  }
  const { value: withRefs, parts } = withContentRefs(value);
  return { value: check(schema, withRefs, what), parts };
}
