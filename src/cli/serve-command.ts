/** `serve` runs the HTTP API over the client library, `codec-server` the Temporal UI's codec endpoint, until interrupted. */
import { loadConfig } from '../config';
import { startHttpServer } from '../server/http-server';
import { normaliseOrigin } from '../server/request-guard';
import { startCodecServer } from '../codec/codec-server';
import { EncryptionCodec } from '../codec/encryption-codec';
import { createLogger } from '../logging/logger';
import { InvalidInputError } from '../client/errors';
import { untilInterrupted, withClient, type CommandInput } from './connect';
import { checkOptions, ServeOptions } from './options';
import { serviceOptions } from './observability';
import { Probes } from '../telemetry/health';
import { registerBacklogSource } from '../telemetry/task-queue-backlog';

/**
 * Serves the HTTP API (Temporal and Postgres as the other commands find them); prints where it listens.
 * Message bodies may be as large as `--max-message-bytes` (or AGENT_SESSIONS_MAX_MESSAGE_BYTES; 32 MiB).
 * It binds 127.0.0.1 unless `--host` says otherwise, and warns (one line on stderr) when it binds wider
 * without a token. Pages of other origins are refused unless `--allow-origin` (repeatable) or
 * AGENT_SESSIONS_ALLOWED_ORIGINS (comma-separated) allows them. `/healthz`, `/readyz` and `/metrics`
 * answer without the token. On SIGINT or SIGTERM it drains: readiness fails, open event streams end,
 * requests in flight get `--shutdown-grace-seconds` (AGENT_SESSIONS_SHUTDOWN_GRACE_SECONDS, 20 s), then
 * it exits 0 (1 when requests were still running and were cut).
 */
export async function serve({ values }: CommandInput): Promise<void> {
  const options = checkOptions(ServeOptions, {
    port: values.port,
    host: values.host,
    'max-message-bytes': values['max-message-bytes'] ?? (process.env.AGENT_SESSIONS_MAX_MESSAGE_BYTES || undefined),
    'allow-origin': values['allow-origin'],
  });
  const allowedOrigins = [...(options['allow-origin'] ?? []), ...(process.env.AGENT_SESSIONS_ALLOWED_ORIGINS ?? '').split(',')]
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      try {
        return normaliseOrigin(origin);
      } catch (error) {
        throw new InvalidInputError(`--allow-origin (or AGENT_SESSIONS_ALLOWED_ORIGINS): ${(error as Error).message}`);
      }
    });
  const graceMs = serviceOptions(values)['shutdown-grace-seconds'] * 1000;
  const { apiToken } = loadConfig();
  await withClient({ database: true, temporal: true }, async (client) => {
    const probes = new Probes(client.health());
    const stopBacklog = registerBacklogSource(client.backlogSource());
    const server = await startHttpServer({
      client,
      port: options.port ?? 8787,
      host: options.host ?? '127.0.0.1',
      token: apiToken,
      logger: createLogger(),
      maxMessageBytes: options['max-message-bytes'],
      allowedOrigins,
      probes,
    });
    if (!server.loopback && !apiToken) {
      process.stderr.write(
        `warning: serving on ${server.url}, beyond this machine, without AGENT_SESSIONS_API_TOKEN: anyone who reaches it can read and change every session; set the token or bind 127.0.0.1\n`,
      );
    }
    console.log(`listening on ${server.url} (chat page: ${server.url}/)${apiToken ? ' (bearer token required)' : ''}`);
    await untilInterrupted();
    probes.startDraining();
    const drained = await server.drain(graceMs);
    stopBacklog();
    if (!drained) {
      process.stderr.write(`error: requests were still running after the ${graceMs / 1000} s shutdown grace and were cut; raise --shutdown-grace-seconds\n`);
      process.exitCode = 1;
    }
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
