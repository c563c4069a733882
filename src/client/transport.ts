/**
 * The client's one way to Temporal and the projection: updates (with update-with-start), queries and
 * other Temporal calls, retried through Temporal's passing refusals with the same operation id, refused
 * with WorkerUnavailableError when no worker polls, checked against the deployment's encryption setting
 * first, and with every Temporal, gRPC or Postgres error translated into the library's error classes.
 * The session operations, reads, documents and retention are thin parts on top of it.
 */
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandle,
  type WorkflowExecutionDescription,
  type WorkflowUpdateHandle,
  WorkflowNotFoundError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import { fingerprintOf } from '../shared/fingerprint';
import { isTombstoned, sessionPresence } from '../postgres/sessions';
import {
  AgentSessionsError,
  BackendUnavailableError,
  EncryptionKeyError,
  errorForFailure,
  InvalidInputError,
  SessionClosedError,
  SessionDeletedError,
  SessionExpiredError,
  SessionNotFoundError,
  WorkerUnavailableError,
} from '../shared/errors';
import { CONVERSATION_WORKFLOW_TYPE, DEFAULT_TASK_QUEUE } from '../shared/messages';
import { ConversationEnd, type ConversationInput } from '../shared/session-snapshot';
import { StreamNotifications } from '../postgres/stream-notifications';
import type { KeyRing } from '../codec/key-ring';
import { keyIdsIn } from '../codec/encryption-codec';
import { findContentRefs } from '../shared/content-refs';
import { resolveContent, storeContentParts } from '../postgres/content-parts';
import { isDeadline, isNotFound, isQueryFailure, isRetryableRefusal, isUnavailable, updateFailure } from './temporal-errors';
import { DeploymentGuard } from './deployment-guard';
import { checkSessionId, INLINE_LIMIT_TEXT } from './checks';
import type { RetryGate } from './retry-gate';

/** Where the client connects and how long it waits for a worker. */
export interface SessionsClientOptions {
  /** A Temporal client (connected lazily by `connect`). */
  temporal: Client;
  /** Postgres with the projection; needed by `items`. */
  pool?: Pool;
  taskQueue?: string;
  /** How long an operation may wait for a worker to take it before WorkerUnavailableError (5 s). */
  workerWaitMs?: number;
  /** How long Temporal's passing refusals are retried before BackendUnavailableError (60 s). */
  retryForMs?: number;
  /** The keys of this client's data converter: a session whose history needs another key is refused naming it. */
  encryptionKeys?: KeyRing;
  /** Checks the deployment's encryption setting before each operation (`connect` makes one). */
  guard?: DeploymentGuard;
  /** The connection's gRPC retries, drained before `close` closes it (`connect` makes them). */
  retries?: RetryGate;
}

/** The workflow's type, for typed start operations. */
type ConversationType = (input?: ConversationInput) => Promise<ConversationEnd>;

/** A start operation for update-with-start, made afresh for each attempt (Temporal uses one up per call). */
export type StartOperation = () => WithStartWorkflowOperation<ConversationType>;

const DEFAULT_WORKER_WAIT_MS = 5_000;
const DEFAULT_RETRY_FOR_MS = 60_000;
/** A poller seen this recently counts as a live worker (a long poll lasts about a minute). */
const LIVE_POLLER_MS = 75_000;
/** How long `close` waits for calls in flight before it closes the connection. */
const CLOSE_WAIT_MS = 5_000;

/** Temporal and the projection as the client's parts use them: calls that retry, translate their errors and are waited for on close. */
export class Transport {
  /** The Temporal client every call goes through. */
  readonly temporal: Client;
  /** Postgres with the projection, when connected. */
  readonly pool?: Pool;
  /** The task queue sessions and retention run on. */
  readonly taskQueue: string;
  /** The keys of this client's data converter, when it has any. */
  readonly keys?: KeyRing;
  /** The deployment's encryption setting, checked before every call. */
  readonly guard: DeploymentGuard;
  private readonly workerWaitMs: number;
  private readonly retryForMs: number;
  private streamNotifications?: StreamNotifications;
  /** Temporal calls not settled yet, which `close` waits for. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly retries?: RetryGate;
  /** Set once `close` begins: a call failing after it failed because of it. */
  private closed = false;

