/** What a tool's output becomes before it enters the session. */
import { capOutput } from '../../src/activities/tools';
import { toolCallFailed } from '../../src/shared/activity-io';
import { MAX_TOOL_OUTPUT_CHARS } from '../../src/shared/limits';

describe('tool output', () => {
  test('an output longer than the cap is cut, with a note for the model; a short one is kept whole', () => {
    expect(capOutput('short')).toBe('short');
    const cut = capOutput('y'.repeat(MAX_TOOL_OUTPUT_CHARS + 10));
    expect(cut.startsWith('y'.repeat(MAX_TOOL_OUTPUT_CHARS))).toBe(true);
    expect(cut).toContain('[output cut: 10 more characters were not kept]');
  });

  test('a result says whether the call failed by its field; only a result recorded before the field existed is read by its "Error:" prefix', () => {
    expect(toolCallFailed({ output: 'Error: 404 is what the page says.', failed: false })).toBe(false);
    expect(toolCallFailed({ output: 'the arguments were wrong', failed: true })).toBe(true);
    expect(toolCallFailed({ output: 'Error: invalid arguments for echo: text' })).toBe(true);
    expect(toolCallFailed({ output: '{"echoed":"hi"}' })).toBe(false);
  });
});
