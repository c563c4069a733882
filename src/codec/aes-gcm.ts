/** AES-256-GCM over bytes with a key ring: what the payload codec and the projection's sealing share. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring';
import { EncryptionKeyError } from '../shared/errors';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Bytes sealed with the ring's current key: `iv | ciphertext | tag`, and the id of the key. */
export function sealBytes(keys: KeyRing, plain: Uint8Array): { keyId: string; sealed: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.current.key, iv);
  return { keyId: keys.current.id, sealed: Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]) };
}

/**
 * An EncryptionKeyError that names the key it is about as `keyId` too: a key id is not a secret, so
 * the worker's log keeps it (and the message, which holds nothing else) where it withholds other errors' text.
 */
export function keyError(message: string, keyId: string, options?: { cause?: unknown }): EncryptionKeyError {
  return Object.assign(new EncryptionKeyError(message, options), { keyId });
}

/** Opens what `sealBytes` sealed with the key `keyId`; a missing key, another key under that id or altered bytes throw EncryptionKeyError. */
export function openBytes(keys: KeyRing, keyId: string, sealed: Buffer): Buffer {
  const key = keys.byId.get(keyId);
  if (!key) throw keyError(`data is encrypted with key "${keyId}", which AGENT_SESSIONS_ENCRYPTION_KEYS does not hold; add it after the current key`, keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw keyError(`data sealed with key "${keyId}" cannot be opened: it was altered, or the key named "${keyId}" is not the one that sealed it`, keyId, { cause: error });
  }
}
