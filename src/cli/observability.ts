/**
 * What `worker` and `serve` add for operators: the worker's metrics port (`/metrics`, `/healthz`,
 * `/readyz`, open before the worker starts so probes answer during start-up), the shutdown grace, and
 * the drain on SIGTERM. Exit codes: 0 after a stop that drained in time, 1 when work was still running
 * at the deadline (cut; Temporal retries its activities elsewhere), 130/143 for a signal during start-up.
 */
import { InvalidInputError } from '../client/errors';
import { runChecks, Probes, type HealthSource } from '../telemetry/health';
import { startMetricsServer, type RunningMetricsServer } from '../telemetry/exposition';
import { checkOptions, ServiceOptions } from './options';
import type { CommandInput } from './connect';

/** How long past its grace a stopping worker may take to cancel what still runs before the process exits anyway. */
export const CANCEL_MARGIN_MS = 5_000;

/** The service options of a command, from its flags or else the environment. */
export function serviceOptions(values: CommandInput['values'], env: NodeJS.ProcessEnv = process.env): ServiceOptions {
  const pick = (flag: string, variable: string) => values[flag] ?? (env[variable] || undefined);
  return checkOptions(ServiceOptions, {
    'metrics-port': pick('metrics-port', 'AGENT_SESSIONS_METRICS_PORT'),
    'metrics-host': pick('metrics-host', 'AGENT_SESSIONS_METRICS_HOST'),
    'shutdown-grace-seconds': pick('shutdown-grace-seconds', 'AGENT_SESSIONS_SHUTDOWN_GRACE_SECONDS'),
  });
}

/** A health source to fill in later: until then the process is alive and not ready ("starting"). */
export class StartingHealth implements HealthSource {
  private source: HealthSource | undefined;

  /** From now on, `source` answers. */
  started(source: HealthSource): void {
    this.source = source;
  }

  live() {
    return this.source ? this.source.live() : runChecks([{ name: 'process', check: () => undefined }]);
  }

  ready() {
    if (this.source) return this.source.ready();
    return runChecks([
      {
        name: 'startup',
        check: () => {
          throw new Error('starting: connecting to Temporal and Postgres, applying migrations, bundling the workflows');
        },
      },
    ]);
  }
}

/**
 * Serves `/metrics`, `/healthz` and `/readyz` on the worker's metrics port when one is given (on
 * `--metrics-host`, 127.0.0.1 by default: give 0.0.0.0 in a container, so Prometheus and the kubelet
 * reach it). A port in use is a caller error saying so.
 */
export async function startWorkerProbes(options: ServiceOptions, probes: Probes): Promise<RunningMetricsServer | undefined> {
  const port = options['metrics-port'];
  if (port === undefined) return undefined;
  const host = options['metrics-host'] ?? '127.0.0.1';
  try {
    return await startMetricsServer({ port, host, probes });
  } catch (error) {
    throw new InvalidInputError(`cannot serve metrics on ${host}:${port} (${(error as Error).message}); choose another --metrics-port (AGENT_SESSIONS_METRICS_PORT)`);
  }
}
