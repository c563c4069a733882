/** The agents this worker serves. A new session starts with the first one. */
import { AgentRegistry } from '../shared/agent';
import { supportAgent } from './support';

/** Every agent the conversation workflow can run, by name. */
export const agents = new AgentRegistry([supportAgent]);
