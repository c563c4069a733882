/** The environment variables the worker, the CLI and the dev stack read, checked in one place. */
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from './shared/messages';
import { DEFAULT_OPENAI_API, OpenAiApi } from './shared/agent';
import { parseKeyRing, type KeyRing } from './codec/key-ring';
import { InvalidInputError } from './shared/errors';
import { describeIssues } from './shared/schemas';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined));

/** The environment, as this project reads it. */
export const Environment = z.object({
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: optionalText,
  AGENT_SESSIONS_TASK_QUEUE: optionalText,
  DATABASE_URL: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText,
  OPENAI_MODEL: optionalText,
  /** Which OpenAI API the worker speaks: chat_completions (the default) or responses (the Agents SDK's names). */
  OPENAI_API: optionalText.pipe(OpenAiApi.optional()),
  AGENT_SESSIONS_DATA_DIR: optionalText,
  TEMPORAL_CLI_PATH: optionalText,
  AGENT_SESSIONS_API_TOKEN: optionalText,
  AGENT_SESSIONS_ENCRYPTION_KEYS: optionalText,
  AGENT_SESSIONS_CODEC_TOKEN: optionalText,
  AGENT_SESSIONS_ENCRYPT_PROJECTION: optionalText.pipe(z.enum(['true', 'false', '1', '0'], { error: 'must be true or false (or 1 or 0)' }).optional()),
  AGENT_SESSIONS_ALLOW_PLAINTEXT: optionalText.pipe(z.enum(['true', 'false', '1', '0'], { error: 'must be true or false (or 1 or 0)' }).optional()),
});
export type Environment = z.infer<typeof Environment>;

/** Settings with defaults applied; a service left undefined is one the dev stack may start. */
export interface Config {
  temporalAddress?: string;
  namespace: string;
  taskQueue: string;
  databaseUrl?: string;
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  model: string;
  /**
   * Which OpenAI API the worker speaks (`OPENAI_API`). `chat_completions` by default: every
   * OpenAI-compatible server (Ollama, vLLM, LiteLLM…) speaks it, and upgrading does not change the wire
   * of a running deployment. `responses` carries reasoning items across calls and offers hosted tools.
   */
  openaiApi: OpenAiApi;
  dataDir: string;
  temporalCliPath?: string;
  /** The bearer token the HTTP API requires, when set. */
  apiToken?: string;
  /** The keys every Temporal payload is encrypted with (the first encrypts), when set. */
  encryptionKeys?: KeyRing;
  /** The bearer token the codec server requires, when set. */
  codecToken?: string;
  /** Whether the projection's content (items, streamed events, memories) is sealed with `encryptionKeys` too. */
  encryptProjection: boolean;
  /** The migration switch: a worker with keys accepts unencrypted payloads, one without keys may start against an encrypted deployment. */
  allowPlaintext: boolean;
}

/** The model agents use when they name none. */
export const DEFAULT_MODEL = 'gpt-4.1-mini';

/** Reads the configuration from an environment (process.env by default); a value it cannot read is refused with its variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const checked = Environment.safeParse(env);
  if (!checked.success) throw new InvalidInputError(describeIssues(checked.error));
  const parsed = checked.data;
  return {
    temporalAddress: parsed.TEMPORAL_ADDRESS,
    namespace: parsed.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: parsed.AGENT_SESSIONS_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    databaseUrl: parsed.DATABASE_URL,
    openaiApiKey: parsed.OPENAI_API_KEY,
    openaiBaseUrl: parsed.OPENAI_BASE_URL,
    model: parsed.OPENAI_MODEL ?? DEFAULT_MODEL,
    openaiApi: parsed.OPENAI_API ?? DEFAULT_OPENAI_API,
    dataDir: path.resolve(parsed.AGENT_SESSIONS_DATA_DIR ?? '.data'),
    temporalCliPath: parsed.TEMPORAL_CLI_PATH,
    apiToken: parsed.AGENT_SESSIONS_API_TOKEN,
    encryptionKeys: parsed.AGENT_SESSIONS_ENCRYPTION_KEYS ? parseKeyRing(parsed.AGENT_SESSIONS_ENCRYPTION_KEYS) : undefined,
    codecToken: parsed.AGENT_SESSIONS_CODEC_TOKEN,
    encryptProjection: parsed.AGENT_SESSIONS_ENCRYPT_PROJECTION === 'true' || parsed.AGENT_SESSIONS_ENCRYPT_PROJECTION === '1',
    allowPlaintext: parsed.AGENT_SESSIONS_ALLOW_PLAINTEXT === 'true' || parsed.AGENT_SESSIONS_ALLOW_PLAINTEXT === '1',
  };
}
