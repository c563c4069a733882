/**
 * The one data converter: built here and used by the worker, the client (and so the CLI and the HTTP
 * server) and the replay tests. Payloads are JSON; with keys, every payload is also encrypted, and so are
 * failures' messages and stack traces; without keys, an encrypted payload is refused with what to set.
 */
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, KeylessCodec, type EncryptionCodecOptions } from './encryption-codec';
import type { KeyRing } from './key-ring';

/** The module of the failure converter that encodes messages and stack traces (workflow bundles built ahead need it too). */
export const ENCODED_FAILURES_PATH = require.resolve('./failure-converter');

/**
 * The data converter for a key ring (undefined: payloads stay plain JSON). The worker's refuses
 * unencrypted payloads (`refusePlaintext`, see PLAINTEXT_REFUSED); clients and replays take them as they are.
 */
export function createDataConverter(keys: KeyRing | undefined, options: EncryptionCodecOptions = {}): DataConverter {
  if (!keys) return { payloadCodecs: [new KeylessCodec()] };
  return { payloadCodecs: [new EncryptionCodec(keys, options)], failureConverterPath: ENCODED_FAILURES_PATH };
}
