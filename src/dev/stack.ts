/**
 * The local stack behind `dev` and the demo: whatever the environment does not give (Temporal,
 * Postgres, a model endpoint) is started here, on loopback, with its state in the data folder.
 */
import path from 'node:path';
import type { Config } from '../config';
import { startOfflineModel } from '../offline-model/server';
import { OFFLINE_MODEL_ID } from '../offline-model/wire';
import { startEmbeddedPostgres } from './embedded-postgres';
import { freePort } from './ports';
import { startTemporalDevServer } from './temporal-server';

/** The model endpoint a worker calls. */
export interface ModelEndpoint {
  baseURL?: string;
  apiKey: string;
  /** The model for agents that name none. */
  defaultModel: string;
}

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
const PORTS = { temporal: 7233, temporalUi: 8233, postgres: 5433, model: 4010 };

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
      const server = await startTemporalDevServer({
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

    let model: ModelEndpoint;
    if (config.openaiApiKey) {
      model = { baseURL: config.openaiBaseUrl, apiKey: config.openaiApiKey, defaultModel: config.model };
      lines.push(`Model:      ${config.model} at ${config.openaiBaseUrl ?? 'the OpenAI API'} (OPENAI_API_KEY set)`);
    } else {
      const offline = await startOfflineModel({ port: await freePort(PORTS.model) });
      stops.push(() => offline.close());
      model = { baseURL: offline.baseURL, apiKey: 'offline', defaultModel: OFFLINE_MODEL_ID };
      lines.push(`Model:      offline test double at ${offline.baseURL} (rule-based, not a language model; set OPENAI_API_KEY for a real one)`);
    }

    return {
      temporalAddress,
      temporalUiUrl,
      databaseUrl,
      model,
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
