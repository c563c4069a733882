/** The workflows a worker registers (bundled from this file): conversations and the retention pass. */
export { conversation } from './conversation';
export { retention } from './retention';
