/**
 * The projection activities: every change to a session is written into Postgres before its caller
 * gets an answer (read your writes). Outages retry until Postgres is back; a write Postgres refuses
 * for its data fails at once with ProjectionRejected, so nothing retries for ever.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { EndSessionInput, ImportSessionInput, type ImportSessionResult, ProjectionInput, ReadItemsInput, RemoveItemsInput } from '../shared/activity-io';
import { QUERY_TAIL_BYTES, QUERY_TAIL_ITEMS } from '../shared/limits';
import { viewEntryOf } from '../shared/view-entry';
import { applyImport } from '../postgres/imports';
import { FailureType } from '../shared/failures';
import { utf8Length, type SessionItem } from '../shared/schemas';
import { countItems, readItemsBySeq, readLatestItems, readPopTarget, removeItems, writeItems } from '../postgres/items';
import { endSessionRows } from '../postgres/sessions';
import { isPermanentRefusal, sqlState } from '../postgres/pg-errors';
import { invalidActivityInput, parseOrFail } from '../shared/parse';
import { timedLog } from './activity-log';

/** Runs a projection query, turning a permanent Postgres refusal into a non-retryable failure. */
async function permanentOrRetry<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isPermanentRefusal(error)) {
      throw ApplicationFailure.nonRetryable(
        `Postgres refused to ${what} (SQLSTATE ${sqlState(error)}: ${(error as Error).message}); the session is unchanged`,
        FailureType.ProjectionRejected,
      );
    }
    throw error;
  }
}

/** Creates the projection activities on a pool. */
export function createProjectionActivities(pool: Pool) {
  return {
    /** Writes a committed turn's (or added) items and the session row. */
    async projectTurn(raw: ProjectionInput): Promise<void> {
      const input = parseOrFail(ProjectionInput, raw, 'projectTurn', invalidActivityInput);
      const done = timedLog();
      await permanentOrRetry('store the items', () => writeItems(pool, input));
      done('projection written', { items: input.items.length, removed: input.removeSeqs?.length, lastSeq: input.session.lastSeq });
    },
    /** Removes items (pop) or all items (clear) and updates the session row. */
    async removeItems(raw: RemoveItemsInput): Promise<void> {
      const input = parseOrFail(RemoveItemsInput, raw, 'removeItems', invalidActivityInput);
      const done = timedLog();
      await permanentOrRetry('remove the items', () => removeItems(pool, input));
      done('projection items removed', input.seqs ? { removed: input.seqs.length } : { cleared: true });
    },
    /** Reads items back: a seq range, or its latest N. */
    async readItems(raw: ReadItemsInput): Promise<SessionItem[]> {
      const input = parseOrFail(ReadItemsInput, raw, 'readItems', invalidActivityInput);
      return readLatestItems(pool, input.sessionId, {
        limit: input.latest,
        fromSeq: input.fromSeq,
        throughSeq: input.throughSeq,
        withoutSummaries: input.withoutSummaries,
      });
    },
    /** The items a pop removes: the latest, with its tool call when it is an output. */
    async readPopTarget(raw: { sessionId: string }): Promise<SessionItem[]> {
      return readPopTarget(pool, parseOrFail(ReadItemsInput.pick({ sessionId: true }), raw, 'readPopTarget', invalidActivityInput).sessionId);
    },
    /**
     * Moves a staged session document into the projection (once, however often retried) and returns
     * what the workflow keeps of it: the item count, the window's metadata in the window's order, and
     * the latest items for queries (as many as QUERY_TAIL_BYTES holds).
     */
    async importSession(raw: ImportSessionInput): Promise<ImportSessionResult> {
      const input = parseOrFail(ImportSessionInput, raw, 'importSession', invalidActivityInput);
      const done = timedLog();
      await permanentOrRetry('import the session', () => applyImport(pool, input));
      const [itemCount, windowItems, latest] = await Promise.all([
        countItems(pool, input.sessionId),
        readItemsBySeq(pool, input.sessionId, input.window),
        readLatestItems(pool, input.sessionId, { limit: QUERY_TAIL_ITEMS }),
      ]);
      const bySeq = new Map(windowItems.map((entry) => [entry.seq, entry]));
      const view = input.window.flatMap((seq) => {
        const entry = bySeq.get(seq);
        return entry ? [viewEntryOf(entry)] : [];
      });
      const tail: SessionItem[] = [];
      let bytes = 0;
      for (const entry of latest.reverse()) {
        bytes += utf8Length(JSON.stringify(entry));
        if (bytes > QUERY_TAIL_BYTES) break;
        tail.unshift(entry);
      }
      done('session imported into the projection', { items: itemCount });
      return { itemCount, view, tail };
    },
    /** Ends the session in the projection: rows removed (deleted) or marked expired. */
    async endSession(raw: EndSessionInput): Promise<void> {
      const input = parseOrFail(EndSessionInput, raw, 'endSession', invalidActivityInput);
      const done = timedLog();
      await endSessionRows(pool, input.sessionId, input.status);
      done('session ended in the projection', { status: input.status });
    },
  };
}
