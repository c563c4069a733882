/** Where the CLI's client commands connect: the environment first, then a running `dev` stack. */
import type { Config } from '../../config';
import { loadEndpoints } from '../../dev/endpoints';
import { InvalidInputError } from '../errors';

/** The Temporal and Postgres addresses for client commands and a standalone worker. */
export async function clientEndpoints(config: Config): Promise<{ temporalAddress: string; databaseUrl?: string }> {
  const running = await loadEndpoints(config.dataDir);
  const temporalAddress = config.temporalAddress ?? running?.temporalAddress;
  if (!temporalAddress) {
    throw new InvalidInputError(
      'no Temporal server: set TEMPORAL_ADDRESS, or run `npx agent-sessions dev` (or `npm start`) in another terminal',
    );
  }
  return { temporalAddress, databaseUrl: config.databaseUrl ?? running?.databaseUrl };
}
