/**
 * docs/grafana-dashboard.json queries metrics that exist: every `agent_sessions_…` name it uses is in
 * the process's registry (so renaming a metric breaks this test, not an operator's dashboard), and the
 * dashboard is one Grafana can import.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { METRIC_PREFIX, metricsRegistry } from '../../src/telemetry/metrics';

const dashboard = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'grafana-dashboard.json'), 'utf8')) as {
  title: string;
  uid: string;
  panels: Array<{ type: string; title: string; gridPos: object; targets?: Array<{ expr: string }> }>;
};

/** Every PromQL expression of the dashboard. */
const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

/** The metric names an expression reads, a histogram's `_bucket`, `_count` and `_sum` series named by the histogram. */
const metricNames = (prefix: string) =>
  new Set(expressions.flatMap((expr) => [...expr.matchAll(new RegExp(`\\b(${prefix}[a-z0-9_]+)`, 'g'))].map((match) => match[1].replace(/_(bucket|count|sum)$/, ''))));

test('the dashboard has a title, a uid and panels with a position, each graph with at least one query', () => {
  expect(dashboard).toMatchObject({ title: 'agent-sessions', uid: 'agent-sessions' });
  for (const panel of dashboard.panels) {
    expect(panel.gridPos).toEqual(expect.objectContaining({ x: expect.any(Number), y: expect.any(Number), w: expect.any(Number), h: expect.any(Number) }));
    if (panel.type !== 'row') expect(panel.targets?.length).toBeGreaterThan(0);
  }
});

test('every agent_sessions_ metric the dashboard queries is registered under that name', async () => {
  const registered = new Set((await metricsRegistry().getMetricsAsJSON()).map((metric) => metric.name));
  const queried = metricNames(METRIC_PREFIX);
  expect(queried.size).toBeGreaterThanOrEqual(14);
  expect([...queried].filter((name) => !registered.has(name))).toEqual([]);
});

test('the dashboard shows turn rate and latency, time to first token, tokens by kind, tool failures, errors by type, backlog, rollovers, approvals and schedule-to-start', () => {
  const queried = new Set([...metricNames(METRIC_PREFIX), ...metricNames('temporal_')]);
  for (const name of [
    'agent_sessions_turns_total',
    'agent_sessions_turn_duration_seconds',
    'agent_sessions_model_time_to_first_token_seconds',
    'agent_sessions_tokens_total',
    'agent_sessions_tool_calls_total',
    'agent_sessions_errors_total',
    'agent_sessions_task_queue_backlog',
    'agent_sessions_rollovers_total',
    'agent_sessions_approvals_waiting',
    'temporal_workflow_task_schedule_to_start_latency',
  ]) {
    expect(queried).toContain(name);
  }
});
