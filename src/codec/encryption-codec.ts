/**
 * A payload codec that encrypts every Temporal payload with AES-256-GCM: workflow inputs, signals,
 * updates, queries, activity inputs and results, memos, failures' details. Each encrypted payload
 * carries the id of its key, so old keys keep decrypting after a rotation.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './key-ring';
import { EncryptionKeyError } from '../shared/errors';

/** The encoding of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';

/** The metadata key holding the id of the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Whether a payload was sealed by this codec, and with which key. */
function encryptedWith(payload: Payload): string | undefined {
  if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING) return undefined;
  return Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
}

/** The codec of a process without keys: payloads stay plain, and an encrypted one is refused with what to set. */
export class KeylessCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    for (const payload of payloads) {
      const keyId = encryptedWith(payload);
      if (keyId !== undefined) throw new EncryptionKeyError(`the sessions are encrypted (key "${keyId}"): set AGENT_SESSIONS_ENCRYPTION_KEYS to the worker's keys`);
    }
    return payloads;
  }
}

/** Encrypts and decrypts payloads with a key ring. */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.keys.current.key, iv);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(this.keys.current.id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const keyId = encryptedWith(payload);
      if (keyId === undefined) return payload;
      const key = this.keys.byId.get(keyId);
      if (!key) throw new EncryptionKeyError(`a payload is encrypted with key "${keyId}", which AGENT_SESSIONS_ENCRYPTION_KEYS does not hold; add it after the current key`);
      const sealed = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
