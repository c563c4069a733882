/**
 * Large content of a session's items, stored once in Postgres (`content_parts`, migration 008) by the
 * SHA-256 of its string, so that images, files, generated images and long encrypted contents never
 * travel through Temporal: the items carry `agent-sessions-content:sha256:<hex>` instead. Parts are
 * sealed as the pool seals content. Deleting a session deletes its parts; pop and clear leave them
 * until the session is deleted (content-addressed, one part may stand in several items).
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { ContentMissingError } from '../shared/errors';
import { contentRef, findContentRefs, refHash, replaceContentRefs, replaceLargeContent, replaceProducedContent } from '../shared/content-refs';
import { invalidRow, parseOrFail } from '../shared/parse';
import { contentSealer } from './content-sealing';

/** The SHA-256 (hex) of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * A copy of `value` with its large content replaced by references, and the parts by hash (nothing
 * stored). `produced`: the value is what a model or a tool produced, whose strings that look like a
 * reference are stored as content too (a caller's are refused before this).
 */
export function withContentRefs<T>(value: T, options: { produced?: boolean } = {}): { value: T; parts: Map<string, string> } {
  const parts = new Map<string, string>();
  const replace = options.produced ? replaceProducedContent : replaceLargeContent;
  const replaced = replace(value, (content) => {
    const hash = sha256Hex(content);
    parts.set(hash, content);
    return contentRef(hash);
  });
  return { value: replaced, parts };
}

/** Stores parts of a session (by hash), sealed as the pool seals content; a part already stored is left as it is. */
export async function storeContentParts(pool: Pool, sessionId: string, parts: Map<string, string>): Promise<void> {
  if (parts.size === 0) return;
  const sealer = contentSealer(pool);
  const hashes: string[] = [];
  const contents: string[] = [];
  const sealed: boolean[] = [];
  const chars: number[] = [];
  for (const [hash, content] of parts) {
    const stored = sealer.sealText(content);
    hashes.push(hash);
    contents.push(stored.text);
    sealed.push(stored.sealed);
    chars.push(content.length);
  }
  await pool.query(
    `INSERT INTO content_parts (session_id, sha256, content, sealed, chars)
     SELECT $1, p.sha256, p.content, p.sealed, p.chars
       FROM unnest($2::text[], $3::text[], $4::boolean[], $5::integer[]) AS p (sha256, content, sealed, chars)
     ON CONFLICT (session_id, sha256) DO NOTHING`,
    [sessionId, hashes, contents, sealed, chars],
  );
}

/**
 * Stores the large content of what a model or a tool produced for the session and returns `value`
 * with references in its place (the same content gives the same reference and is stored once). A
 * string the model or tool gave that looks like a reference is stored as content as well: left as it
 * is, it would be read as a reference, giving back another part's content or failing every read of the
 * session with ContentMissingError.
 */
export async function extractContent<T>(pool: Pool, sessionId: string, value: T): Promise<T> {
  const { value: replaced, parts } = withContentRefs(value, { produced: true });
  await storeContentParts(pool, sessionId, parts);
  return replaced;
}

/** A content part as `resolveContent` reads it: its hash and its content, sealed or not. */
const PartRow = z.object({ sha256: z.string(), content: z.string(), sealed: z.boolean() });

/**
 * `value` with every reference replaced by the content it stands for, read in one query; a part that
 * is not stored (its session was deleted, or it was never written) throws ContentMissingError.
 */
export async function resolveContent<T>(pool: Pool, sessionId: string, value: T): Promise<T> {
  const refs = findContentRefs(value);
  if (refs.length === 0) return value;
  const { rows } = await pool.query('SELECT sha256, content, sealed FROM content_parts WHERE session_id = $1 AND sha256 = ANY($2::text[])', [sessionId, refs.map(refHash)]);
  const sealer = contentSealer(pool);
  const contents = new Map(
    rows.map((row) => parseOrFail(PartRow, row, 'a content_parts row', invalidRow)).map((row) => [row.sha256, sealer.openText({ text: row.content, sealed: row.sealed })]),
  );
  const missing = refs.filter((ref) => !contents.has(refHash(ref)));
  if (missing.length > 0) {
    throw new ContentMissingError(
      `the session "${sessionId}" refers to ${missing.length} stored image(s) or file(s) that are gone from the projection (${missing[0]}); ` +
        'remove the items that carry them (popItem, replaceSuffix) or start a new session',
    );
  }
  return replaceContentRefs(value, (ref) => contents.get(refHash(ref)) as string);
}

/** Deletes every part of a session (when the session is deleted). */
export async function deleteContentParts(pool: Pool, sessionId: string): Promise<void> {
  await pool.query('DELETE FROM content_parts WHERE session_id = $1', [sessionId]);
}

/** How many parts a session has and their characters (as text: a bigint), as `countContentParts` reads them. */
const PartCountRow = z.object({ parts: z.number(), chars: z.string() });

/** How many parts a session has stored, and their characters altogether. */
export async function countContentParts(pool: Pool, sessionId: string): Promise<{ parts: number; chars: number }> {
  const { rows } = await pool.query('SELECT count(*)::integer AS parts, coalesce(sum(chars), 0)::bigint::text AS chars FROM content_parts WHERE session_id = $1', [sessionId]);
  const row = parseOrFail(PartCountRow, rows[0], 'a content parts count', invalidRow);
  return { parts: row.parts, chars: Number(row.chars) };
}
