/**
 * The failure converter of a process with encryption keys, loaded by path (Temporal loads it into the
 * workflow sandbox as well as the worker and the client): a failure's message and stack trace travel as
 * a payload, so the codec encrypts them (a tool's error may quote what the user said).
 */
import { DefaultFailureConverter } from '@temporalio/common';

/** Failures with their message and stack trace encoded as a payload. */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
