/**
 * The client's check of the deployment's encryption setting (`deployment_settings`, written by the
 * worker): before its first operation, and again at most every few seconds, a client reads it from
 * Postgres. Without keys, or with keys that lack the current one, every operation is refused with
 * EncryptionKeyError before anything is sent or stored; the setting, not this process's own switch,
 * decides whether what it stores in the projection is sealed.
 */
import type { Pool } from 'pg';
import { ContentSealer } from '../codec/content-sealer';
import type { KeyRing } from '../codec/key-ring';
import { sealContentWith } from '../postgres/content-sealing';
import { encryptionRefusal, readDeploymentSetting, type DeploymentSetting } from '../postgres/deployment-settings';
import { BackendUnavailableError } from '../shared/errors';

/** How long a read setting is trusted before it is read again. */
const RECHECK_MS = 5_000;

export class DeploymentGuard {
  private last?: { at: number; setting: DeploymentSetting | undefined };
  private pending?: Promise<DeploymentSetting | undefined>;

  constructor(
    private readonly pool: Pool | undefined,
    private readonly keys: KeyRing | undefined,
    private readonly encryptProjection: boolean,
  ) {}

  /**
   * Throws EncryptionKeyError when this process may not operate on the deployment. Without a database
   * the setting cannot be read and nothing is refused here (the worker still refuses unencrypted payloads).
   */
  async check(): Promise<void> {
    if (!this.pool) return;
    const refusal = encryptionRefusal(await this.setting(this.pool), this.keys);
    if (refusal) throw refusal;
  }

  private async setting(pool: Pool): Promise<DeploymentSetting | undefined> {
    if (this.last && Date.now() - this.last.at < RECHECK_MS) return this.last.setting;
    this.pending ??= readDeploymentSetting(pool)
      .then((setting) => {
        this.last = { at: Date.now(), setting };
        sealContentWith(pool, new ContentSealer(this.keys, (setting?.sealProjection ?? this.encryptProjection) && this.keys !== undefined));
        return setting;
      })
      .catch((error: unknown) => {
        // Postgres is unreachable: the setting read before stands; a process without keys that never read it is refused.
        if (this.last) return this.last.setting;
        if (this.keys) return undefined;
        throw new BackendUnavailableError(`cannot read whether this deployment encrypts (${(error as Error).message}); check DATABASE_URL`, { cause: error });
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
