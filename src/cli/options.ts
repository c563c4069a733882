/** The CLI's options, parsed and checked with one schema per command. */
import { readFile } from 'node:fs/promises';
import { parseOrFail } from '../shared/parse';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AgentName, LabelKey, LabelValue, OperationId, SessionId, UserId } from '../shared/schemas';
import { InvalidInputError } from '../client/errors';

/** Every option any command accepts; each command's schema says which it needs. */
const OPTION_SPEC = {
  session: { type: 'string' },
  id: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean', default: false },
  context: { type: 'string' },
  settings: { type: 'string' },
  'older-than-days': { type: 'string' },
  schedule: { type: 'boolean', default: false },
  agent: { type: 'string' },
  agents: { type: 'string' },
  user: { type: 'string' },
  key: { type: 'string' },
  label: { type: 'string', multiple: true },
  remove: { type: 'string', multiple: true },
  prefix: { type: 'string' },
  since: { type: 'string' },
  cursor: { type: 'string' },
  call: { type: 'string' },
  to: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  turn: { type: 'string' },
  reason: { type: 'string' },
  stream: { type: 'boolean', default: false },
  origin: { type: 'string' },
  after: { type: 'string' },
  image: { type: 'string', multiple: true },
  file: { type: 'string', multiple: true },
  'max-message-bytes': { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  'log-json': { type: 'boolean', default: false },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'shutdown-grace-seconds': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The --session option, required by the session commands. */
const SessionOption = z.string({ error: 'ID is required' }).pipe(SessionId);

/** A positive whole number written in plain decimal digits (no 0x2, 1e1 or 2.0). */
const PositiveInteger = (name: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, `${name} must be a positive whole number in decimal digits`)
    .transform(Number);

/** An option holding a JSON object. */
const JsonObjectOption = (name: string) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>; // checked by the client, keys and all
      ctx.addIssue({ code: 'custom', message: `${name} must be a JSON object` });
      return z.NEVER;
    });

/** `--label key=value`, repeatable: labels as an object. */
const LabelOptions = z
  .array(z.string())
  .optional()
  .transform((pairs, ctx) => {
    if (pairs === undefined) return undefined;
    const labels: Record<string, string> = {};
    for (const pair of pairs) {
      const at = pair.indexOf('=');
      const key = LabelKey.safeParse(at < 0 ? '' : pair.slice(0, at));
      const value = LabelValue.safeParse(pair.slice(at + 1));
      if (at < 0 || !key.success || !value.success) {
        const problem = at < 0 ? '--label must be key=value' : !key.success ? key.error.issues[0].message : value.error?.issues[0].message;
        ctx.addIssue({ code: 'custom', message: `${problem} (got ${JSON.stringify(pair.length > 80 ? `${pair.slice(0, 80)}…` : pair)})` });
        return z.NEVER;
      }
      labels[key.data] = value.data;
    }
    return labels;
  });

/** --user, checked as a user id. */
const UserOption = z.string().pipe(UserId);

/**
 * Options of `send`: a session, the message text, images and files (`--image PATH|URL`, `--file
 * PATH|URL`, repeatable), an optional message id, start context and settings as JSON.
 */
export const SendOptions = z
  .object({
    session: SessionOption,
    id: OperationId.optional(),
    text: z.string(),
    image: z.array(z.string().min(1, '--image needs a path or a URL')).optional(),
    file: z.array(z.string().min(1, '--file needs a path or a URL')).optional(),
    json: z.boolean(),
    context: JsonObjectOption('--context'),
    settings: JsonObjectOption('--settings'),
    agent: AgentName.optional(),
    user: UserOption.optional(),
    label: LabelOptions,
    stream: z.boolean(),
    after: z
      .string()
      .regex(/^(0|[1-9][0-9]{0,14})$/, '--after must be a whole number of 0 or more in decimal digits')
      .transform(Number)
      .optional(),
  })
  .refine((options) => options.after === undefined || (options.stream && options.id), {
    message: "--after resumes a stream: give it with --stream and the message's --id",
    path: ['after'],
  })
  .refine((options) => options.text !== '' || (options.image?.length ?? 0) + (options.file?.length ?? 0) > 0, {
    message: 'give the message text after the options (or an --image or --file)',
  });
export type SendOptions = z.infer<typeof SendOptions>;

/** Options of the commands that name a session and may print JSON (history, context, status, pop, …). */
export const SessionOptions = z.object({
  session: SessionOption,
  id: OperationId.optional(),
  limit: PositiveInteger('--limit').optional(),
  json: z.boolean(),
  settings: JsonObjectOption('--settings'),
});
export type SessionOptions = z.infer<typeof SessionOptions>;

/** Options of `list`: filters and a page. */
export const ListOptions = z.object({
  prefix: z.string().optional(),
  user: UserOption.optional(),
  label: LabelOptions,
  since: z.string().optional(),
  limit: PositiveInteger('--limit').optional(),
  cursor: z.string().optional(),
  json: z.boolean(),
});
export type ListOptions = z.infer<typeof ListOptions>;

/** Options of `labels`: labels to set and keys to remove. */
export const LabelsOptions = z.object({
  session: SessionOption,
  id: OperationId.optional(),
  label: LabelOptions,
  remove: z.array(LabelKey).optional(),
});
export type LabelsOptions = z.infer<typeof LabelsOptions>;

