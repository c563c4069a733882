/** The `OTEL_*` variables tracing reads, checked: a value it cannot use is refused with the variable's name. */
import { z } from 'zod';
import { InvalidInputError } from '../shared/errors';
import { describeIssues } from '../shared/schemas';

const flag = z.enum(['true', 'false', 'TRUE', 'FALSE', '1', '0', '']).transform((value) => value.toLowerCase() === 'true' || value === '1');

/** The variables as set (unset ones absent). */
const TracingVariables = z.object({
  OTEL_SDK_DISABLED: flag.optional(),
  OTEL_TRACES_EXPORTER: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(['otlp', 'console', 'none', ''], { error: 'must be otlp, console or none' }))
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.string().optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: flag.optional(),
});

/** The OTLP protocols the worker and `serve` can send (gRPC is not among them). */
const Protocol = z.enum(['http/protobuf', 'http/json'], {
  error: 'must be http/protobuf or http/json (gRPC is not supported: point OTEL_EXPORTER_OTLP_ENDPOINT at the collector’s OTLP/HTTP port, usually 4318)',
});

/** What the variables ask of tracing. */
export const TracingEnv = {
  /** Reads and checks the variables of `env`. */
  read(env: NodeJS.ProcessEnv): TracingEnv {
    const parsed = TracingVariables.safeParse(env);
    if (!parsed.success) throw new InvalidInputError(`tracing: ${describeIssues(parsed.error)}`);
    const vars = parsed.data;
    const protocolVariable = vars.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    const protocol = Protocol.safeParse((vars.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || vars.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim());
    if (!protocol.success) throw new InvalidInputError(`tracing: ${protocolVariable} ${describeIssues(protocol.error)}`);
    const endpoint = Boolean(vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || vars.OTEL_EXPORTER_OTLP_ENDPOINT);
    const named = vars.OTEL_TRACES_EXPORTER || undefined;
    const exporter = vars.OTEL_SDK_DISABLED ? 'none' : (named ?? (endpoint ? 'otlp' : 'none'));
    return {
      exporter,
      protocol: protocol.data,
      serviceName: vars.OTEL_SERVICE_NAME?.trim() || undefined,
      captureContent: vars.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT ?? false,
    };
  },
};

/** What the variables ask of tracing: which exporter (none: tracing off), its protocol, the service's name, content capture. */
export interface TracingEnv {
  exporter: 'otlp' | 'console' | 'none';
  protocol: z.infer<typeof Protocol>;
  serviceName?: string;
  captureContent: boolean;
}
