/**
 * The one data converter: built here and used by the worker, the client (and so the CLI and the HTTP
 * server) and the replay tests. Payloads are JSON; with keys, every payload is also encrypted; without
 * them, an encrypted payload is refused with what to set.
 */
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, KeylessCodec } from './encryption-codec';
import type { KeyRing } from './key-ring';

/** The data converter for a key ring (undefined: payloads stay plain JSON). */
export function createDataConverter(keys: KeyRing | undefined): DataConverter {
  return { payloadCodecs: [keys ? new EncryptionCodec(keys) : new KeylessCodec()] };
}
