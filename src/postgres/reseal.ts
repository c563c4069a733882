/**
 * Re-sealing the projection after a key rotation: every row sealed with another key than the current
 * one, and (when the deployment seals) every plain row, is rewritten under the current key, table by
 * table in batches. Idempotent: a row already under the current key is left alone, and a row changed
 * by someone else between the read and the write is left for the next run.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ContentSealer } from '../codec/content-sealer';
import { invalidRow, parseOrFail } from '../shared/parse';
import { StagedDocument } from './imports';

/** How many rows of each table were rewritten. */
export type ResealCounts = Record<'items' | 'stream_events' | 'memories' | 'session_imports' | 'content_parts', number>;

const BATCH = 500;

/** A row as re-sealing reads it: its key and value columns by alias (`k0`…, `v0`…), each cast to text. */
const TextColumnsRow = z.record(z.string(), z.string());

/** One table: its key columns (with their types), and how a row's stored value is re-sealed. */
interface TableSpec {
  table: keyof ResealCounts;
  keys: Array<[column: string, type: string]>;
  /** The columns holding the stored value, read and compared as text. */
  values: string[];
  /** The new values (as text, in `values` order), or undefined when the row is fine. */
  reseal: (row: Record<string, string>) => string[] | undefined;
}

function jsonColumn(table: keyof ResealCounts, keys: Array<[string, string]>, column: string, sealer: ContentSealer): TableSpec {
  return {
    table,
    keys,
    values: [column],
    reseal: (row) => {
      const next = sealer.resealJson(JSON.parse(row[column]));
      return next === undefined ? undefined : [JSON.stringify(next)];
    },
  };
}

/** Rewrites every row of the projection that is not sealed as `sealer` seals now; returns the counts per table. */
export async function resealProjection(pool: Pool, sealer: ContentSealer, onTable?: (table: string, rows: number) => void): Promise<ResealCounts> {
  const specs: TableSpec[] = [
    jsonColumn(
      'items',
      [
        ['session_id', 'text'],
        ['seq', 'integer'],
      ],
      'item',
      sealer,
    ),
    jsonColumn(
      'stream_events',
      [
        ['session_id', 'text'],
        ['message_id', 'text'],
        ['"offset"', 'bigint'],
      ],
      'event',
      sealer,
    ),
    {
      table: 'memories',
      keys: [['id', 'bigint']],
      values: ['text', 'text_sealed'],
      reseal: (row) => {
        const next = sealer.resealText({ text: row.text, sealed: row.text_sealed === 'true' });
        return next && [next.text, String(next.sealed)];
      },
    },
    {
      table: 'session_imports',
      keys: [['id', 'text']],
      values: ['document'],
      reseal: (row) => {
        const document = parseOrFail(StagedDocument, JSON.parse(row.document), 'a staged import document', invalidRow);
        let changed = false;
        const items = (document.items ?? []).map((staged) => {
          const next = sealer.resealJson(staged.item);
          if (next === undefined) return staged;
          changed = true;
          return { ...staged, item: next };
        });
        return changed ? [JSON.stringify({ ...document, items })] : undefined;
      },
    },
    {
      table: 'content_parts',
      keys: [
        ['session_id', 'text'],
        ['sha256', 'text'],
      ],
      values: ['content', 'sealed'],
      reseal: (row) => {
        const next = sealer.resealText({ text: row.content, sealed: row.sealed === 'true' });
        return next && [next.text, String(next.sealed)];
      },
    },
  ];
  const counts = { items: 0, stream_events: 0, memories: 0, session_imports: 0, content_parts: 0 } as ResealCounts;
  for (const spec of specs) {
    counts[spec.table] = await resealTable(pool, spec);
    onTable?.(spec.table, counts[spec.table]);
  }
  return counts;
}

async function resealTable(pool: Pool, spec: TableSpec): Promise<number> {
  const keyList = spec.keys.map(([column]) => column).join(', ');
  const keyAliases = spec.keys.map((_, index) => `k${index}`);
  const valueAliases = spec.values.map((_, index) => `v${index}`);
  const select = [...spec.keys.map(([column], index) => `${column}::text AS k${index}`), ...spec.values.map((column, index) => `${column}::text AS v${index}`)].join(', ');
  const keyTypes = spec.keys.map(([, type]) => type);
  let after: string[] | undefined;
  let rewritten = 0;
  for (;;) {
    const where = after ? `WHERE (${keyList}) > (${keyTypes.map((type, index) => `$${index + 1}::${type}`).join(', ')})` : '';
    const { rows: raw } = await pool.query(`SELECT ${select} FROM ${spec.table} ${where} ORDER BY ${keyList} LIMIT ${BATCH}`, after ?? []);
    if (raw.length === 0) return rewritten;
    const rows = raw.map((row) => parseOrFail(TextColumnsRow, row, `a ${spec.table} row`, invalidRow));
    for (const row of rows) {
      const named = Object.fromEntries(spec.values.map((column, index) => [column.replaceAll('"', ''), row[valueAliases[index]]]));
      const next = spec.reseal(named);
      if (!next) continue;
      const keyValues = keyAliases.map((alias) => row[alias]);
      const oldValues = valueAliases.map((alias) => row[alias]);
      const types = spec.values.map((column) => (column === 'text_sealed' || column === 'sealed' ? 'boolean' : column === 'text' || column === 'content' ? 'text' : 'jsonb'));
      let parameter = 0;
      const param = () => `$${++parameter}`;
      const set = spec.values.map((column, index) => `${column} = ${param()}::${types[index]}`).join(', ');
      const keyMatch = spec.keys.map(([column, type]) => `${column} = ${param()}::${type}`).join(' AND ');
      const unchanged = spec.values.map((column) => `${column}::text = ${param()}`).join(' AND ');
      const result = await pool.query(`UPDATE ${spec.table} SET ${set} WHERE ${keyMatch} AND ${unchanged}`, [...next, ...keyValues, ...oldValues]);
      rewritten += result.rowCount ?? 0;
    }
    const last = rows[rows.length - 1];
    after = keyAliases.map((alias) => last[alias]);
  }
}
