/**
 * The task queue's backlog as Temporal reports it (`DescribeTaskQueue` with `reportStats`): how many
 * workflow and activity tasks wait for a worker, and how old the oldest is. Read when metrics are
 * scraped, at most once per few seconds, and only from the queues a process registered.
 */
import type { WorkflowService } from '@temporalio/client';

/** How long one reading is reused: scrapes from several Prometheus replicas cost one call. */
const CACHE_MS = 5_000;

/** How long one reading may take before the scrape goes on without it. */
const READ_TIMEOUT_MS = 2_000;

/** The backlog of one kind of task on one queue. */
export interface BacklogReading {
  taskQueue: string;
  type: 'workflow' | 'activity';
  /** Tasks waiting for a worker (approximate, as Temporal counts them). */
  tasks: number;
  /** How long the oldest waiting task has waited, in seconds. */
  ageSeconds: number;
}

/** Where a queue is described: a connection's workflow service, the namespace, the queue. */
export interface BacklogSource {
  workflowService: Pick<WorkflowService, 'describeTaskQueue'>;
  namespace: string;
  taskQueue: string;
}

const TASK_QUEUE_TYPES = [
  { type: 'workflow', value: 1 },
  { type: 'activity', value: 2 },
] as const;

const sources = new Map<string, BacklogSource>();
let cached: { at: number; readings: Promise<BacklogReading[]> } | undefined;

/**
 * Reports `source`'s queue in `agent_sessions_task_queue_backlog` and `..._backlog_age_seconds` until
 * the returned function is called. One source per namespace and queue (a later one replaces it).
 */
export function registerBacklogSource(source: BacklogSource): () => void {
  const key = `${source.namespace}/${source.taskQueue}`;
  sources.set(key, source);
  cached = undefined;
  return () => {
    if (sources.get(key) === source) sources.delete(key);
    cached = undefined;
  };
}

/** The readings of every registered queue (cached for a few seconds); a queue that cannot be read is left out. */
export function readBacklogs(): Promise<BacklogReading[]> {
  if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), readings: readAll() };
  return cached.readings;
}

async function readAll(): Promise<BacklogReading[]> {
  const readings = await Promise.all([...sources.values()].flatMap((source) => TASK_QUEUE_TYPES.map(({ type, value }) => readOne(source, type, value))));
  return readings.filter((reading): reading is BacklogReading => reading !== undefined);
}

async function readOne(source: BacklogSource, type: BacklogReading['type'], taskQueueType: number): Promise<BacklogReading | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS)));
  const read = source.workflowService
    .describeTaskQueue({ namespace: source.namespace, taskQueue: { name: source.taskQueue }, taskQueueType, reportStats: true })
    .then((response) => {
      const stats = response.stats;
      if (!stats) return undefined; // a server too old to report stats
      const age = stats.approximateBacklogAge;
      return {
        taskQueue: source.taskQueue,
        type,
        tasks: Number(stats.approximateBacklogCount ?? 0),
        ageSeconds: Number(age?.seconds ?? 0) + (age?.nanos ?? 0) / 1e9,
      };
    })
    .catch(() => undefined); // Temporal unreachable: readiness says so; the metric is absent meanwhile
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
