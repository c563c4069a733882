// src/testing: agent-sessions/testing, the offline model and a Temporal dev server for a project's own tests; may import dev, offline-model.
/**
 * `agent-sessions/testing`: what a project's own tests need to run its agents on real parts without an
 * LLM: the offline OpenAI-compatible model over HTTP (scriptable), and a Temporal dev server.
 */
export { startOfflineModel, type OfflineModel, type OfflineModelOptions } from '../offline-model/server';
export { OFFLINE_MODEL_ID } from '../offline-model/wire';
export type { ScriptStep } from '../offline-model/script';
export { startTemporalDevServer, type TemporalDevServer } from '../dev/temporal-server';
