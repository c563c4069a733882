/** Documented bounds on what a caller may send; the update validator and the client enforce them. */

/** Longest message text, in characters. */
export const MAX_TEXT_LENGTH = 32_000;

/** Most input items in one message. */
export const MAX_INPUT_ITEMS = 100;

/** Largest message as JSON, in UTF-8 bytes (far below Temporal's 2 MB payload limit). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** Longest message id. */
export const MAX_ID_LENGTH = 200;

/** How many recent message ids (with their results) a session remembers to answer retries. */
export const REMEMBERED_MESSAGE_IDS = 200;

/** Model calls allowed in one turn before it fails with MaxTurnsExceeded. */
export const DEFAULT_MAX_MODEL_CALLS = 10;
