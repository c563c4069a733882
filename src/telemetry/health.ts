/**
 * Liveness and readiness as named checks: each check resolves when its part is fine and throws an
 * error saying what is wrong otherwise. A report runs them side by side, each within a time limit, and
 * says which failed and why, so a probe's 503 body names the part to look at.
 */

/** One named check: resolves when fine, throws (its message says what is wrong) otherwise. */
export interface HealthCheck {
  name: string;
  check(): Promise<void> | void;
}

/** The outcome of one check. */
export interface CheckResult {
  ok: boolean;
  /** What is wrong, when not ok. */
  error?: string;
}

/** The outcome of a set of checks: ok when every one passed. */
export interface HealthReport {
  status: 'ok' | 'failing';
  checks: Record<string, CheckResult>;
}

/** How long one check may take before it counts as failed (a probe's own timeout is usually 1 to 5 s). */
export const CHECK_TIMEOUT_MS = 2_500;

/** Runs the checks side by side; a check that throws or takes longer than `timeoutMs` fails with the reason. */
export async function runChecks(checks: readonly HealthCheck[], timeoutMs = CHECK_TIMEOUT_MS): Promise<HealthReport> {
  const results = await Promise.all(checks.map(async (check) => [check.name, await runOne(check, timeoutMs)] as const));
  return { status: results.every(([, result]) => result.ok) ? 'ok' : 'failing', checks: Object.fromEntries(results) };
}

async function runOne(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => check.check()), expired]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}

/** What a process reports to its probes: liveness (restart me when failing) and readiness (send me work). */
export interface HealthSource {
  /** Liveness: fails only when a restart would help; cheap and local (no database). */
  live(): Promise<HealthReport>;
  /** Readiness: fails while a dependency does not answer. */
  ready(): Promise<HealthReport>;
}

/** A process's probes: what `/healthz` and `/readyz` answer, with readiness failing once it drains. */
export class Probes implements HealthSource {
  private drainingSince: number | undefined;

  constructor(private readonly source: HealthSource) {}

  /** Readiness fails from now on (a stop was asked for): load balancers and Kubernetes stop sending work. */
  startDraining(): void {
    this.drainingSince ??= Date.now();
  }

  /** Whether `startDraining` was called. */
  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** The liveness report. */
  live(): Promise<HealthReport> {
    return this.source.live();
  }

  /** The readiness report: `shutdown` failing once draining (the other checks are then not run), else the source's. */
  async ready(): Promise<HealthReport> {
    if (this.drainingSince === undefined) return this.source.ready();
    const error = `draining since ${new Date(this.drainingSince).toISOString()}: a stop was asked for, so it takes no new work`;
    return { status: 'failing', checks: { shutdown: { ok: false, error } } };
  }
}
