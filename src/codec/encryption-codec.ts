/**
 * A payload codec that encrypts every Temporal payload with AES-256-GCM: workflow inputs, signals,
 * updates, queries, activity inputs and results, memos, failures' details. Each encrypted payload
 * carries the id of its key, so old keys keep decrypting after a rotation.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './key-ring';
import { openBytes, sealBytes } from './aes-gcm';
import { EncryptionKeyError } from '../shared/errors';

/** The encoding of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';

/** The metadata key holding the id of the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

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
      const { keyId, sealed } = sealBytes(this.keys, temporal.api.common.v1.Payload.encode(payload).finish());
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(keyId) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const keyId = encryptedWith(payload);
      if (keyId === undefined) return payload;
      const plain = openBytes(this.keys, keyId, Buffer.from(payload.data ?? []));
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
