/**
 * Temporal's own worker metrics beside ours: the runtime's Prometheus exporter listens on a loopback
 * port nobody else needs to know, and every `/metrics` answer of this process appends its text
 * (`temporal_workflow_task_schedule_to_start_latency`, `temporal_activity_execution_failed`, pollers,
 * slots, sticky cache…), so one scrape gets both.
 */
import { createServer } from 'node:net';
import { BackendUnavailableError } from '../shared/errors';
import { appendMetricsFrom } from '../telemetry/exposition';
import type { Logger, LoggerOptions } from '../logging/logger';
import { installRuntimeLogger } from './temporal-logging';

/** A free TCP port on 127.0.0.1 (free when asked: the runtime binds it right after). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new BackendUnavailableError('could not find a free loopback port for Temporal’s metrics');
  return address.port;
}

/**
 * Installs the Temporal runtime (logs as `installRuntimeLogger`) with its Prometheus exporter on a free
 * loopback port, and appends that exporter's text to this process's `/metrics`. Returns false (and
 * changes nothing) when the runtime was installed already, without its metrics.
 */
export async function installRuntimeWithMetrics(logger: Logger | LoggerOptions = {}): Promise<boolean> {
  const port = await freeLoopbackPort();
  if (!installRuntimeLogger(logger, { prometheusBindAddress: `127.0.0.1:${port}` })) return false;
  appendMetricsFrom('temporal', `http://127.0.0.1:${port}/metrics`);
  return true;
}
