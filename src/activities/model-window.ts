/** Reads the model's window back from the projection (the claim check the workflow sends). */
import type { Pool } from 'pg';
import type { ItemWindow } from '../shared/activity-io';
import type { Item } from '../shared/schemas';
import { withoutOrphans } from '../shared/orphans';
import { readItemRanges } from '../postgres/items';

/**
 * The window's items in the order the model sees them, with any call left without its output (or output
 * without its call) left out, so the model is never sent one; throws (and so retries) until the
 * projection holds them all.
 */
export async function readWindow(pool: Pool, sessionId: string, window: ItemWindow): Promise<Item[]> {
  const items = await readItemRanges(pool, sessionId, window.ranges);
  if (items.length !== window.count) {
    throw new Error(`the projection holds ${items.length} of the ${window.count} window items of session ${sessionId}; ` + 'retrying until it catches up');
  }
  return withoutOrphans(items.map((entry) => entry.item));
}
