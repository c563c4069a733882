/** Rows read from Postgres go through the one parse helper: a row this version cannot read is an UnreadableRowError, never a ZodError. */
import type { Pool } from 'pg';
import { z } from 'zod';
import { UnreadableRowError } from '../../src/shared/errors';
import { invalidRow, parseOrFail } from '../../src/shared/parse';
import { countItems, readLatestItems } from '../../src/postgres/items';
import { readSessionRow, sessionPresence } from '../../src/postgres/sessions';
import { readUsage } from '../../src/postgres/usage';
import { readStreamHead } from '../../src/postgres/stream-events';

/** A pool whose every query answers these rows. */
function poolAnswering(rows: unknown[]): Pool {
  return { query: async () => ({ rows, rowCount: rows.length }) } as unknown as Pool;
}

test('a row that does not parse is an UnreadableRowError naming what it was and what is wrong', () => {
  const thrown = (() => {
    try {
      return parseOrFail(z.object({ count: z.number() }), { count: 'many' }, 'an items count', invalidRow);
    } catch (error) {
      return error;
    }
  })();
  expect(thrown).toBeInstanceOf(UnreadableRowError);
  expect(thrown).not.toBeInstanceOf(z.ZodError);
  expect(thrown).toMatchObject({ kind: 'system', message: expect.stringMatching(/^Postgres returned an items count this version cannot read: count: /) });
});

test.each<[string, (pool: Pool) => Promise<unknown>]>([
  ['readSessionRow', (pool) => readSessionRow(pool, 's')],
  ['sessionPresence', (pool) => sessionPresence(pool, 's')],
  ['readUsage', (pool) => readUsage(pool, 's')],
  ['countItems', (pool) => countItems(pool, 's')],
  ['readStreamHead', (pool) => readStreamHead(pool, 's', 'm')],
  ['readLatestItems', (pool) => readLatestItems(pool, 's')],
])('%s: a malformed row fails with UnreadableRowError', async (_name, read) => {
  await expect(read(poolAnswering([{ seq: 'not a number', count: null, present: 'yes', last: 7 }]))).rejects.toBeInstanceOf(UnreadableRowError);
});