  constructor(options: SessionsClientOptions) {
    this.keys = options.encryptionKeys;
    this.guard = options.guard ?? new DeploymentGuard(options.pool, options.encryptionKeys, false);
    this.temporal = options.temporal;
    this.pool = options.pool;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.workerWaitMs = options.workerWaitMs ?? DEFAULT_WORKER_WAIT_MS;
    this.retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
    this.retries = options.retries;
  }

  /** The session's Temporal workflow handle (the id checked). */
  handle(sessionId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(checkSessionId(sessionId));
  }

  /** The one listener for stream notifications, opened on first use and closed by `close`. */
  notifications(pool: Pool): StreamNotifications {
    return (this.streamNotifications ??= new StreamNotifications(pool));
  }

  /** Closes the connections this client opened, after the calls in flight settle (briefly). */
  async close(): Promise<void> {
    this.closed = true;
    // Calls still retrying on the connection would fire on a closed channel; let them settle first (briefly).
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    await this.streamNotifications?.close();
    await this.pool?.end();
    await this.retries?.drain();
    await this.temporal.connection.close();
  }

  /** Keeps `call` among the calls `close` waits for until it settles. */
  track<T>(call: Promise<T>): Promise<T> {
    this.inFlight.add(call);
    const settled = () => this.inFlight.delete(call);
    call.then(settled, settled);
    return call;
  }

  /** A one-shot Temporal call (a signal, a workflow run, a schedule) after the deployment check; its errors translated for `target`. */
  async call<T>(target: string, call: (temporal: Client) => Promise<T>): Promise<T> {
    await this.guard.check();
    try {
      return await call(this.temporal);
    } catch (error) {
      throw await this.translate(error, target);
    }
  }

  /** Runs a projection query; a failure to reach Postgres becomes BackendUnavailableError. */
  async read<T>(query: () => Promise<T>): Promise<T> {
    try {
      await this.guard.check();
      return await query();
    } catch (error) {
      if (error instanceof AgentSessionsError) throw error;
      throw new BackendUnavailableError(`cannot read the projection: ${(error as Error).message}; check DATABASE_URL`, { cause: error });
    }
  }

  /** The pool, or InvalidInputError for a client connected without a databaseUrl. */
  requirePool(): Pool {
    if (!this.pool) throw new InvalidInputError('reading items needs Postgres: connect with a databaseUrl (DATABASE_URL)');
    return this.pool;
  }

  /** Stores the large content of what is about to be sent (idempotent), so that only references go through Temporal. */
  async storeParts(sessionId: string, parts: Map<string, string>): Promise<void> {
    if (parts.size === 0) return;
    if (!this.pool) {
      throw new InvalidInputError(`images and files longer than ${INLINE_LIMIT_TEXT} are stored in Postgres: connect with a databaseUrl (DATABASE_URL) to send them`);
    }
    const pool = this.pool;
    await this.read(() => storeContentParts(pool, sessionId, parts));
  }

  /** `value` with its references replaced by the content they stand for (as it was given); as it is without Postgres. */
  async resolved<T>(sessionId: string, value: T): Promise<T> {
    const pool = this.pool;
    if (!pool || findContentRefs(value).length === 0) return value;
    return this.read(() => resolveContent(pool, sessionId, value));
  }

  /** Throws SessionDeletedError when the id's tombstone is there (one indexed query; only on paths that may start a session). */
  async refuseDeleted(sessionId: string): Promise<void> {
    const pool = this.pool;
    if (pool && (await this.read(() => isTombstoned(pool, sessionId)))) throw deletedError(sessionId);
  }

