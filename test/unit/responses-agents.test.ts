/** Hosted tools and structured output, declared with defineAgent or on an @openai/agents Agent, register the same way. */
import { Agent, codeInterpreterTool, fileSearchTool, webSearchTool } from '@openai/agents';
import { z } from 'zod';
import { AgentRegistry, defineAgent } from '../../src/agents';

const Answer = z.object({ city: z.string(), note: z.string().optional() });

describe('responses features of an agent', () => {
  it("come from an @openai/agents Agent's hosted tools and zod outputType", () => {
    const sdkAgent = new Agent({ name: 'sdk', instructions: 'Look things up.', tools: [webSearchTool(), fileSearchTool(['vs_1']), codeInterpreterTool()], outputType: Answer });
    const runnable = new AgentRegistry([sdkAgent]).find('sdk')!;
    expect(runnable.tools).toEqual([]);
    expect(runnable.hostedTools).toEqual([{ type: 'web_search' }, { type: 'file_search', vectorStoreIds: ['vs_1'] }, { type: 'code_interpreter' }]);
    expect(runnable.output?.schema).toEqual({
      type: 'object',
      properties: { city: { type: 'string' }, note: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
      required: ['city', 'note'],
      additionalProperties: false,
    });
    expect(runnable.output?.check({ city: 'Oslo', note: null })).toEqual({ value: { city: 'Oslo' } });
    expect(runnable.output?.check({ city: 3 })).toEqual({ problem: expect.stringContaining('city') });
  });

  it('are checked when declared with defineAgent', () => {
    expect(() => defineAgent({ name: 'bad', instructions: '', hostedTools: [{ type: 'file_search', vectorStoreIds: [] }] })).toThrow(/vector store/);
    expect(() => defineAgent({ name: 'bad', instructions: '', hostedTools: [{ type: 'web_search_preview' } as never] })).toThrow(/hostedTools/);
    const runnable = new AgentRegistry([defineAgent({ name: 'ok', instructions: '', hostedTools: [{ type: 'web_search' }], outputType: Answer })]).find('ok')!;
    expect(runnable.hostedTools).toEqual([{ type: 'web_search' }]);
    expect(runnable.output?.schema.required).toEqual(['city', 'note']);
  });
});
