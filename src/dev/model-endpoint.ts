/**
 * The model a worker calls: the endpoint OPENAI_API_KEY (and OPENAI_BASE_URL) name, or, without a
 * key, the offline test double started here.
 */
import type { Config } from '../config';
import { startOfflineModel } from '../offline-model/server';
import { OFFLINE_MODEL_ID } from '../offline-model/wire';
import type { ModelEndpoint } from '../worker/run-worker';

/** How fast the offline model streams here: a word every 20 ms, so that streaming shows as with a real model. */
const OFFLINE_CHUNK_DELAY_MS = 20;

/** A chosen model endpoint, a line saying what it is, and how to stop what was started for it. */
export interface ModelService {
  endpoint: ModelEndpoint;
  description: string;
  stop(): Promise<void>;
}

/** Chooses the real model when a key is set; otherwise starts the offline model on `port` (0: any). */
export async function startModelService(config: Config, port = 0): Promise<ModelService> {
  if (config.openaiApiKey) {
    return {
      endpoint: { baseURL: config.openaiBaseUrl, apiKey: config.openaiApiKey, defaultModel: config.model },
      description: `${config.model} at ${config.openaiBaseUrl ?? 'the OpenAI API'} (OPENAI_API_KEY set)`,
      stop: async () => undefined,
    };
  }
  const offline = await startOfflineModel({ port, chunkDelayMs: OFFLINE_CHUNK_DELAY_MS });
  return {
    endpoint: { baseURL: offline.baseURL, apiKey: 'offline', defaultModel: OFFLINE_MODEL_ID },
    description: `offline test double at ${offline.baseURL} (rule-based, not a language model; set OPENAI_API_KEY for a real one)`,
    stop: () => offline.close(),
  };
}
