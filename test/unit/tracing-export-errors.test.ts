/** A collector that is down costs spans, never the command: the export error is said once, and shutting tracing down does not throw. */
import { trace } from '@opentelemetry/api';
import { startTracing } from '../../src/telemetry/tracing';

test('with the collector down, shutdown resolves and the failed export is reported once', async () => {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:1'; // nothing listens on port 1
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  const reasons: string[] = [];
  try {
    const tracing = startTracing({ serviceName: 'collector-down', onExportError: (reason) => reasons.push(reason) });
    expect(tracing).toBeDefined();
    trace.getTracer('test').startSpan('lost').end();
    await expect(tracing!.shutdown()).resolves.toBeUndefined();
  } finally {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
  }
  expect(reasons.length).toBe(1);
  expect(reasons[0]).toMatch(/ECONNREFUSED/);
});
