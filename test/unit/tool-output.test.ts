/** What a tool's output becomes before it enters the session. */
import { capOutput } from '../../src/activities/tools';
import { MAX_TOOL_OUTPUT_CHARS } from '../../src/shared/limits';

describe('tool output', () => {
  test('an output longer than the cap is cut, with a note for the model; a short one is kept whole', () => {
    expect(capOutput('short')).toBe('short');
    const cut = capOutput('y'.repeat(MAX_TOOL_OUTPUT_CHARS + 10));
    expect(cut.startsWith('y'.repeat(MAX_TOOL_OUTPUT_CHARS))).toBe(true);
    expect(cut).toContain('[output cut: 10 more characters were not kept]');
  });
});
