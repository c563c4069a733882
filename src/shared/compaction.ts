/** What compaction tells the summarisation model, and how a summary appears to the agent's model. */

/** The system prompt of the summarisation call. */
export const COMPACTION_INSTRUCTIONS =
  'You compact conversations. Summarise the conversation transcript the user sends so that an assistant can ' +
  'continue it without the transcript: keep every fact about the user (names, numbers, orders, preferences), ' +
  'open questions and decisions. Answer with the summary only.';

/** The prefix of a summary item's text, so that the agent's model knows what it is reading. */
export const SUMMARY_PREFIX = 'Summary of the earlier conversation: ';
