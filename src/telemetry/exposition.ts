/**
 * What the metrics and probe endpoints answer: `/metrics` (this process's registry, then the text of
 * every other exporter registered, such as the Temporal runtime's own Prometheus endpoint, so one
 * scrape gets both), `/healthz` and `/readyz` (200 or 503 with a JSON report naming what failed).
 * `startMetricsServer` serves them on a port of their own (the worker's `--metrics-port`); `serve`
 * answers them beside its API with `answerProbe`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from './metrics';
import type { Probes } from './health';

/** The paths answered, whatever the token: Kubernetes probes and Prometheus send none. */
export const PROBE_PATHS = ['/metrics', '/healthz', '/readyz'] as const;

/** How long another exporter may take to answer before the scrape goes on without its text. */
const EXTERNAL_TIMEOUT_MS = 2_000;

/** Other exporters whose text `/metrics` appends, by name. */
const externalSources = new Map<string, () => Promise<string>>();

/**
 * Appends the Prometheus text at `url` (an exporter on this machine, such as the Temporal runtime's)
 * to every `/metrics` answer until the returned function is called. A source that does not answer is
 * left out of that scrape, with a comment saying why.
 */
export function appendMetricsFrom(name: string, url: string): () => void {
  const read = async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(EXTERNAL_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.text();
  };
  externalSources.set(name, read);
  return () => {
    if (externalSources.get(name) === read) externalSources.delete(name);
  };
}

/** The text of one scrape: this process's metrics, then every registered exporter's. */
export async function metricsText(): Promise<string> {
  const registry = metricsRegistry();
  const external = await Promise.all(
    [...externalSources].map(([name, read]) =>
      read().then(
        (text) => text,
        (error: Error) => `# ${name} metrics are missing from this scrape: ${error.message.split('\n')[0]}\n`,
      ),
    ),
  );
  const own = await registry.metrics();
  return [own, ...external].map((text) => (text.endsWith('\n') ? text : `${text}\n`)).join('');
}

/** The content type of `/metrics` (Prometheus text format 0.0.4). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Answers `GET`/`HEAD` of `/metrics`, `/healthz` or `/readyz` and returns true; returns false for any
 * other request (the caller answers it).
 */
export async function answerProbe(method: string | undefined, pathname: string, response: ServerResponse, probes: Probes): Promise<boolean> {
  if ((method !== 'GET' && method !== 'HEAD') || !(PROBE_PATHS as readonly string[]).includes(pathname)) return false;
  if (pathname === '/metrics') {
    const text = await metricsText();
    response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    response.end(method === 'HEAD' ? undefined : text);
    return true;
  }
  const report = pathname === '/healthz' ? await probes.live() : await probes.ready();
  const body = JSON.stringify(report);
  response.writeHead(report.status === 'ok' ? 200 : 503, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(method === 'HEAD' ? undefined : body);
  return true;
}

/** A listening metrics server. */
export interface RunningMetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `/metrics`, `/healthz` and `/readyz` on `host:port` (port 0: any free one); 404 for anything else. */
export async function startMetricsServer(options: { port: number; host: string; probes: Probes }): Promise<RunningMetricsServer> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const pathname = (request.url ?? '/').split('?')[0];
    answerProbe(request.method, pathname, response, options.probes)
      .then((answered) => {
        if (answered) return;
        const body = JSON.stringify({ error: { type: 'NotFound', message: `this port serves ${PROBE_PATHS.join(', ')} only (GET)` } });
        response.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        response.end(body);
      })
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  server.unref(); // the worker's own run keeps the process alive, not its metrics
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
