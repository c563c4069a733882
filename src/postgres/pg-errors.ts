/**
 * How Postgres's refusals are read: by SQLSTATE class, never message text. Data exceptions (22) and
 * integrity violations (23) mean Postgres refuses the data itself, so retrying cannot help.
 */

/** SQLSTATE classes that retrying cannot fix: data exceptions (22) and integrity violations (23). */
const PERMANENT_SQLSTATE_CLASSES = ['22', '23'];

/** The SQLSTATE of a Postgres error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Whether Postgres refused the data itself (a data or constraint error), which no retry gets past. */
export function isPermanentRefusal(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && PERMANENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
}
