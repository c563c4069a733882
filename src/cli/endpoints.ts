/** Where the CLI's commands connect: the environment first, then a running `dev` stack. */
import type { Config } from '../config';
import { loadEndpoints } from '../dev/endpoints';
import { InvalidInputError } from '../client/errors';

/** The Temporal and Postgres addresses the environment or a running dev stack give (either may be missing). */
export async function knownEndpoints(config: Config): Promise<{ temporalAddress?: string; databaseUrl?: string }> {
  const running = await loadEndpoints(config.dataDir);
  return {
    temporalAddress: config.temporalAddress ?? running?.temporalAddress,
    databaseUrl: config.databaseUrl ?? running?.databaseUrl,
  };
}

/** The Temporal address, or a caller error that says how to get one. */
export function requireTemporal(endpoints: { temporalAddress?: string }): string {
  if (!endpoints.temporalAddress) {
    throw new InvalidInputError('no Temporal server: set TEMPORAL_ADDRESS, or run `npx agent-sessions dev` (or `npm start`) in another terminal');
  }
  return endpoints.temporalAddress;
}

/** The Postgres URL, or a caller error that says how to get one. */
export function requireDatabase(endpoints: { databaseUrl?: string }): string {
  if (!endpoints.databaseUrl) {
    throw new InvalidInputError('no Postgres: set DATABASE_URL, or run `npx agent-sessions dev` in another terminal');
  }
  return endpoints.databaseUrl;
}
