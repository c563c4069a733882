/**
 * Replays histories recorded from real runs (test/histories, read-only) against today's workflow
 * code: a change that would break a running session fails here before it is deployed.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { workflowBundle } from './support/stack';
import { createDataConverter } from '../src/codec/data-converter';
import { sessionMetricsSinks } from '../src/worker/metrics-sinks';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const HISTORIES_DIR = path.join(__dirname, 'histories');

/** Every recorded history, with the file it came from as its workflow id. */
async function recordedHistories(): Promise<Array<{ workflowId: string; history: unknown }>> {
  const files = (await readdir(HISTORIES_DIR)).filter((file) => file.endsWith('.json')).sort();
  return Promise.all(files.map(async (file) => ({ workflowId: file, history: JSON.parse(await readFile(path.join(HISTORIES_DIR, file), 'utf8')) })));
}

async function replayAll(options: Parameters<typeof Worker.runReplayHistories>[0]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  // The worker's own sinks, registered as a worker registers them (a replay calls none).
  const sinks = { ...sessionMetricsSinks(''), ...options.sinks };
  for await (const result of Worker.runReplayHistories({ dataConverter: createDataConverter(undefined), ...options, sinks }, await recordedHistories())) results.push(result);
  return results;
}

test('the recorded histories cover signals, updates, tool calls, retries, a failed turn, every operation and a rollover', async () => {
  const histories = await recordedHistories();
  expect(histories.length).toBeGreaterThanOrEqual(3);
  const text = JSON.stringify(histories);
  const markers = ['userMessage', 'sendMessage', 'updateContext', 'callTool', 'projectTurn', 'ModelRequestRejected'];
  const operations = ['addItems', 'popItem', 'clearSession', 'compact', 'updateSettings', 'replaceSuffix', 'summarize', 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'];
  for (const marker of [...markers, ...operations]) {
    expect(text).toContain(marker);
  }
});

test('a recorded history holds a Responses API turn: a reasoning item with its encrypted content, a tool call and an image', async () => {
  const payloads: string[] = [];
  const collect = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    const record = value as { data?: unknown; metadata?: unknown };
    if (typeof record.data === 'string' && record.metadata) payloads.push(Buffer.from(record.data, 'base64').toString('utf8'));
    for (const child of Object.values(value)) collect(child);
  };
  collect((await recordedHistories()).find((entry) => entry.workflowId === 'replay-reasoning-and-image.json')?.history);
  const text = payloads.join('\n');
  for (const marker of ['"type":"reasoning"', '"encrypted_content"', '"type":"input_image"', 'data:image/png;base64,', '"type":"function_call"']) expect(text).toContain(marker);
});

test('every recorded history replays without a determinism error on the current workflow code', async () => {
  const results = await replayAll({ workflowBundle: await workflowBundle(), replayName: 'current' });
  expect(results.length).toBe((await recordedHistories()).length);
  for (const result of results) expect({ workflowId: result.workflowId, error: result.error }).toEqual({ workflowId: result.workflowId, error: undefined });
});

test('every recorded history replays with the tracing interceptors in the bundle (turning tracing on keeps running sessions)', async () => {
  const spans = new InMemorySpanExporter();
  const results = await replayAll({
    workflowBundle: await workflowBundle({ traced: true }),
    replayName: 'traced',
    sinks: { exporter: makeWorkflowExporter(new SimpleSpanProcessor(spans), new Resource({ 'service.name': 'replay' })) },
  });
  expect(results.length).toBe((await recordedHistories()).length);
  for (const result of results) expect({ workflowId: result.workflowId, error: result.error }).toEqual({ workflowId: result.workflowId, error: undefined });
});

test('an incompatible workflow change fails replay with a determinism violation', async () => {
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/incompatible-workflows'),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const results = await replayAll({ workflowBundle: bundle, replayName: 'incompatible' });
  expect(results.length).toBeGreaterThan(0);
  for (const result of results) expect(result.error).toBeInstanceOf(DeterminismViolationError);
});
