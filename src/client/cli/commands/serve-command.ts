/** `serve` runs the HTTP API over the client library, `codec-server` the Temporal UI's codec endpoint, until interrupted. */
import { loadConfig } from '../../../config';
import { startHttpServer } from '../../../server/http-server';
import { startCodecServer } from '../../../server/codec-server';
import { EncryptionCodec } from '../../../codec/encryption-codec';
import { createLogger } from '../../../logging/logger';
import { InvalidInputError } from '../../errors';
import { untilInterrupted, withClient, type CommandInput } from '../connect';
import { checkOptions, ServeOptions } from '../options';

/**
 * Serves the HTTP API (Temporal and Postgres as the other commands find them); prints where it listens.
 * Message bodies may be as large as `--max-message-bytes` (or AGENT_SESSIONS_MAX_MESSAGE_BYTES; 32 MiB).
 */
export async function serve({ values }: CommandInput): Promise<void> {
  const options = checkOptions(ServeOptions, {
    port: values.port,
    host: values.host,
    'max-message-bytes': values['max-message-bytes'] ?? (process.env.AGENT_SESSIONS_MAX_MESSAGE_BYTES || undefined),
  });
  const { apiToken } = loadConfig();
  await withClient({ database: true, temporal: true }, async (client) => {
    const server = await startHttpServer({
      client,
      port: options.port ?? 8787,
      host: options.host,
      token: apiToken,
      logger: createLogger(),
      maxMessageBytes: options['max-message-bytes'],
    });
    console.log(`listening on ${server.url} (chat page: ${server.url}/)${apiToken ? ' (bearer token required)' : ''}`);
    await untilInterrupted();
    await server.close();
  });
}

/**
 * Serves the codec endpoint for the Temporal UI (`--ui-codec-endpoint`) and CLI (`--codec-endpoint`)
 * with AGENT_SESSIONS_ENCRYPTION_KEYS; AGENT_SESSIONS_CODEC_TOKEN requires a bearer token.
 */
export async function codecServer({ values }: CommandInput): Promise<void> {
  const options = checkOptions(ServeOptions, { port: values.port, host: values.host });
  const config = loadConfig();
  if (!config.encryptionKeys) throw new InvalidInputError('codec-server decodes with AGENT_SESSIONS_ENCRYPTION_KEYS: set it to the keys the worker uses');
  const server = await startCodecServer({
    codec: new EncryptionCodec(config.encryptionKeys),
    port: options.port ?? 8888,
    host: options.host,
    origin: typeof values.origin === 'string' ? values.origin : undefined,
    token: config.codecToken,
  });
  console.log(`codec endpoint on ${server.url}: start the Temporal UI with --ui-codec-endpoint ${server.url}`);
  await untilInterrupted();
  await server.close();
}