/** Options of `memory`: the user, and a key (for add or delete). */
export const MemoryOptions = z.object({
  user: z.string({ error: '--user U is required' }).pipe(UserId),
  key: z.string().optional(),
  id: PositiveInteger('--id').optional(),
  limit: PositiveInteger('--limit').optional(),
  json: z.boolean(),
});
export type MemoryOptions = z.infer<typeof MemoryOptions>;

/** Options of `approve` and `reject`: the session, the waiting call, an optional reason. */
export const DecisionOptions = z.object({
  session: SessionOption,
  call: z.string({ error: '--call ID is required (see `pending --session ID`)' }).min(1),
  reason: z.string().optional(),
  id: OperationId.optional(),
  json: z.boolean(),
});
export type DecisionOptions = z.infer<typeof DecisionOptions>;

/** Options of `fork`: the source session, the new one, and the turn to fork after. */
export const ForkOptions = z.object({
  session: SessionOption,
  to: z.string({ error: '--to NEW is required (the new session id)' }).pipe(SessionId),
  turn: PositiveInteger('--turn').optional(),
  json: z.boolean(),
});
export type ForkOptions = z.infer<typeof ForkOptions>;

/** Options of `serve`: where the HTTP API listens. */
export const ServeOptions = z.object({
  port: z
    .string()
    .regex(/^\d{1,5}$/, '--port must be a port number')
    .transform(Number)
    .refine((port) => port <= 65_535, '--port must be at most 65535')
    .optional(),
  host: z.string().min(1).optional(),
  /** The largest body of `POST /v1/sessions/:id/messages`, in bytes (32 MiB by default). */
  'max-message-bytes': z
    .string()
    .regex(/^[1-9][0-9]{0,10}$/, '--max-message-bytes must be a positive whole number of bytes')
    .transform(Number)
    .optional(),
  /** Origins whose pages may call the API besides its own (`--allow-origin URL`, repeatable). */
  'allow-origin': z.array(z.string()).optional(),
});
export type ServeOptions = z.infer<typeof ServeOptions>;

/** Options of `retention`. */
export const RetentionOptions = z.object({
  'older-than-days': z.string({ error: '--older-than-days N is required' }).pipe(PositiveInteger('--older-than-days')),
  schedule: z.boolean(),
});
export type RetentionOptions = z.infer<typeof RetentionOptions>;

/** Options of `worker`, `dev` and `demo`: the module that exports the user's agents. */
export const WorkerOptions = z.object({ agents: z.string().min(1, '--agents needs a module path').optional() });
export type WorkerOptions = z.infer<typeof WorkerOptions>;

/** A port number option (0: any free port). */
const PortOption = (name: string) =>
  z
    .string()
    .regex(/^\d{1,5}$/, `${name} must be a port number`)
    .transform(Number)
    .refine((port) => port <= 65_535, `${name} must be at most 65535`);

/** How long a stopping process lets its work finish, in seconds (20 by default). */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 20;

/**
 * The metrics and shutdown options of `worker` (`--metrics-port` or AGENT_SESSIONS_METRICS_PORT,
 * `--metrics-host` or AGENT_SESSIONS_METRICS_HOST, `--shutdown-grace-seconds` or
 * AGENT_SESSIONS_SHUTDOWN_GRACE_SECONDS) and `serve` (the grace alone).
 */
export const ServiceOptions = z.object({
  'metrics-port': PortOption('--metrics-port (AGENT_SESSIONS_METRICS_PORT)').optional(),
  'metrics-host': z.string().min(1, '--metrics-host (AGENT_SESSIONS_METRICS_HOST) needs an address, like 0.0.0.0').optional(),
  'shutdown-grace-seconds': z
    .string()
    .regex(/^(0|[1-9][0-9]{0,4})$/, '--shutdown-grace-seconds (AGENT_SESSIONS_SHUTDOWN_GRACE_SECONDS) must be a whole number of seconds, 0 or more')
    .transform(Number)
    .default(DEFAULT_SHUTDOWN_GRACE_SECONDS),
});
export type ServiceOptions = z.infer<typeof ServiceOptions>;

/** The parsed command line: the command, its positionals and raw options. */
export function parseCommandLine(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTION_SPEC, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    return { command, positionals: rest, values };
  } catch (error) {
    throw new InvalidInputError(`${(error as Error).message}; see \`npx agent-sessions --help\``);
  }
}

/** Checks raw options against a command's schema; a failure names what is wrong. */
export function checkOptions<Schema extends z.ZodType>(schema: Schema, raw: unknown): z.infer<Schema> {
  return parseOrFail(
    schema,
    raw,
    'options',
    (_what, reason) =>
      new InvalidInputError(
        reason.replace(/^(session|limit|context|settings|id|agent|agents|user|key|label|remove|prefix|since|cursor|call|reason|to|turn|port|host): /, '--$1: '),
      ),
  );
}

/** The JSON in a file (or standard input for `-`), or a caller error that says why it cannot be read. */
export async function readJsonFile(file: string | undefined): Promise<unknown> {
  if (!file) throw new InvalidInputError('give the JSON file after the options (- for standard input)');
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
