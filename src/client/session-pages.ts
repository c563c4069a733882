/** Pages of sessions from the projection: the cursor a page hands out, and rows as listed sessions. */
import type { ListedRow, ListPosition } from '../postgres/sessions';
import { InvalidInputError } from '../shared/errors';
import type { ListedSession } from '../shared/listing';

/** The opaque cursor of the page after `row`. */
export function cursorAfter(row: ListedRow): string {
  return Buffer.from(JSON.stringify([row.updated_us, row.id]), 'utf8').toString('base64url');
}

/** Where a page starts, from a cursor `cursorAfter` made; InvalidInputError for anything else. */
export function positionOf(cursor: string): ListPosition {
  try {
    const [updatedMicros, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof updatedMicros === 'string' && /^-?\d+$/.test(updatedMicros) && typeof id === 'string') return { updatedMicros, id };
  } catch {
    // reported below
  }
  throw new InvalidInputError('invalid cursor: pass the `next` value of the previous page unchanged');
}

/** A row as a listed session. */
export function listedSession(row: ListedRow): ListedSession {
  return {
    sessionId: row.id,
    userId: row.user_id,
    labels: row.labels,
    status: row.status,
    agent: row.current_agent,
    itemCount: row.item_count,
    lastSeq: row.last_seq,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
