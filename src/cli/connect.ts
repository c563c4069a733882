/** How a CLI command gets its input and a connected client, and prints JSON. */
import { loadConfig } from '../config';
import { SessionsClient } from '../client/sessions-client';
import { knownEndpoints, requireDatabase, requireTemporal } from './endpoints';

/** Raw values and positionals from the command line. */
export interface CommandInput {
  values: Record<string, unknown>;
  positionals: string[];
}

/** Connects what a command needs: Temporal (lazily, so `history` never dials it) and Postgres. */
export async function withClient<T>(needs: { database: boolean; temporal: boolean }, run: (client: SessionsClient) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const endpoints = await knownEndpoints(config);
  const client = await SessionsClient.connect({
    temporalAddress: needs.temporal ? requireTemporal(endpoints) : endpoints.temporalAddress,
    databaseUrl: needs.database ? requireDatabase(endpoints) : endpoints.databaseUrl,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    encryptionKeys: config.encryptionKeys,
    encryptProjection: config.encryptProjection,
  });
  try {
    return await run(client);
  } finally {
    await client.close();
  }
}

export const TEMPORAL = { database: false, temporal: true };

/** Prints a value as indented JSON. */
export function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
