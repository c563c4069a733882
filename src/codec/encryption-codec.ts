/**
 * A payload codec that encrypts every Temporal payload with AES-256-GCM: workflow inputs, signals,
 * updates, queries, activity inputs and results, memos, failures' details. Each encrypted payload
 * carries the id of its key, so old keys keep decrypting after a rotation.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './key-ring';
import { keyError, openBytes, sealBytes } from './aes-gcm';

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
      if (keyId !== undefined) throw keyError(`the sessions are encrypted (key "${keyId}"): set AGENT_SESSIONS_ENCRYPTION_KEYS to the worker's keys`, keyId);
    }
    return payloads;
  }
}

/**
 * What an unencrypted payload decodes to at a worker that refuses plaintext: a JSON string, which every
 * update's validator refuses as invalid input (so nothing enters the history), the message signal's
 * handler drops with a logged reason, and a query's arguments fail on. Decoding it to an error instead
 * would fail the whole workflow task, which Temporal retries forever: the session would block.
 */
export const PLAINTEXT_REFUSED = 'refused: this payload arrived unencrypted at a worker that encrypts (AGENT_SESSIONS_ENCRYPTION_KEYS)';

const REFUSED_PAYLOAD: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(PLAINTEXT_REFUSED)) };

/** How an encryption codec treats unencrypted payloads on decode. */
export interface EncryptionCodecOptions {
  /** Decode each unencrypted payload to PLAINTEXT_REFUSED (the worker's codec, unless AGENT_SESSIONS_ALLOW_PLAINTEXT). */
  refusePlaintext?: boolean;
  /** Called for each unencrypted payload refused (the worker logs it). */
  onPlaintextRefused?: () => void;
}

/** The ids of the keys that encrypted the payloads anywhere in `value` (a raw history, a failure…). */
export function keyIdsIn(value: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 64 || ArrayBuffer.isView(node)) return;
    if (Array.isArray(node)) {
      for (const entry of node) visit(entry, depth + 1);
      return;
    }
    const metadata = (node as { metadata?: Record<string, unknown> }).metadata;
    const keyId = metadata && typeof metadata === 'object' ? metadata[KEY_ID_METADATA] : undefined;
    if (keyId instanceof Uint8Array || typeof keyId === 'string') {
      found.add(typeof keyId === 'string' ? Buffer.from(keyId, 'base64').toString() : Buffer.from(keyId).toString());
    }
    for (const child of Object.values(node)) visit(child, depth + 1);
  };
  visit(value, 0);
  return found;
}

/** Encrypts and decrypts payloads with a key ring. */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: KeyRing,
    private readonly options: EncryptionCodecOptions = {},
  ) {}

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
      if (keyId === undefined) {
        if (!this.options.refusePlaintext) return payload;
        this.options.onPlaintextRefused?.();
        return REFUSED_PAYLOAD;
      }
      const plain = openBytes(this.keys, keyId, Buffer.from(payload.data ?? []));
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
