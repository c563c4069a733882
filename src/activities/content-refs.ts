/**
 * Large content in activities: the model activity resolves the references in the items it reads for
 * the model (window and turn items) and stores the large content of its reply's items before it
 * returns them; the tool activity stores the large content of a tool's output. A reference whose part
 * is gone fails the activity non-retryably with `ContentMissing` (retrying cannot bring it back).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { ContentMissingError } from '../shared/errors';
import { FailureType } from '../shared/failures';
import { extractContent as extractParts, resolveContent as resolveParts } from '../postgres/content-parts';

/** `items` with their large content stored for the session and replaced by references (idempotent). */
export function extractContent<T>(pool: Pool, sessionId: string, items: T): Promise<T> {
  return extractParts(pool, sessionId, items);
}

/** `items` with every reference replaced by its content, read in one query; a missing part fails non-retryably. */
export async function resolveContent<T>(pool: Pool, sessionId: string, items: T): Promise<T> {
  try {
    return await resolveParts(pool, sessionId, items);
  } catch (error) {
    if (error instanceof ContentMissingError) throw ApplicationFailure.nonRetryable(error.message, FailureType.ContentMissing);
    throw error;
  }
}
