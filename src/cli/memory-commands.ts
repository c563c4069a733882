/** `memory list|add|delete --user U`: a user's long-term memories, straight from Postgres. */
import { InvalidInputError } from '../client/errors';
import { print, withClient, type CommandInput } from './connect';
import { checkOptions, MemoryOptions } from './options';

const DATABASE = { database: true, temporal: false };

/** Runs `memory list`, `memory add TEXT` or `memory delete (--id N | --key K)`. */
export async function memory({ values, positionals }: CommandInput): Promise<void> {
  const [action, ...text] = positionals;
  const options = checkOptions(MemoryOptions, values);
  switch (action) {
    case 'list': {
      const memories = await withClient(DATABASE, (client) => client.listMemories(options.user, { limit: options.limit }));
      if (options.json) print(memories);
      else if (memories.length === 0) console.log(`(no memories for user ${options.user})`);
      else for (const entry of memories) console.log(`#${entry.id} ${entry.key ? `[${entry.key}] ` : ''}${entry.text}`);
      return;
    }
    case 'add': {
      const stored = await withClient(DATABASE, (client) => client.addMemory(options.user, { text: text.join(' '), ...(options.key !== undefined ? { key: options.key } : {}) }));
      if (options.json) print(stored);
      else console.log(`remembered #${stored.id} for ${options.user}`);
      return;
    }
    case 'delete': {
      if ((options.id === undefined) === (options.key === undefined)) throw new InvalidInputError('memory delete needs --id N or --key K (one of them)');
      const selector = options.id !== undefined ? { id: options.id } : { key: options.key as string };
      const removed = await withClient(DATABASE, (client) => client.deleteMemory(options.user, selector));
      if (!removed) throw new InvalidInputError(`user ${options.user} has no memory with ${options.id !== undefined ? `id ${options.id}` : `key ${options.key}`}`);
      console.log(`forgot #${removed.id}`);
      return;
    }
    default:
      throw new InvalidInputError('memory needs an action: `memory list|add|delete --user U`');
  }
}