  /** For a read that found nothing: SessionDeletedError when the id was deleted, SessionNotFoundError when it never existed. */
  async requirePresent(pool: Pool, sessionId: string): Promise<void> {
    const presence = await this.read(() => sessionPresence(pool, sessionId));
    if (presence === 'deleted') throw deletedError(sessionId);
    if (presence === 'absent') throw new SessionNotFoundError(sessionId);
  }

  /** Whether a session with this id runs or ran (its workflow exists in Temporal). */
  async sessionExists(sessionId: string): Promise<boolean> {
    await this.guard.check();
    try {
      await this.temporal.workflow.getHandle(sessionId).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || isNotFound(error)) return false;
      throw await this.translate(error, sessionId);
    }
  }

  /** Temporal's description of the session's current run, or undefined when it cannot be had. */
  describeRun(sessionId: string): Promise<WorkflowExecutionDescription | undefined> {
    return this.track(this.handle(sessionId).describe()).catch(() => undefined);
  }

  /** A start operation for update-with-start (each call uses one up); `FAIL` refuses a running session. */
  startOperation(sessionId: string, start: ConversationInput, onConflict: 'USE_EXISTING' | 'FAIL' = 'USE_EXISTING'): StartOperation {
    return () =>
      new WithStartWorkflowOperation(CONVERSATION_WORKFLOW_TYPE, {
        workflowId: sessionId,
        taskQueue: this.taskQueue,
        args: [start],
        workflowIdConflictPolicy: onConflict,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
  }

  /**
   * Runs an update until it has an outcome: waits up to `workerWaitMs` for a worker to accept it
   * (then says no worker is there), and retries Temporal's passing refusals with the same id. With
   * `start`, the update starts the session when it does not run yet.
   */
  update<Result, Args>(
    sessionId: string,
    update: UpdateDefinition<Result, [Args]>,
    args: Args,
    updateId: string,
    start?: StartOperation,
    onAccepted?: () => void,
  ): Promise<Result> {
    // Once a run has accepted the update, a failed wait for its result waits on that update again; only an
    // update that ended in a refusal (the run rolling over) is sent again, so a message is never re-sent late.
    let accepted: WorkflowUpdateHandle<Result> | undefined;
    return this.untilTaken(sessionId, updateId, async () => {
      // The Temporal update id carries the arguments' fingerprint: Temporal answers a repeated update id from the
      // first update without asking the workflow, so the same operation id with other arguments must reach it.
      const options = { args: [args] as [Args], updateId: `${updateId}#${fingerprintOf(args)}`, waitForStage: WorkflowUpdateStage.ACCEPTED };
      accepted ??= await this.temporal.withDeadline(Date.now() + this.workerWaitMs, () =>
        start
          ? this.temporal.workflow.startUpdateWithStart(update, { ...options, startWorkflowOperation: start() })
          : this.temporal.workflow.getHandle(sessionId).startUpdate(update, options),
      );
      onAccepted?.();
      try {
        return await accepted.result();
      } catch (error) {
        if (updateFailure(error)) accepted = undefined;
        throw error;
      }
    });
  }

  /** Runs a query, retrying Temporal's passing refusals (a run that has just continued as new, for one). */
  query<T>(sessionId: string, read: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    const handle = this.handle(sessionId);
    // A deleted session's run refuses queries (and is soon gone from Temporal): say it was deleted, never a stale state.
    return this.untilTaken(handle.workflowId, undefined, () => this.temporal.withDeadline(Date.now() + this.workerWaitMs, () => read(handle))).catch(async (error: unknown) => {
      const closed = await this.closedSessionError(handle.workflowId).catch(() => undefined);
      throw closed instanceof SessionDeletedError ? closed : error;
    });
  }

  /**
   * Calls `attempt` until it succeeds. When no worker takes the call within `workerWaitMs`, it says so
   * unless a worker polls; Temporal's passing refusals are retried with backoff. It gives up only when
   * the session made no progress for `retryForMs` (a busy session, its update slots taken by other
   * callers, is waited for). Anything else is translated at once.
   */
  private untilTaken<T>(sessionId: string, operationId: string | undefined, attempt: () => Promise<T>): Promise<T> {
    return this.track(this.retryUntilTaken(sessionId, operationId, attempt));
  }

  private async retryUntilTaken<T>(sessionId: string, operationId: string | undefined, attempt: () => Promise<T>): Promise<T> {
    let giveUpAt = Date.now() + this.retryForMs;
    /** Where the session stood at the first refusal (then at each extension of the deadline). */
    let progress: string | undefined;
    let baselined = false;
    let keysChecked = false;
    await this.guard.check();
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (isDeadline(error)) await this.requireLiveWorker(sessionId, operationId);
        else if (!isRetryableRefusal(error)) throw await this.translate(error, sessionId);
        // A worker polls but no run took the call: a workflow task that fails because a key is missing fails forever, so say which key at once.
        if (!keysChecked) {
          keysChecked = true;
          const missingKey = await this.missingKeyError(sessionId);
          if (missingKey) throw missingKey;
        }
        if (!baselined) {
          baselined = true;
          progress = await this.progressMarker(sessionId);
          giveUpAt = Date.now() + this.retryForMs;
        }
        if (Date.now() > giveUpAt) {
          const now = await this.progressMarker(sessionId);
          if (now === undefined || now === progress) throw this.notProgressing(sessionId, operationId, error);
          progress = now;
          giveUpAt = Date.now() + this.retryForMs;
        }
        await sleep(Math.min(25 * 2 ** tries, 1_000) * (0.5 + Math.random()));
      }
    }
  }

  /** Where the session's history stands (its run and length), to tell a busy session from a stuck one; undefined when unknown. */
  private async progressMarker(sessionId: string): Promise<string | undefined> {
    const description = await this.describeRun(sessionId);
    return description && `${description.runId}:${description.historyLength}`;
  }

  /** The error for a call no run took within `retryForMs` although workers poll. */
  private notProgressing(sessionId: string, operationId: string | undefined, cause: unknown): BackendUnavailableError {
    const retry = operationId ? `, then retry with the same id (${operationId})` : '';
    return new BackendUnavailableError(
      `the session "${sessionId}" took no call and made no progress for ${Math.round(this.retryForMs / 1000)} s although workers poll; ` +
        `check the worker's logs (a workflow task may be failing)${retry}`,
      { cause },
    );
  }

  /** Throws WorkerUnavailableError unless a worker has polled the task queue within the last minute or so. */
  private async requireLiveWorker(sessionId: string, operationId?: string): Promise<void> {
    let live: boolean;
    try {
      const response = await this.temporal.workflowService.describeTaskQueue({
        namespace: this.temporal.options.namespace,
        taskQueue: { name: this.taskQueue },
        taskQueueType: 1,
      });
      const now = Date.now();
      live = (response.pollers ?? []).some((poller) => {
        const seconds = Number(poller.lastAccessTime?.seconds ?? 0);
        return now - seconds * 1000 < LIVE_POLLER_MS;
      });
    } catch (error) {
      throw await this.translate(error, sessionId);
    }
    if (live) return;
    const retry = operationId ? ` It may still run once a worker starts; retry with the same id (${operationId}) to get its outcome, never a second run.` : '';
    throw new WorkerUnavailableError(`no worker is polling task queue "${this.taskQueue}"; start one with \`npx agent-sessions worker\`.${retry}`);
  }

  /** The library's error for an error from Temporal. */
  async translate(error: unknown, sessionId: string): Promise<Error> {
    if (this.closed && !updateFailure(error)) {
      return new BackendUnavailableError(
        'the client was closed while this call waited for Temporal; call it again with a new client (with the same operation id, a message that did run is not run twice)',
        {
          cause: error,
        },
      );
    }
    const failure = updateFailure(error);
    if (failure) return errorForFailure(failure.type ?? undefined, failure.message);
    if (error instanceof WorkflowExecutionAlreadyStartedError || error instanceof WorkflowNotFoundError || isNotFound(error)) {
      return this.closedSessionError(sessionId);
    }
    if (isUnavailable(error) || (error instanceof Error && error.name === 'TransportError')) {
      return new BackendUnavailableError(`Temporal is unavailable (${(error as Error).message}); check TEMPORAL_ADDRESS`, { cause: error });
    }
    if (error instanceof Error && 'kind' in error) return error;
    const missingKey = await this.missingKeyError(sessionId);
    if (missingKey) return missingKey;
    if (isQueryFailure(error)) {
      // The run could not answer: no worker holds it (the worker is down), or its workflow task fails.
      const noWorker = await this.requireLiveWorker(sessionId).then(
        () => undefined,
        (thrown: unknown) => thrown as Error,
      );
      if (noWorker) return noWorker;
      return new BackendUnavailableError(
        `the session "${sessionId}" could not answer although workers poll; check the worker's logs (a workflow task may be failing), then retry`,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return new BackendUnavailableError(`Temporal refused the call: ${message.split('\n')[0]}`, { cause: error });
  }

  /**
   * EncryptionKeyError naming the keys the session's history was encrypted with that this client's
   * ring lacks (the worker's ring lacks them too when the operator removed them everywhere), or
   * undefined. Key ids are read from the payloads' metadata; nothing is decrypted.
   */
  private async missingKeyError(sessionId: string): Promise<EncryptionKeyError | undefined> {
    let history: unknown;
    try {
      history = await this.track(this.temporal.workflow.getHandle(sessionId).fetchHistory());
    } catch {
      return undefined;
    }
    const missing = [...keyIdsIn(history)].filter((keyId) => !this.keys?.byId.has(keyId));
    if (missing.length === 0) return undefined;
    const names = missing.map((keyId) => `"${keyId}"`).join(', ');
    return new EncryptionKeyError(
      `the session "${sessionId}" holds data encrypted with key ${names}, which AGENT_SESSIONS_ENCRYPTION_KEYS does not hold: ` +
        `add ${names} after the current key, on the worker and on this client (a session's Temporal history keeps the keys it was written with)`,
    );
  }

  /** Why a session cannot take the call: it never existed, was deleted, expired, or was closed by an operator. */
  private async closedSessionError(sessionId: string): Promise<AgentSessionsError> {
    const pool = this.pool;
    if (pool && (await isTombstoned(pool, sessionId).catch(() => false))) return deletedError(sessionId);
    const handle = this.temporal.workflow.getHandle(sessionId);
    let status: string | undefined;
    try {
      status = (await handle.describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || isNotFound(error)) return new SessionNotFoundError(sessionId);
      return new BackendUnavailableError(`cannot tell what became of session "${sessionId}": ${(error as Error).message}`, { cause: error });
    }
    if (status === 'RUNNING') {
      return new BackendUnavailableError(`the session "${sessionId}" is running but did not take the call; retry with the same id`);
    }
    if (status === 'COMPLETED') {
      const end = ConversationEnd.safeParse(await handle.result().catch(() => undefined));
      if (end.success && end.data.ended === 'deleted') return deletedError(sessionId);
      if (end.success && end.data.ended === 'expired') {
        return new SessionExpiredError(`the session "${sessionId}" expired after its idle time-to-live; its items stay readable (history); use a new session id`);
      }
    }
    return new SessionClosedError(sessionId);
  }
}

/** The error for any call on a deleted session's id. */
function deletedError(sessionId: string): SessionDeletedError {
  return new SessionDeletedError(`the session "${sessionId}" was deleted; use a new session id`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
