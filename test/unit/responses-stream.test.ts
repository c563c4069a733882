/** A streamed Response is assembled from its events; the terminal event's response is the truth; cut or failed streams fail the call. */
import { ApplicationFailure } from '@temporalio/common';
import { ResponseAssembler } from '../../src/activities/responses-stream';

const message = { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi there', annotations: [] }] };

function streamed(events: unknown[]) {
  const texts: string[] = [];
  const assembler = new ResponseAssembler((delta) => texts.push(delta));
  for (const event of events) assembler.add(event);
  return { response: () => assembler.response(), texts };
}

describe('a streamed Response', () => {
  it('hands text on as it comes and gives the completed response', () => {
    const completed = { status: 'completed', output: [message], usage: null };
    const { response, texts } = streamed([
      { type: 'response.created', response: { output: [] } },
      { type: 'response.output_item.added', output_index: 0, item: { ...message, content: [] } },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hi ' },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'there' },
      { type: 'response.output_item.done', output_index: 0, item: message },
      { type: 'response.completed', response: completed },
    ]);
    expect(texts.join('')).toBe('Hi there');
    expect(response()).toEqual(completed);
  });

  it('is an invalid model response (retried) when it ends before response.completed', () => {
    const { response } = streamed([{ type: 'response.output_text.delta', output_index: 0, delta: 'Hi' }]);
    expect(response).toThrow(expect.objectContaining({ type: 'InvalidModelResponse', nonRetryable: false }));
  });

  it('fails as the service says: retried for a server error, not for a refused prompt', () => {
    const failed = (code: string) => () => streamed([{ type: 'response.failed', response: { status: 'failed', output: [], error: { code, message: 'no' } } }]);
    expect(failed('server_error')).toThrow(expect.objectContaining({ nonRetryable: false }));
    expect(failed('invalid_prompt')).toThrow(expect.objectContaining({ type: 'ModelRequestRejected', nonRetryable: true }));
    expect(() => streamed([{ type: 'error', code: 'rate_limit_exceeded', message: 'slow down' }])).toThrow(ApplicationFailure);
  });

  it('keeps the items the events completed when the terminal response leaves them out', () => {
    const { response } = streamed([
      { type: 'response.output_item.done', output_index: 0, item: message },
      { type: 'response.completed', response: { status: 'completed', output: [] } },
    ]);
    expect(response()).toEqual({ status: 'completed', output: [message] });
  });
});
