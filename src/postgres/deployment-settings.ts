/**
 * Whether the deployment encrypts: one row (`deployment_settings`, migration 009) that the worker writes
 * at start from its configuration and every client reads before its first operation. It holds the
 * encryption flag, the id of the current key (never key material) and whether the projection is sealed.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import type { KeyRing } from '../codec/key-ring';
import { EncryptionKeyError } from '../shared/errors';
import { invalidRow, parseOrFail } from '../shared/parse';

/** What the deployment records about its encryption. */
export interface DeploymentSetting {
  encrypted: boolean;
  /** The key new payloads are sealed with (when encrypted). */
  currentKeyId: string | null;
  /** Whether what Postgres stores of a conversation is sealed, whoever writes it. */
  sealProjection: boolean;
}

/** The deployment_settings row as Postgres returns it. */
const DeploymentSettingRow = z.object({ encrypted: z.boolean(), current_key_id: z.string().nullable(), seal_projection: z.boolean() });

function toSetting(row: unknown): DeploymentSetting {
  const parsed = parseOrFail(DeploymentSettingRow, row, 'the deployment_settings row', invalidRow);
  return { encrypted: parsed.encrypted, currentKeyId: parsed.current_key_id, sealProjection: parsed.seal_projection };
}

/** The recorded setting, or undefined when no worker has started against this database yet. */
export async function readDeploymentSetting(pool: Pool): Promise<DeploymentSetting | undefined> {
  const { rows } = await pool.query('SELECT encrypted, current_key_id, seal_projection FROM deployment_settings WHERE singleton');
  return rows.length === 0 ? undefined : toSetting(rows[0]);
}

/** The variable that lets a worker without keys run against an encrypted deployment, and a worker with keys accept plaintext payloads. */
export const ALLOW_PLAINTEXT_VARIABLE = 'AGENT_SESSIONS_ALLOW_PLAINTEXT';

/**
 * Records a starting worker's configuration: a worker with keys marks the deployment encrypted with its
 * current key (sealing, once on, stays on); a worker without keys marks it plaintext, but refuses to
 * start against a deployment marked encrypted unless `allowPlaintext` (the migration switch) is set.
 * Returns the setting now in force.
 */
export async function recordWorkerSetting(pool: Pool, worker: { keys: KeyRing | undefined; encryptProjection: boolean; allowPlaintext: boolean }): Promise<DeploymentSetting> {
  if (worker.keys) {
    const { rows } = await pool.query(
      `INSERT INTO deployment_settings (encrypted, current_key_id, seal_projection) VALUES (true, $1, $2)
       ON CONFLICT (singleton) DO UPDATE SET encrypted = true, current_key_id = excluded.current_key_id,
         seal_projection = deployment_settings.seal_projection OR excluded.seal_projection, updated_at = now()
       RETURNING encrypted, current_key_id, seal_projection`,
      [worker.keys.current.id, worker.encryptProjection],
    );
    return toSetting(rows[0]);
  }
  const recorded = await readDeploymentSetting(pool);
  if (recorded?.encrypted && !worker.allowPlaintext) {
    throw new EncryptionKeyError(
      `this deployment encrypts its sessions (current key "${recorded.currentKeyId}", recorded in the database): start the worker with ` +
        `AGENT_SESSIONS_ENCRYPTION_KEYS holding that key, or set ${ALLOW_PLAINTEXT_VARIABLE}=true to stop encrypting on purpose`,
    );
  }
  const { rows } = await pool.query(
    `INSERT INTO deployment_settings (encrypted, current_key_id, seal_projection) VALUES (false, NULL, false)
     ON CONFLICT (singleton) DO UPDATE SET encrypted = false, current_key_id = NULL, seal_projection = false, updated_at = now()
     RETURNING encrypted, current_key_id, seal_projection`,
  );
  return toSetting(rows[0]);
}

/** Why a process with `keys` may not operate on a deployment with `setting` (undefined: it may). */
export function encryptionRefusal(setting: DeploymentSetting | undefined, keys: KeyRing | undefined): EncryptionKeyError | undefined {
  if (!setting?.encrypted || !setting.currentKeyId) return undefined;
  const keyId = setting.currentKeyId;
  if (!keys) {
    return new EncryptionKeyError(
      `this deployment encrypts its sessions (current key "${keyId}"): set AGENT_SESSIONS_ENCRYPTION_KEYS to the worker's keys; nothing was sent or stored`,
    );
  }
  if (!keys.byId.has(keyId)) {
    return new EncryptionKeyError(
      `this deployment encrypts with key "${keyId}", which AGENT_SESSIONS_ENCRYPTION_KEYS does not hold (it holds ${[...keys.byId.keys()].map((id) => `"${id}"`).join(', ')}): ` +
        `set it to the worker's keys, "${keyId}" first; nothing was sent or stored`,
    );
  }
  return undefined;
}
