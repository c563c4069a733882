/** Which OTEL_* variables turn tracing on, which protocol they pick, and what they refuse. */
import { InvalidInputError } from '../../src/shared/errors';
import { TracingEnv } from '../../src/telemetry/tracing-env';

test('tracing is off when no OTEL_* variable asks for it', () => {
  expect(TracingEnv.read({})).toEqual({ exporter: 'none', protocol: 'http/protobuf', captureContent: false });
});

test('an OTLP endpoint turns it on, over http/protobuf unless the protocol says http/json', () => {
  expect(TracingEnv.read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toMatchObject({ exporter: 'otlp', protocol: 'http/protobuf' });
  expect(TracingEnv.read({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({
    exporter: 'otlp',
    protocol: 'http/json',
  });
  expect(
    TracingEnv.read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }).protocol,
  ).toBe('http/protobuf');
});

test('OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none turn it off; console prints spans', () => {
  expect(TracingEnv.read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).exporter).toBe('none');
  expect(TracingEnv.read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).exporter).toBe('none');
  expect(TracingEnv.read({ OTEL_TRACES_EXPORTER: 'console' }).exporter).toBe('console');
});

test('gRPC and unknown exporters are refused with the variable and what to do', () => {
  expect(() => TracingEnv.read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(InvalidInputError);
  expect(() => TracingEnv.read({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json .*4318/);
  expect(() => TracingEnv.read({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER: must be otlp, console or none/);
});

test('message content is captured only when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT is true', () => {
  expect(TracingEnv.read({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' }).captureContent).toBe(true);
  expect(TracingEnv.read({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' }).captureContent).toBe(false);
});
