/**
 * Reading sessions from the projection: which sessions to list (a page at a time), what a listed
 * session shows, and the token usage a session spent per turn. Workflow-safe.
 */
import { z } from 'zod';
import { Labels, SessionId, StorableText, Usage, UserId } from './schemas';

/** The most sessions one page lists. */
export const MAX_PAGE_SIZE = 1_000;

/** Which sessions `list` returns: by id prefix, user, labels (all must match), changed since; a page at a time. */
export const SessionFilter = z
  .object({
    prefix: StorableText.max(200, 'a prefix must be at most 200 characters').optional(),
    userId: UserId.optional(),
    /** Sessions carrying every one of these labels. */
    labels: Labels.optional(),
    /** Sessions changed at or after this time (a Date or an ISO 8601 string). */
    updatedSince: z.coerce.date({ error: 'updatedSince must be a date or an ISO 8601 string' }).optional(),
    /** Sessions per page (50 when absent). */
    limit: z.number().int().positive('limit must be a positive integer').max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`).default(50),
    /** Where the page starts: the `next` cursor of the previous page. */
    cursor: z.string().max(1_000).optional(),
  })
  .strict();
export type SessionFilter = z.input<typeof SessionFilter>;

/** A session as `list` shows it. */
export const ListedSession = z.object({
  sessionId: SessionId,
  userId: z.string().nullable(),
  labels: Labels,
  status: z.enum(['active', 'expired']),
  agent: z.string(),
  itemCount: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ListedSession = z.infer<typeof ListedSession>;

/** One page of sessions, most recently changed first; `next` fetches the page after it (absent on the last). */
export const SessionPage = z.object({ sessions: z.array(ListedSession), next: z.string().optional() });
export type SessionPage = z.infer<typeof SessionPage>;

/** The tokens one write spent: a turn (numbered, with its message id) or a compaction. */
export const UsageEntry = z.object({
  seq: z.number().int().positive(),
  kind: z.enum(['turn', 'compaction']),
  turn: z.number().int().positive().nullable(),
  messageId: z.string().nullable(),
  agent: z.string(),
  usage: Usage,
  at: z.string(),
});
export type UsageEntry = z.infer<typeof UsageEntry>;

/** A session's usage: every entry in order, and their total. */
export const SessionUsage = z.object({ sessionId: z.string(), entries: z.array(UsageEntry), total: Usage });
export type SessionUsage = z.infer<typeof SessionUsage>;
