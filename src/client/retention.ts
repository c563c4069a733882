/**
 * Deployment-wide upkeep: the retention pass (once, or on a Temporal Schedule) that deletes sessions
 * idle for N days, and re-sealing the projection under the current key after a key rotation.
 */
import { randomUUID } from 'node:crypto';
import { ScheduleAlreadyRunning } from '@temporalio/client';
import { z } from 'zod';
import { RETENTION_WORKFLOW_TYPE } from '../shared/messages';
import { EncryptionKeyError } from '../shared/errors';
import { ContentSealer } from '../codec/content-sealer';
import { contentSealer } from '../postgres/content-sealing';
import { readDeploymentSetting } from '../postgres/deployment-settings';
import { resealProjection, type ResealCounts } from '../postgres/reseal';
import { check } from './checks';
import type { Transport } from './transport';

/** The id of the Temporal Schedule that runs the retention pass. */
export const RETENTION_SCHEDULE_ID = 'agent-sessions-retention';

/** Which sessions retention deletes. */
const RetentionOptions = z.object({ olderThanDays: z.number().int().positive('olderThanDays must be a positive whole number') });

/** Runs one retention pass on the worker and waits for it; returns how many sessions it deleted. */
export async function applyRetention(transport: Transport, options: { olderThanDays: number }): Promise<{ deleted: number }> {
  const input = check(RetentionOptions, options, 'invalid retention options');
  return transport.call('retention', (temporal) =>
    temporal.workflow.execute(RETENTION_WORKFLOW_TYPE, {
      taskQueue: transport.taskQueue,
      workflowId: `retention-${new Date().toISOString()}-${randomUUID().slice(0, 8)}`,
      args: [input],
    }),
  );
}

/** Creates (or updates) the Schedule that runs the retention pass every `everyHours` hours; returns its id. */
export async function scheduleRetention(transport: Transport, options: { olderThanDays: number; everyHours?: number }): Promise<string> {
  const input = check(RetentionOptions, options, 'invalid retention options');
  const every = `${check(z.number().int().positive().default(24), options.everyHours, 'invalid everyHours')} hours`;
  const action = {
    type: 'startWorkflow' as const,
    workflowType: RETENTION_WORKFLOW_TYPE,
    taskQueue: transport.taskQueue,
    args: [{ olderThanDays: input.olderThanDays }],
  };
  await transport.call('retention', async (temporal) => {
    try {
      await temporal.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, spec: { intervals: [{ every }] }, action });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).update((previous) => ({ ...previous, spec: { intervals: [{ every }] }, action }));
    }
  });
  return RETENTION_SCHEDULE_ID;
}

/** Rewrites the projection's rows under the current key; returns how many rows of each table it rewrote. */
export async function reseal(transport: Transport, options: { onTable?: (table: string, rows: number) => void }): Promise<ResealCounts> {
  const pool = transport.requirePool();
  if (!transport.keys) throw new EncryptionKeyError('re-sealing needs the keys: set AGENT_SESSIONS_ENCRYPTION_KEYS, the current key first and the old ones after it');
  const keys = transport.keys;
  await transport.guard.check();
  return transport.read(async () => {
    const setting = await readDeploymentSetting(pool);
    const seal = setting?.sealProjection ?? contentSealer(pool).seal;
    return resealProjection(pool, new ContentSealer(keys, seal), options.onTable);
  });
}
