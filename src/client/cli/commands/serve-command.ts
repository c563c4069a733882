/** `serve [--port N] [--host H]`: runs the HTTP API over the client library until interrupted. */
import { loadConfig } from '../../../config';
import { startHttpServer } from '../../../server/http-server';
import { untilInterrupted, withClient, type CommandInput } from '../connect';
import { checkOptions, ServeOptions } from '../options';

/** Serves the HTTP API (Temporal and Postgres as the other commands find them); prints where it listens. */
export async function serve({ values }: CommandInput): Promise<void> {
  const options = checkOptions(ServeOptions, { port: values.port, host: values.host });
  const { apiToken } = loadConfig();
  await withClient({ database: true, temporal: true }, async (client) => {
    const server = await startHttpServer({
      client,
      port: options.port ?? 8787,
      host: options.host,
      token: apiToken,
      onServerError: (error) => console.error(`error: ${error instanceof Error ? error.stack : String(error)}`),
    });
    console.log(`listening on ${server.url} (chat page: ${server.url}/)${apiToken ? ' (bearer token required)' : ''}`);
    await untilInterrupted();
    await server.close();
  });
}
