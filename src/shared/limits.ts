/** Documented bounds on what a caller may send and on what a session keeps; validators enforce them. */

/** Longest message text, in characters. */
export const MAX_TEXT_LENGTH = 32_000;

/** Most input items in one message (and in one `addItems`). */
export const MAX_INPUT_ITEMS = 100;

/** Largest message as JSON, in UTF-8 bytes (far below Temporal's 2 MB payload limit). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** Longest message id. */
export const MAX_ID_LENGTH = 200;

/** Longest session id. */
export const MAX_SESSION_ID_LENGTH = 200;

/** The longest agent name. */
export const MAX_AGENT_NAME_LENGTH = 100;

/** Largest context as JSON, in UTF-8 bytes: it is carried across every continue-as-new. */
export const MAX_CONTEXT_BYTES = 256 * 1024;

/**
 * Operations sent as updates that may wait behind a turn paused for approval; more are refused with
 * AwaitingApprovalError, so that Temporal's in-flight update limit (10 a run) leaves room for decisions.
 */
export const MAX_QUEUED_WHILE_PAUSED = 5;

/** How many recent operation ids (with compact outcomes) a session remembers to answer retries. */
export const REMEMBERED_MESSAGE_IDS = 2_000;

/** The byte budget of remembered outcomes carried across continue-as-new (above what the count bound needs). */
export const REMEMBERED_OUTCOME_BYTES = 320 * 1024;

/** A single remembered outcome value larger than this is not kept (a retry gets OutcomeForgotten). */
export const MAX_REMEMBERED_VALUE_BYTES = 1024;

/** A remembered failure's message is cut to this many characters. */
export const MAX_REMEMBERED_MESSAGE_LENGTH = 500;

/** Model calls allowed in one turn before it fails with MaxTurnsExceeded. */
export const DEFAULT_MAX_MODEL_CALLS = 10;

/** The model's window when a session sets none: the latest 200 items, turn-aware. */
export const DEFAULT_WINDOW_ITEMS = 200;

/** The largest window a session may ask for, in items (it is carried as metadata across runs). */
export const MAX_WINDOW_ITEMS = 2_000;

/** Items the `getItems` query answers from workflow memory: the latest 50, at most 128 KiB (`QUERY_TAIL_BYTES`). */
export const QUERY_TAIL_ITEMS = 50;

/** The byte budget of the `getItems` tail (JSON). */
export const QUERY_TAIL_BYTES = 128 * 1024;

/** Updates one run accepts before it continues as new (Temporal refuses the 2,001st). */
export const MAX_UPDATES_PER_RUN = 1_000;

/**
 * The byte budget of signalled messages waiting in the queue (they are carried across a rollover);
 * a signal beyond it is dropped with a logged reason. Updates wait in the client instead.
 */
export const QUEUED_SIGNAL_BYTES = 512 * 1024;

/** A tool's output longer than this many characters is cut, with a note saying so. */
export const MAX_TOOL_OUTPUT_CHARS = 64_000;

/** The items of one turn, as JSON, at most (they travel in activity inputs and the update's result). */
export const MAX_TURN_BYTES = 1024 * 1024;

/** Longest tool call id. */
export const MAX_CALL_ID_LENGTH = 200;

/** Shortest secret context value: shorter strings would be replaced wherever they occur in what the model is sent. */
export const MIN_SECRET_LENGTH = 8;

/** Longest secret context value, in characters. */
export const MAX_SECRET_LENGTH = 4_096;

/** The largest image or file in a message, decoded, in bytes (the OpenAI API's own limit for a file). */
export const MAX_PART_BYTES = 20 * 1024 * 1024;

/** The longest `encrypted_content` of a reasoning or compaction item, in characters. */
export const MAX_ENCRYPTED_CONTENT_CHARS = 4 * 1024 * 1024;

/**
 * A data URL, a generated image or an encrypted content longer than this many characters is stored
 * once in Postgres and travels through Temporal as a reference (so no payload nears Temporal's 2 MB).
 */
export const INLINE_CONTENT_CHARS = 16 * 1024;
