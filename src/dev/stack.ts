/**
 * The local stack behind `dev` and the demo: whatever the environment does not give (Temporal,
 * Postgres, a model endpoint) is started here, on loopback, with its state in the data folder.
 */
import path from 'node:path';
import type { Config } from '../config';
import { startEmbeddedPostgres } from './embedded-postgres';
import type { ModelEndpoint } from '../worker/run-worker';
import { startModelService } from './model-endpoint';
import { freePort } from './ports';
import { startTemporalDevServer } from './temporal-server';
import { startCodecServer } from '../codec/codec-server';
import { EncryptionCodec } from '../codec/encryption-codec';

/** The services of a running stack. */
export interface DevStack {
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseUrl: string;
  model: ModelEndpoint;
  /** One line per service: what runs where. */
  describe(): string[];
  stop(): Promise<void>;
}

/** Well-known ports, used when free. */
const PORTS = { temporal: 7233, temporalUi: 8233, postgres: 5433, model: 4010, codec: 8888 };

/** Starts the services the configuration leaves unset. */
export async function startDevStack(config: Config, log: (line: string) => void): Promise<DevStack> {
  const stops: Array<() => Promise<void>> = [];
  const lines: string[] = [];
  try {
    let temporalAddress = config.temporalAddress;
    let temporalUiUrl: string | undefined;
    if (temporalAddress) {
      lines.push(`Temporal:   ${temporalAddress} (TEMPORAL_ADDRESS)`);
    } else {
      const codec = config.encryptionKeys
        ? await startCodecServer({ codec: new EncryptionCodec(config.encryptionKeys), port: await freePort(PORTS.codec), token: config.codecToken })
        : undefined;
      if (codec) {
        stops.push(() => codec.close());
        lines.push(`Codec:      ${codec.url} (decodes the encrypted payloads for the Temporal UI)`);
      }
      const server = await startTemporalDevServer({
        uiCodecEndpoint: codec?.url,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
        port: await freePort(PORTS.temporal),
        uiPort: await freePort(PORTS.temporalUi),
        cliPath: config.temporalCliPath,
        log,
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
      lines.push(`Temporal:   ${temporalAddress} (dev server, state in ${config.dataDir}/temporal.sqlite)`);
      lines.push(`Temporal UI: ${temporalUiUrl}`);
    }

    let databaseUrl = config.databaseUrl;
    if (databaseUrl) {
      lines.push(`Postgres:   ${redact(databaseUrl)} (DATABASE_URL)`);
    } else {
      const embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'pglite'), await freePort(PORTS.postgres));
      stops.push(() => embedded.stop());
      databaseUrl = embedded.url;
      lines.push(`Postgres:   ${databaseUrl} (embedded PGlite, data in ${config.dataDir}/pglite)`);
    }

    const model = await startModelService(config, config.openaiApiKey ? 0 : await freePort(PORTS.model));
    stops.push(() => model.stop());
    lines.push(`Model:      ${model.description}`);

    return {
      temporalAddress,
      temporalUiUrl,
      databaseUrl,
      model: model.endpoint,
      describe: () => [...lines],
      stop: async () => {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

/** A database URL without its password, for printing. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
