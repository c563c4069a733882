/**
 * Reads from the Postgres projection, which holds every item and answers while Temporal is down: a
 * session's items, pages of sessions, and a session's token usage.
 */
import { z } from 'zod';
import { readLatestItems } from '../postgres/items';
import { listSessions } from '../postgres/sessions';
import { readUsage } from '../postgres/usage';
import type { SessionItem } from '../shared/schemas';
import { SessionFilter as SessionFilterSchema, type SessionFilter, type SessionPage, type SessionUsage } from '../shared/listing';
import { addUsage, emptyUsage } from '../shared/usage';
import { cursorAfter, listedSession, positionOf } from './session-pages';
import { check, checkSessionId } from './checks';
import type { Transport } from './transport';

/** How many of the latest items `items` reads (all when absent). */
const ItemsLimit = z.number().int().positive('limit must be a positive integer').optional();

/** The latest `limit` items (all when absent) in chronological order, their large content resolved. */
export async function items(transport: Transport, sessionId: string, options: { limit?: number }): Promise<SessionItem[]> {
  const id = checkSessionId(sessionId);
  const limit = check(ItemsLimit, options.limit, 'invalid limit');
  const pool = transport.requirePool();
  const found = await transport.read(() => readLatestItems(pool, id, { limit }));
  if (found.length === 0) await transport.requirePresent(pool, id);
  return transport.resolved(id, found);
}

/** A page of sessions, most recently changed first, and the cursor of the next page when there is one. */
export async function list(transport: Transport, filter: SessionFilter): Promise<SessionPage> {
  const checked = check(SessionFilterSchema, filter, 'invalid session filter');
  const rows = await transport.read(() =>
    listSessions(transport.requirePool(), { ...checked, limit: checked.limit + 1, after: checked.cursor ? positionOf(checked.cursor) : undefined }),
  );
  const page = rows.slice(0, checked.limit);
  return { sessions: page.map(listedSession), ...(rows.length > checked.limit ? { next: cursorAfter(page[page.length - 1]) } : {}) };
}

/** The tokens the session spent, per turn (and per compaction), with the total. */
export async function usage(transport: Transport, sessionId: string): Promise<SessionUsage> {
  const id = checkSessionId(sessionId);
  const pool = transport.requirePool();
  const entries = await transport.read(() => readUsage(pool, id));
  if (entries.length === 0) await transport.requirePresent(pool, id);
  return { sessionId: id, entries, total: entries.reduce((sum, entry) => addUsage(sum, entry.usage), emptyUsage()) };
}
