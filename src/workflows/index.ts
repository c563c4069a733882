/** The workflows a worker registers (bundled from this file). */
export { conversation } from './conversation';
