/**
 * Which sealer a projection pool's queries use: the worker and the client register one with the
 * process's keys when they make or receive the pool; a pool without one writes plain content and
 * refuses sealed content with what to set.
 */
import type { Pool } from 'pg';
import { ContentSealer } from '../codec/content-sealer';

const sealers = new WeakMap<Pool, ContentSealer>();
const PLAIN = new ContentSealer(undefined, false);

/** Makes the queries on `pool` seal and open content with `sealer`. */
export function sealContentWith(pool: Pool, sealer: ContentSealer): void {
  sealers.set(pool, sealer);
}

/** The sealer of a pool's queries. */
export function contentSealer(pool: Pool): ContentSealer {
  return sealers.get(pool) ?? PLAIN;
}
