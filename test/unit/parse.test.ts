/** The one "parse or fail" helper and the error each boundary builds. */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { InvalidInputError } from '../../src/shared/errors';
import { FailureType } from '../../src/shared/failures';
import { invalidActivityInput, invalidInput, invalidModelResponse, invalidWorkflowInput, parseOrFail } from '../../src/shared/parse';

const Shape = z.object({ n: z.number().default(1) });

test('a value that parses comes back parsed (defaults applied)', () => {
  expect(parseOrFail(Shape, {}, 'x', invalidInput)).toEqual({ n: 1 });
});

test('each boundary builds its own error, naming what was wrong and never throwing a ZodError', () => {
  const cases: Array<[string, Parameters<typeof parseOrFail>[3], (error: unknown) => void]> = [
    [
      'invalid message',
      invalidInput,
      (error) => {
        expect(error).toBeInstanceOf(InvalidInputError);
        expect((error as Error).message).toMatch(/^invalid message: n: /);
      },
    ],
    [
      'invalid input',
      invalidWorkflowInput,
      (error) => {
        expect(error).toMatchObject({ type: FailureType.InvalidInput, nonRetryable: true, message: expect.stringMatching(/^invalid input: n: /) });
      },
    ],
    [
      'callTool',
      invalidActivityInput,
      (error) => {
        expect(error).toMatchObject({ type: FailureType.TurnFailed, nonRetryable: true, message: expect.stringMatching(/^callTool got an invalid input: n: /) });
      },
    ],
    [
      'an invalid completion',
      invalidModelResponse,
      (error) => {
        expect(error).toBeInstanceOf(ApplicationFailure);
        expect(error).toMatchObject({
          type: FailureType.InvalidModelResponse,
          nonRetryable: false,
          message: expect.stringMatching(/^the model endpoint answered with an invalid completion: n: /),
        });
      },
    ],
  ];
  for (const [what, fail, expectation] of cases) {
    let thrown: unknown;
    try {
      parseOrFail(Shape, { n: 'one' }, what, fail);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).not.toBeInstanceOf(z.ZodError);
    expectation(thrown);
  }
});
