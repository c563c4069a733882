/** Starts a Temporal dev server (SQLite file in the data folder) with the UI, for `dev`, the demo and tests. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTemporalCli } from './temporal-cli';

/** A running dev server. */
export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/** Where and how to run the dev server. */
export interface TemporalDevServerOptions {
  /** SQLite file for the server's state; in-memory when absent. */
  dbFile?: string;
  port?: number;
  /** Serve the web UI on this port; no UI when absent. */
  uiPort?: number;
  cliPath?: string;
  log?: (line: string) => void;
  /** A codec server the UI decodes payloads with (`--ui-codec-endpoint`), when payloads are encrypted. */
  uiCodecEndpoint?: string;
  /** Dynamic config on top of the defaults below (tests lower Temporal's per-run limits with it). */
  dynamicConfig?: Record<string, string | number | boolean>;
}

/**
 * Dynamic config every dev server gets: the default transfer-task poll rate (20 a second) makes each
 * activity hop wait up to 50 ms, so raise it; update-with-start needs multi-operations enabled.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'system.enableActivityEagerExecution': true,
  'frontend.enableExecuteMultiOperation': true,
};

/** The `--dynamic-config-value` arguments for a set of dynamic config values. */
export function dynamicConfigArgs(values: Record<string, string | number | boolean>): string[] {
  return Object.entries(values).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}

/** Starts the dev server and waits until it accepts connections. */
export async function startTemporalDevServer(options: TemporalDevServerOptions = {}): Promise<TemporalDevServer> {
  const log = options.log ?? (() => undefined);
  const executable = await resolveTemporalCli(options.cliPath, log);
  if (options.dbFile) await mkdir(path.dirname(options.dbFile), { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      ip: '127.0.0.1',
      port: options.port,
      dbFilename: options.dbFile,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      log: { format: 'pretty', level: 'warn' },
      extraArgs: [
        ...dynamicConfigArgs({ ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig }),
        ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
        // A deleted session's history must not linger in the file's freed pages: SQLite zeroes what it frees.
        ...(options.dbFile ? ['--sqlite-pragma', 'secure_delete=on'] : []),
      ],
    },
  });
  return {
    address: env.address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
