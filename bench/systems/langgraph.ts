/**
 * LangGraph JS as a bench system: a two-node agent graph (model, tools) whose state is checkpointed by
 * `@langchain/langgraph-checkpoint-postgres` in the same Postgres. The model node calls the offline
 * model with the same `openai` client the other systems use (LangChain's ChatOpenAI wraps it too).
 */
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { OFFLINE_MODEL_ID } from '../../src/offline-model/wire';
import { INSTRUCTIONS, LOOKUP_ORDER, prefillTurns } from '../script';
import type { BenchSystem } from './system';

/** A LangChain message as a Chat Completions message. */
function toChat(message: BaseMessage): ChatCompletionMessageParam {
  const content = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
  if (message instanceof ToolMessage) return { role: 'tool', tool_call_id: message.tool_call_id, content };
  if (message instanceof AIMessage) {
    const calls = (message.tool_calls ?? []).map((call) => ({
      id: call.id ?? '',
      type: 'function' as const,
      function: { name: call.name, arguments: JSON.stringify(call.args) },
    }));
    return calls.length > 0 ? { role: 'assistant', content: content || null, tool_calls: calls } : { role: 'assistant', content };
  }
  return { role: 'user', content };
}

/** The graph, checkpointed in `schema` of the Postgres at `databaseUrl`. */
export async function langGraphSystem(baseURL: string, databaseUrl: string): Promise<BenchSystem> {
  const openai = new OpenAI({ baseURL, apiKey: 'offline', maxRetries: 0 });
  const checkpointer = PostgresSaver.fromConnString(databaseUrl, { schema: 'langgraph_bench' });
  await checkpointer.setup();
  const tools = [
    {
      type: 'function' as const,
      function: {
        name: LOOKUP_ORDER.name,
        description: LOOKUP_ORDER.description,
        parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
      },
    },
  ];

  async function callModel(state: typeof MessagesAnnotation.State) {
    const completion = await openai.chat.completions.create({
      model: OFFLINE_MODEL_ID,
      messages: [{ role: 'system', content: INSTRUCTIONS }, ...state.messages.filter((message) => !(message instanceof SystemMessage)).map(toChat)],
      tools,
    });
    const reply = completion.choices[0].message;
    const toolCalls = (reply.tool_calls ?? []).flatMap((call) =>
      call.type === 'function' ? [{ id: call.id, name: call.function.name, args: JSON.parse(call.function.arguments) as Record<string, unknown> }] : [],
    );
    return { messages: [new AIMessage({ content: reply.content ?? '', tool_calls: toolCalls })] };
  }

  function runTools(state: typeof MessagesAnnotation.State) {
    const last = state.messages[state.messages.length - 1] as AIMessage;
    return {
      messages: (last.tool_calls ?? []).map((call) => new ToolMessage({ tool_call_id: call.id ?? '', content: LOOKUP_ORDER.answer(String(call.args.order_id)) })),
    };
  }

  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', callModel)
    .addNode('tools', runTools)
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', (state) => ((state.messages[state.messages.length - 1] as AIMessage).tool_calls?.length ? 'tools' : END))
    .addEdge('tools', 'agent')
    .compile({ checkpointer });

  const thread = (sessionId: string) => ({ configurable: { thread_id: sessionId } });
  return {
    name: 'LangGraph JS + PostgresSaver (durable)',
    async prefill(sessionId, turns) {
      const messages = prefillTurns(turns).flatMap(({ user, assistant }) => [new HumanMessage(user), new AIMessage(assistant)]);
      await graph.updateState(thread(sessionId), { messages }, 'agent');
    },
    async turn(sessionId, message) {
      const state = await graph.invoke({ messages: [new HumanMessage(message)] }, thread(sessionId));
      const last = state.messages[state.messages.length - 1];
      return typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
    },
    close: () => checkpointer.end(),
  };
}
