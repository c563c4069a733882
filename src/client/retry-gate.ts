/**
 * Temporal's gRPC retries, made safe to close under: the SDK's retry interceptor schedules each retry on
 * a timer, and a retry that fires after `Connection.close()` throws "Channel has been shut down" from
 * that timer, an uncaught exception that ends the caller's process. This gate decides the same retries
 * as the SDK's defaults until `drain()`, which stops new ones and waits for those already scheduled to run.
 */
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/** Time after a retry's due moment for it to have started its call. */
const SETTLE_MS = 50;

/** The retries of one connection: the interceptor to connect with, and `drain()` before closing. */
export class RetryGate {
  private closing = false;
  /** When the latest scheduled retry fires. */
  private lastDueAt = 0;

  /** The gRPC interceptor to give `Connection.connect`/`lazy` (in place of the SDK's default retries). */
  interceptor(): ReturnType<typeof makeGrpcRetryInterceptor> {
    const defaults = defaultGrpcRetryOptions();
    return makeGrpcRetryInterceptor({
      retryableDecider: (attempt, status) => !this.closing && defaults.retryableDecider(attempt, status),
      delayFunction: (attempt, status) => {
        const delay = defaults.delayFunction(attempt, status);
        this.lastDueAt = Math.max(this.lastDueAt, Date.now() + delay);
        return delay;
      },
    });
  }

  /** Decides no more retries and resolves once every scheduled one has run (at most the SDK's longest backoff, 5 s). */
  async drain(): Promise<void> {
    this.closing = true;
    const wait = this.lastDueAt + SETTLE_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
