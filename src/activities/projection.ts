/** The projection activity: writes a committed turn into Postgres before the caller gets the reply. */
import type { Pool } from 'pg';
import { ProjectionInput } from '../shared/activity-io';
import { writeTurn } from '../postgres/items';

/** Creates the `projectTurn` activity. */
export function createProjectTurn(pool: Pool) {
  return async function projectTurn(rawInput: ProjectionInput): Promise<void> {
    await writeTurn(pool, ProjectionInput.parse(rawInput));
  };
}
