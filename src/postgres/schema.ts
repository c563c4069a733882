/**
 * The Postgres schema the projection's tables live in: `agent_sessions` by default, configurable with
 * `AGENT_SESSIONS_DB_SCHEMA` or a `databaseSchema` option, checked to be a plain identifier.
 */
import type { Pool } from 'pg';
import { InvalidInputError } from '../shared/errors';

/** The schema the tables live in when none is configured. */
export const DEFAULT_DATABASE_SCHEMA = 'agent_sessions';

/**
 * A schema name this project accepts: letters, digits and underscores, not starting with a digit, at
 * most 40 characters (the stream channel `agent_sessions_stream:<schema>` must fit Postgres's 63).
 */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

/**
 * The schema to use: `option` (a `databaseSchema` option), else `AGENT_SESSIONS_DB_SCHEMA`, else
 * `agent_sessions`. A name that is not a plain identifier is refused with InvalidInputError.
 */
export function databaseSchema(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.AGENT_SESSIONS_DB_SCHEMA?.trim();
  const name = option ?? (fromEnv ? fromEnv : DEFAULT_DATABASE_SCHEMA);
  const source = option === undefined ? 'AGENT_SESSIONS_DB_SCHEMA' : 'databaseSchema';
  if (!SCHEMA_NAME.test(name) || /^pg_/i.test(name)) {
    throw new InvalidInputError(
      `${source} ${JSON.stringify(name)} is not a schema name this project accepts: use 1 to 40 letters, digits and underscores, not starting with a digit or pg_`,
    );
  }
  return name;
}

/** The schema name as an SQL identifier (quoted: a name with capitals keeps them). */
export function quoteSchema(schema: string): string {
  return `"${databaseSchema(schema)}"`;
}

/** The schema each pool made by `connectPool` sets on its connections. */
const schemas = new WeakMap<Pool, string>();

/** Records the schema `pool`'s connections use. */
export function rememberSchema(pool: Pool, schema: string): void {
  schemas.set(pool, schema);
}

/** The schema `pool`'s connections use, when it was made by `connectPool`. */
export function schemaOf(pool: Pool): string | undefined {
  return schemas.get(pool);
}
